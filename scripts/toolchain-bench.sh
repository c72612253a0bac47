#!/usr/bin/env bash
# The toolchain benchmark: for each example with a single-stage.Dockerfile
# (a plain one-stage Dockerfile of the same app, as a first attempt often
# looks), builds it and msbc's output on the engine DOCKER_HOST names, and
# measures image size; cold build time (--no-cache, which also starts cache
# mounts empty); rebuild time and number of executed steps after (a) an edit
# of a source file only and (b) an edit of the dependency manifest. Prints a
# markdown table and writes it into README.md between the toolchain-bench
# markers. Fails when a source-only edit re-runs msbc's dependency step, or
# when an msbc image is not smaller than the single-stage one. With EXAMPLEs
# named, only their rows are measured and replaced (scripts/readme-table.py
# --rows); the other rows of the README table are kept as they are.
#
#   eval "$(cat /tmp/engine.env)"   # or: eval "$(scripts/engine/start.sh docker26)"
#   scripts/engine/standins.sh && scripts/toolchain-bench.sh [--no-write] [EXAMPLE...]
#
# MSBC=path/to/msbc skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DOCKER_HOST:?start an engine first: eval \"\$(scripts/engine/start.sh docker26)\"}"
write=1 merge=()
examples=()
for a in "$@"; do
  case "$a" in
    --no-write) write=0 ;;
    *) examples+=("$a") ;;
  esac
done
if [ ${#examples[@]} -gt 0 ]; then
  merge=(--rows)
else
  for f in examples/*/single-stage.Dockerfile; do examples+=("$(basename "$(dirname "$f")")"); done
fi

# MSBC names a built msbc to use instead of a fresh release build.
if [ -z "${MSBC:-}" ]; then
  cargo build --quiet --release
  MSBC="${CARGO_TARGET_DIR:-$(pwd)/target}/release/msbc"
fi
msbc=$MSBC
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Per example: the network its build needs, the source file a source edit
# touches, the manifest a dependency edit touches, and the text that names
# msbc's dependency step in the progress output.
network_for() { case "$1" in rust-service | node-app | python-app) echo host ;; *) echo none ;; esac; }
source_for() {
  case "$1" in
    go-module) echo cmd/server/main.go ;; rust-service) echo src/main.rs ;;
    node-app) echo server.js ;; python-app) echo app.py ;; c-app) echo main.c ;;
    java-app) echo src/main/java/dev/msbc/example/App.java ;;
  esac
}
manifest_for() {
  case "$1" in
    go-module) echo go.mod ;; rust-service) echo Cargo.toml ;; node-app) echo package.json ;;
    python-app) echo requirements.txt ;; c-app) echo Makefile ;; java-app) echo pom.xml ;;
  esac
}
# The stage the preset is in, and the step that copies the sources into it
# (empty where the sources go straight to the runtime): every step of that
# stage before it must come from the cache after a source-only edit.
stage_for() { case "$1" in node-app) echo deps ;; python-app) echo venv ;; *) echo build ;; esac; }
source_copy_for() {
  case "$1" in go-module | c-app) echo "COPY . ." ;; rust-service | java-app) echo "COPY src ./src" ;; *) echo "" ;; esac
}

# edit FILE: a change that keeps the file valid.
edit() {
  local file=$1 stamp
  stamp="edited $(date +%s%N)"
  case "$file" in
    *.json) sed -i "s/\"description\": \"[^\"]*\"/\"description\": \"$stamp\"/" "$file" ;;
    *.py | *.txt | *.toml | */Makefile) echo "# $stamp" >>"$file" ;;
    *.xml) echo "<!-- $stamp -->" >>"$file" ;;
    *) echo "// $stamp" >>"$file" ;;
  esac
}

# build CONTEXT DOCKERFILE TAG NETWORK [--no-cache]: prints "SECONDS EXECUTED"
# and keeps the plain progress log in $work/last.log.
build() {
  local ctx=$1 df=$2 tag=$3 net=$4 t0 t1
  shift 4
  t0=$(date +%s.%N)
  docker build --progress=plain --network="$net" "$@" -f "$df" -t "$tag" "$ctx" >"$work/last.log" 2>&1 ||
    { tail -30 "$work/last.log" >&2; return 1; }
  t1=$(date +%s.%N)
  printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$(executed "$work/last.log")"
}

