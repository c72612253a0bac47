#!/usr/bin/env bash
# Renders examples/python-app/app.msb with the TextMate grammar and takes a
# headless screenshot of it: editors/screenshot.png.
#
#   editors/vscode/scripts/screenshot.sh [FILE.msb] [OUT.png]
#
# Needs node with editors/vscode/node_modules (npm ci) and chromium
# (Debian: apt-get install chromium fonts-dejavu-core).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
file=${1:-examples/python-app/app.msb}
out=${2:-editors/screenshot.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node "$here/render-html.js" "$file" >"$tmp/page.html"
lines=$(wc -l <"$file")
height=$((lines * 21 + 70))
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1000,"$height" --screenshot="$tmp/shot.png" "file://$tmp/page.html" >/dev/null 2>&1
mv "$tmp/shot.png" "$out"
echo "wrote $out"
