#!/usr/bin/env bash
# Builds each example's image from msbc's output, and seed-go also from a
# plain single-stage Dockerfile, on the engine DOCKER_HOST names; writes the
# size table into README.md between the size-table markers and prints it.
# Fails when seed-go's msbc image is over 5 MB or under 100x smaller.
#
#   eval "$(scripts/engine/start.sh docker26)" && scripts/engine/standins.sh
#   scripts/size-table.sh [--no-write]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DOCKER_HOST:?start an engine first: eval \"\$(scripts/engine/start.sh docker26)\"}"
write=1
[ "${1:-}" = "--no-write" ] && write=0

cargo build --quiet --release
msbc="${CARGO_TARGET_DIR:-target}/release/msbc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

size_of() { docker image inspect -f '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1000000 }'; }

network_for() {
  case "$1" in
    seed-go|seed-four-stage) echo none ;;
    *) echo host ;;
  esac
}

echo "== seed-go, single stage" >&2
cat > "$work/Dockerfile.single" <<'DOCKERFILE'
FROM golang:1.19-bookworm
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /server .
ENTRYPOINT ["/server"]
DOCKERFILE
docker build --quiet --network=none -f "$work/Dockerfile.single" -t msbc-size/seed-go:single examples/seed-go >/dev/null
single=$(size_of msbc-size/seed-go:single)

rows=()
for dir in examples/*/; do
  example=$(basename "$dir")
  [ -f "$dir/app.msb" ] || continue
  echo "== $example, msbc" >&2
  "$msbc" compile "$dir/app.msb" -o "$work/Dockerfile.$example"
  # A placeholder value for each secret the program declares.
  secrets=()
  for id in $(sed -n 's/^secret \([A-Za-z0-9_-]*\).*/\1/p' "$dir/app.msb"); do
    echo "placeholder" > "$work/secret.$id"
    secrets+=(--secret "id=$id,src=$work/secret.$id")
  done
  docker build --quiet --network="$(network_for "$example")" ${secrets[@]+"${secrets[@]}"} \
    -f "$work/Dockerfile.$example" -t "msbc-size/$example:msbc" "$dir" >/dev/null
  size=$(size_of "msbc-size/$example:msbc")
  if [ "$example" = seed-go ]; then
    seed=$size
    ratio=$(awk -v a="$single" -v b="$size" 'BEGIN { printf "%.0f", a / b }')
    rows+=("| seed-go | $(mb "$single") | $(mb "$size") | ${ratio}x smaller |")
  else
    rows+=("| $example | | $(mb "$size") | |")
  fi
done

table=$(
  echo "| example | single-stage image | msbc's image | |"
  echo "|---|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
)
echo "$table"

if [ "$write" = 1 ]; then
  TABLE="$table" python3 scripts/readme-table.py size-table \
    "Measured with \`scripts/size-table.sh\` on a local Docker Engine 26 with stand-in base images (see scripts/engine/README.md); sizes as \`docker image inspect\` reports them. The seed talk quotes 350 MB against 13 MB for the same shape of Go server."
fi

awk -v s="$seed" -v t="$single" 'BEGIN {
  if (s > 5000000) { print "seed-go image is over 5 MB: " s " bytes" > "/dev/stderr"; exit 1 }
  if (t / s < 100) { print "seed-go image is not 100x smaller: " t / s > "/dev/stderr"; exit 1 }
}'
