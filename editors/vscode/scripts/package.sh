#!/usr/bin/env bash
# Packages the extension as a .vsix (a build output: not committed).
#
#   editors/vscode/scripts/package.sh [OUT.vsix]     (default: editors/vscode/msb-<version>.vsix)
#
# vsce 3.x runs on Node 20; vsce 4 needs Node 22.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(package --no-dependencies --skip-license --allow-missing-repository)
if [ $# -gt 0 ]; then
  args+=(--out "$1")
fi
npx --yes @vscode/vsce@3.9.2 "${args[@]}"