# executed LOG: the Dockerfile steps (`[stage n/m] ...`) not reported CACHED.
executed() {
  python3 - "$1" <<'PY'
import re, sys
names, cached = {}, set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"#(\d+) (.*)", line.rstrip("\n"))
    if not m:
        continue
    n, body = m.groups()
    if n not in names and re.match(r"\[[^\]]*\d+/\d+\]", body):
        names[n] = body
    if body == "CACHED":
        cached.add(n)
print(sum(1 for n in names if n not in cached))
PY
}

# deps_cached LOG STAGE SOURCE_COPY: whether every step of STAGE before the
# one holding SOURCE_COPY (all of them when it is empty) was CACHED.
deps_cached() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
path, stage, needle = sys.argv[1:]
steps, cached = {}, set()
for line in open(path, errors="replace"):
    m = re.match(r"#(\d+) (.*)", line.rstrip("\n"))
    if not m:
        continue
    n, body = m.groups()
    s = re.match(r"\[(\S+) (\d+)/\d+\] (.*)", body)
    if s and s.group(1) == stage and n not in steps:
        steps[n] = (int(s.group(2)), s.group(3))
    if body == "CACHED":
        cached.add(n)
limit = min((p for p, text in steps.values() if needle and needle in text), default=10**9)
before = [n for n, (p, _) in steps.items() if 1 < p < limit]
print("yes" if before and all(n in cached for n in before) else "no")
PY
}

size_of() { docker image inspect -f '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

rows=() failures=()
for example in "${examples[@]}"; do
  dir="examples/$example"
  [ -f "$dir/single-stage.Dockerfile" ] || { echo "no $dir/single-stage.Dockerfile" >&2; exit 2; }
  net=$(network_for "$example")
  declare -A result=()
  for variant in msbc single; do
    echo "== $example, $variant" >&2
    ctx="$work/$example-$variant"
    rm -rf "$ctx"
    mkdir -p "$ctx"
    cp -r "$dir"/. "$ctx"/
    rm -f "$ctx/.dockerignore"
    if [ "$variant" = msbc ]; then
      df="$work/$example.Dockerfile"
      "$msbc" compile "$ctx/app.msb" -o "$df"
      # The allowlist msbc writes goes in the context, where the builder reads it.
      [ -f "$work/.dockerignore" ] && mv "$work/.dockerignore" "$ctx/.dockerignore"
    else
      df="$ctx/single-stage.Dockerfile"
    fi
    tag="msbc-bench/$example:$variant"
    read -r cold _ < <(build "$ctx" "$df" "$tag" "$net" --no-cache)
    size=$(size_of "$tag")
    edit "$ctx/$(source_for "$example")"
    read -r src_t src_n < <(build "$ctx" "$df" "$tag" "$net")
    if [ "$variant" = msbc ] &&
      [ "$(deps_cached "$work/last.log" "$(stage_for "$example")" "$(source_copy_for "$example")")" != yes ]; then
      failures+=("$example: a source-only edit re-ran the dependency step")
    fi
    edit "$ctx/$(manifest_for "$example")"
    read -r dep_t dep_n < <(build "$ctx" "$df" "$tag" "$net")
    result[$variant]="$size $cold $src_t $src_n $dep_t $dep_n"
  done
  read -r ms mc mst msn mdt mdn <<<"${result[msbc]}"
  read -r ss sc sst ssn sdt sdn <<<"${result[single]}"
  if [ "$ms" -ge "$ss" ]; then failures+=("$example: msbc's image is not smaller"); fi
  rows+=("| $example | $(mb "$ss") → **$(mb "$ms")** | ${sc} s → ${mc} s | ${sst} s, ${ssn} steps → ${mst} s, ${msn} steps | ${sdt} s, ${sdn} steps → ${mdt} s, ${mdn} steps |")
done

table=$(
  echo "| example | image size | cold build | rebuild after a source edit | rebuild after a dependency edit |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
)
echo "$table"

if [ "$write" = 1 ]; then
  TABLE="$table" python3 scripts/readme-table.py ${merge[@]+"${merge[@]}"} toolchain-bench \
    "Each cell: the example's plain \`single-stage.Dockerfile\` → msbc's output. Steps are the Dockerfile steps BuildKit executed rather than took from its cache. Measured with \`scripts/toolchain-bench.sh\` on a local Docker Engine 26 with stand-in base images (see scripts/engine/README.md), on 2 shared cores; rust, node and python fetch from their registries, so their times include the network; java resolves from the Maven stand-in's own folder (Debian's maven-repo), without one."
fi

if [ ${#failures[@]} -gt 0 ]; then
  printf 'toolchain-bench: %s\n' "${failures[@]}" >&2
  exit 1
fi
