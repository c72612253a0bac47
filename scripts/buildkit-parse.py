#!/usr/bin/env python3
"""Reads every Dockerfile msbc generates with BuildKit's own parser.

The `dockerfile` package (PyPI) wraps the Go parser BuildKit builds with, so
this is the reading a real builder makes of msbc's output, heredocs
included. For every example and every codegen/check fixture that compiles,
under each profile, it asserts that:
- BuildKit parses the text, and every instruction is one msbc emits;
- the FROM lines are the stages msbc reports, in order, with unique names;
- every COPY --from names an earlier stage;
- every heredoc RUN is one instruction whose script starts with `set -e`,
  and the legacy profile has no heredoc and no COPY --link.

Usage: scripts/buildkit-parse.py MSBC_BINARY
"""

import pathlib
import subprocess
import sys

import dockerfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
KNOWN = {"FROM", "ARG", "WORKDIR", "ENV", "LABEL", "COPY", "RUN", "USER", "EXPOSE",
         "ENTRYPOINT", "CMD", "HEALTHCHECK"}


def programs():
    yield from sorted(ROOT.glob("examples/*/app.msb"))
    yield from sorted(ROOT.glob("tests/data/codegen/*.msb"))
    yield from sorted(ROOT.glob("tests/data/check/ok/*.msb"))


def check(msbc, program, profile):
    # An example is compiled as a file, with its folder as the build context
    # toolchain presets read lockfiles from; a fixture from standard input,
    # as the fixture tests compile it (without a context).
    if "examples" in program.relative_to(ROOT).parts:
        out = subprocess.run([msbc, "compile", "--profile", profile, str(program)],
                             capture_output=True, text=True)
    else:
        out = subprocess.run([msbc, "compile", "--profile", profile, "-"],
                             stdin=open(program), capture_output=True, text=True)
    if out.returncode != 0:
        return f"does not compile: {out.stderr}"
    text = out.stdout
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as e:
        return f"BuildKit cannot parse it: {e}"
    stages = []
    problems = []
    for c in commands:
        if c.cmd not in KNOWN:
            problems.append(f"line {c.start_line}: unexpected instruction {c.cmd}")
        if c.cmd == "FROM":
            if len(c.value) != 3 or c.value[1] != "AS":
                problems.append(f"line {c.start_line}: FROM without a stage name")
                continue
            name = c.value[2]
            if name in stages or name != name.lower():
                problems.append(f"line {c.start_line}: stage name {name!r} repeated or not lowercase")
            stages.append(name)
        if c.cmd == "COPY":
            for flag in c.flags:
                if flag.startswith("--from="):
                    source = flag[len("--from="):]
                    if source not in stages[:-1]:
                        problems.append(f"line {c.start_line}: COPY --from={source} names no earlier stage")
                if flag == "--link" and profile == "legacy":
                    problems.append(f"line {c.start_line}: COPY --link under the legacy profile")
        if c.cmd == "RUN" and c.heredocs:
            if profile == "legacy":
                problems.append(f"line {c.start_line}: heredoc under the legacy profile")
            for heredoc in c.heredocs:
                if not heredoc.content.startswith("set -e\n"):
                    problems.append(f"line {c.start_line}: heredoc script does not start with set -e")
    from_lines = [line for line in text.splitlines() if line.startswith("FROM ")]
    if len(from_lines) != len(stages):
        problems.append(f"{len(from_lines)} FROM lines in the text, {len(stages)} stages parsed")
    return "; ".join(problems) or None


def main():
    msbc = sys.argv[1]
    failures = 0
    checked = 0
    for program in programs():
        for profile in ("modern", "legacy"):
            problem = check(msbc, program, profile)
            checked += 1
            if problem:
                failures += 1
                print(f"FAIL {program.relative_to(ROOT)} [{profile}]: {problem}")
    print(f"buildkit-parse: {checked - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
