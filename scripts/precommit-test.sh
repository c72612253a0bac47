#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml with the real pre-commit.
#
# pre-commit 4 from PyPI (in a temporary venv) runs the hooks of this
# checkout in a throwaway git repository. The checkout's working tree,
# uncommitted changes included, is copied and committed in a temporary
# repository first, because pre-commit takes hooks from a commit. The hooks
# must pass on good files, and fail, with msbc's message in their output,
# on a broken program, an unformatted one and a stale Dockerfile; a real
# `git commit` runs them too.
#
# pre-commit builds msbc once with `cargo install` (a release build). Set
# PRE_COMMIT_HOME to a lasting folder to keep that build between runs.
#
#   bash scripts/precommit-test.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/pre-commit-home}"
export PRE_COMMIT_COLOR=never
git_quiet() { git -c user.name=msbc-test -c user.email=msbc-test@example.invalid -c commit.gpgsign=false "$@"; }
step() { printf '\n== %s\n' "$*"; }
failures=0

# expect PASS|FAIL NEEDLE COMMAND...: runs COMMAND in the project, checks
# its exit status and, when NEEDLE is not empty, that its output holds it.
expect() {
    local want="$1" needle="$2"
    shift 2
    local log="$work/last.log" status=0
    (cd "$work/project" && "$@") >"$log" 2>&1 || status=$?
    local ok=1
    if [ "$want" = PASS ] && [ "$status" -ne 0 ]; then ok=0; fi
    if [ "$want" = FAIL ] && [ "$status" -eq 0 ]; then ok=0; fi
    if [ -n "$needle" ] && ! grep -qF -- "$needle" "$log"; then ok=0; fi
    if [ "$ok" = 1 ]; then
        echo "ok: $want: $*"
        # Show what a person would see when a hook stops a commit.
        if [ "$want" = FAIL ]; then sed -n '1,40s/^/    /p' "$log"; fi
    else
        echo "NOT OK: expected $want${needle:+ with \"$needle\"} (exit $status): $*"
        sed 's/^/    /' "$log"
        failures=$((failures + 1))
    fi
}

step "pre-commit from PyPI"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit==4.*'
export PATH="$work/venv/bin:$PATH"
pre-commit --version

step "the hooks repository: this working tree, committed"
mkdir "$work/hooks"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) \
    | (cd "$root" && xargs -0 tar -cf - --ignore-failed-read 2>/dev/null) \
    | tar -xf - -C "$work/hooks"
# A fixed date gives the same commit for the same tree, so that a lasting
# PRE_COMMIT_HOME reuses its build while the checkout does not change.
(cd "$work/hooks" && git init --quiet && git add -A &&
    GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z \
        git_quiet commit --quiet -m "msbc under test")
rev="$(git -C "$work/hooks" rev-parse HEAD)"
echo "hooks at $rev"

step "a project that uses them"
mkdir -p "$work/project"
cd "$work/project"
git init --quiet
cp -r "$root/examples/seed-go" seed-go
cat > .pre-commit-config.yaml <<EOF
repos:
  - repo: $work/hooks
    rev: $rev
    hooks:
      - id: msbc-check
      - id: msbc-fmt
      - id: msbc-fmt-check
      - id: msbc-dockerfile
EOF
# The project's Dockerfile, written by the msbc of this checkout.
cargo run --quiet --manifest-path "$root/Cargo.toml" -- compile seed-go/app.msb -o seed-go/Dockerfile
git add -A
git_quiet commit --quiet -m "seed-go and its Dockerfile"

step "install the hooks (builds msbc with cargo install)"
start=$(date +%s)
pre-commit install-hooks
echo "built and installed in $(($(date +%s) - start)) s"

step "good files pass"
expect PASS "Passed" pre-commit run --all-files
pre-commit install --install-hooks >/dev/null
printf '\n# a comment\n' >> seed-go/app.msb
git add -A
expect PASS "" git_quiet commit -m "a comment: the hooks run and pass"

step "a broken program fails msbc-check, with the diagnostic"
mkdir broken
printf 'image go = "golang:1.22"\nruntime app from og {\n  entrypoint ["/x"]\n}\n' > broken/app.msb
git add broken/app.msb
expect FAIL "E0103" pre-commit run msbc-check --files broken/app.msb
expect FAIL "did you mean \`go\`?" pre-commit run msbc-check --files broken/app.msb
expect FAIL "E0103" git_quiet commit -m "blocked: broken program"
# msbc-fmt has reformatted it meanwhile: drop it from the index and the tree.
git reset --quiet -- broken
rm -rf broken

step "an unformatted program fails msbc-fmt-check with a diff; msbc-fmt fixes it"
printf 'image go="golang:1.22"\nruntime   app from go{\n\tentrypoint [ "/x" ]\n}\n' > messy.msb
git add messy.msb
expect FAIL "would reformat messy.msb" pre-commit run msbc-fmt-check --files messy.msb
expect FAIL "+runtime app from go {" pre-commit run msbc-fmt-check --files messy.msb
expect FAIL "files were modified by this hook" pre-commit run msbc-fmt --files messy.msb
expect PASS "" pre-commit run msbc-fmt-check --files messy.msb
git add messy.msb

step "a stale Dockerfile fails msbc-dockerfile, with the diff"
sed -i 's/expose 9000/expose 9001/' seed-go/app.msb
git add seed-go/app.msb
expect FAIL "seed-go/Dockerfile is out of date" pre-commit run msbc-dockerfile --files seed-go/app.msb
expect FAIL "+EXPOSE 9001" pre-commit run msbc-dockerfile --files seed-go/app.msb
expect FAIL "is out of date" git_quiet commit -m "blocked: stale Dockerfile"
cargo run --quiet --manifest-path "$root/Cargo.toml" -- compile seed-go/app.msb -o seed-go/Dockerfile
git add -A
expect PASS "" git_quiet commit -m "Dockerfile regenerated: the hooks pass"

echo
if [ "$failures" -ne 0 ]; then
    echo "precommit-test: $failures check(s) failed"
    exit 1
fi
echo "precommit-test: all checks passed"
