#!/usr/bin/env bash
# Editor support checks that need node, the tree-sitter CLI or Vim (the rest
# runs in `cargo test`: tests/it/editors.rs):
#
#   1. the TextMate grammar (editors/vscode): npm ci, then node --test;
#   2. the tree-sitter grammar (editors/tree-sitter-msb): `tree-sitter generate`
#      into a temporary directory must reproduce the committed src/ byte for
#      byte, then `tree-sitter test` (corpus and highlight tests);
#   3. the Vim syntax file: a headless Vim checks syntax groups;
#   4. with EDITORS_PACKAGE=1, the .vsix is packaged (downloads vsce via npx).
#
# Installs what is missing: the tree-sitter CLI with `cargo install` (a ~5
# minute build, skipped when the right version is on PATH or in
# $CARGO_HOME/bin, so cache that directory in CI), Vim with apt-get.
# UPDATE_SNAPSHOTS=1 rewrites the TextMate snapshots (review the diff).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TREE_SITTER_CLI_VERSION=0.27.1
# ABI 14 loads in Neovim 0.9/0.10 and Helix builds on tree-sitter 0.22 too;
# every newer tree-sitter library reads it.
TREE_SITTER_ABI=14

started=$SECONDS
step_started=$SECONDS
step() {
  echo "== $* (at $((SECONDS - started)) s)"
  step_started=$SECONDS
}
done_step() { echo "   ok in $((SECONDS - step_started)) s"; }
fail() {
  echo "editors-test: FAILED: $*" >&2
  exit 1
}
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    fail "need root to run: $*"
  fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msbc-editors.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- tools ------------------------------------------------------------------
step "tools"
command -v node >/dev/null || fail "node (20 or later) is needed for the TextMate tests"
command -v npm >/dev/null || fail "npm is needed for the TextMate tests"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: the tests need node 20 or later"

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! tree-sitter --version 2>/dev/null | grep -q "^tree-sitter $TREE_SITTER_CLI_VERSION\b"; then
  echo "   installing tree-sitter-cli $TREE_SITTER_CLI_VERSION (cargo install, ~5 min on 2 cores)"
  cargo install tree-sitter-cli --version "$TREE_SITTER_CLI_VERSION" --locked ||
    fail "cargo install tree-sitter-cli $TREE_SITTER_CLI_VERSION"
fi
tree-sitter --version | grep -q "^tree-sitter $TREE_SITTER_CLI_VERSION\b" ||
  fail "tree-sitter on PATH is $(tree-sitter --version), not $TREE_SITTER_CLI_VERSION"

if ! command -v vim >/dev/null; then
  echo "   installing vim (apt-get)"
  as_root apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends vim >/dev/null ||
    fail "apt-get install vim"
fi
command -v cc >/dev/null || command -v gcc >/dev/null || fail "a C compiler is needed by tree-sitter test"
echo "   node $(node --version), npm $(npm --version), $(tree-sitter --version), $(vim --version | head -1)"
done_step

# ---- TextMate -----------------------------------------------------------------
step "TextMate grammar: npm ci + node --test (editors/vscode)"
(
  cd editors/vscode
  npm ci --no-audit --no-fund --loglevel=error
  node --test test/grammar.test.js test/extension.test.js
) >"$tmp/textmate.log" 2>&1 || {
  cat "$tmp/textmate.log"
  fail "TextMate tests (editors/vscode); snapshots changed on purpose? UPDATE_SNAPSHOTS=1 $0"
}
grep -E '^# (tests|pass|fail)' "$tmp/textmate.log" | sed 's/^/   /'
done_step

# ---- tree-sitter ----------------------------------------------------------------
# The CLI keeps compiled parsers and its configuration out of the home
# directory, in the temporary directory.
export TREE_SITTER_LIBDIR="$tmp/tree-sitter-lib"
mkdir -p "$TREE_SITTER_LIBDIR" "$tmp/no-parsers"
printf '{"parser-directories": ["%s"]}\n' "$tmp/no-parsers" >"$tmp/tree-sitter-config.json"

step "tree-sitter: the committed src/ is what grammar.js generates"
(
  cd editors/tree-sitter-msb
  tree-sitter generate --abi "$TREE_SITTER_ABI" --output "$tmp/generated"
) || fail "tree-sitter generate"
# scanner.c is written by hand; everything else in src/ is generated.
if ! diff -r --exclude=scanner.c editors/tree-sitter-msb/src "$tmp/generated" >"$tmp/generated.diff"; then
  head -40 "$tmp/generated.diff"
  fail "editors/tree-sitter-msb/src is stale: run \`tree-sitter generate --abi $TREE_SITTER_ABI\` in editors/tree-sitter-msb (CLI $TREE_SITTER_CLI_VERSION) and commit src/"
fi
done_step

step "tree-sitter test: corpus and highlight tests (editors/tree-sitter-msb/test)"
(
  cd editors/tree-sitter-msb
  tree-sitter test --config-path "$tmp/tree-sitter-config.json"
) >"$tmp/tree-sitter-test.log" 2>&1 || {
  cat "$tmp/tree-sitter-test.log"
  fail "tree-sitter test"
}
grep -E 'assertions|Total parses' "$tmp/tree-sitter-test.log" | sed 's/\x1b\[[0-9;]*m//g; s/^ */   /'
done_step

# ---- Vim ------------------------------------------------------------------------
step "Vim syntax: vim -Nu NONE -es -S editors/vim/test/check.vim"
vim -Nu NONE -es -S editors/vim/test/check.vim >"$tmp/vim.log" 2>&1 || {
  cat "$tmp/vim.log"
  fail "Vim syntax check (editors/vim/test/check.vim)"
}
sed 's/[[:space:]]*$//; s/^/   /' "$tmp/vim.log"
done_step

# ---- packaging (optional) ------------------------------------------------------------
if [ "${EDITORS_PACKAGE:-0}" = 1 ]; then
  step "VS Code: package the .vsix"
  editors/vscode/scripts/package.sh "$tmp/msb.vsix" >"$tmp/package.log" 2>&1 || {
    cat "$tmp/package.log"
    fail "vsce package"
  }
  done_step
fi

echo "== editors-test: all passed in $((SECONDS - started)) s"
cd "$root"
