#!/usr/bin/env bash
# Real builds of msbc's output, end to end:
#
#   scripts/engine/e2e.sh [docker26] [docker20] [buildah]   (default: all three)
#
# docker26  every example, default profile: the seed ones with
#           --network=none (go-module, c-app and java-app too: the
#           maven stand-in resolves from a folder), rust-service,
#           node-app and python-app with
#           --network=host (they download crates, npm and PyPI packages);
#           each image is run and its output checked, and its size printed.
# docker20  seed-go and seed-four-stage, --profile legacy, DOCKER_BUILDKIT=1.
# buildah   the same two with buildah bud (vfs, chroot isolation,
#           --pull=never; chroot isolation cannot cut the network), run with
#           `buildah from` + `buildah run`.
# Starts the engines and stand-ins it needs; stops, at the end, the engines
# that were not already running. Uses $MSBC (default: cargo build, then
# target/debug/msbc); MSBC_E2E_NO_CACHE=1 builds with --no-cache. Ends with
# 'e2e: N passed, N failed'; exits 1 on a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/engine/lib.sh
. scripts/engine/lib.sh

engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(docker26 docker20 buildah)
for e in "${engines[@]}"; do
  case "$e" in docker26 | docker20 | buildah) ;; *) die "unknown engine '$e'" ;; esac
done

if [ -z "${MSBC:-}" ]; then
  log "cargo build"
  quiet e2e-cargo-build cargo build --quiet
  MSBC=target/debug/msbc
fi
running() {
  engine_paths "$1"
  [ -x "$E_BIN/docker" ] && DOCKER_HOST="unix://$E_SOCK" "$E_BIN/docker" version >/dev/null 2>&1
}
# Engines already running are left running; the others are stopped at the
# end (standins.sh may start docker26 even for a docker20 or buildah run).
nocache=()
[ "${MSBC_E2E_NO_CACHE:-0}" = 0 ] || nocache=(--no-cache)
work=$(mktemp -d)
was_running=" "
for e in docker26 docker20; do running "$e" && was_running+="$e "; done
cleanup() {
  rm -rf "$work"
  local e
  for e in docker26 docker20; do
    case "$was_running" in *" $e "*) ;; *) scripts/engine/stop.sh "$e" || true ;; esac
  done
}
trap cleanup EXIT

passed=0 failed=0
ok() {
  passed=$((passed + 1))
  echo "PASS $*"
}
ko() {
  failed=$((failed + 1))
  echo "FAIL $*"
}

# check NAME EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then ok "$1"; else ko "$1: expected '$2', got '$3'"; fi
}

# expected output and run arguments per example
expect() {
  case "$1" in
    seed-go) echo "seed-go 1.0.0" ;;
    go-module) echo "go-module 1.0.0" ;;
    c-app) echo "c-app 1.0.0" ;;
    java-app) echo "java-app 1.0.0" ;;
    rust-service) echo "rust-service 1.0.0" ;;
    node-app) echo "node-app 1.0.0" ;;
    python-app) echo "python-app 1.0.0" ;;
    seed-four-stage) printf 'hello\nconference' ;;
  esac
}
run_args() {
  case "$1" in
    seed-go | go-module | c-app | java-app | rust-service | python-app) echo "--version" ;;
    node-app) echo "node server.js --version" ;;
    seed-four-stage) echo "" ;;
  esac
}
network() {
  case "$1" in seed-go | seed-four-stage | go-module | c-app | java-app) echo none ;; *) echo host ;; esac
}

# docker_example ENGINE EXAMPLE PROFILE
docker_example() {
  local engine=$1 ex=$2 profile=$3 tag="msbc-e2e-$2-$3" t0 out
  local df="$work/$engine-$ex-$profile.Dockerfile"
  if ! "$MSBC" compile --profile "$profile" "examples/$ex/app.msb" >"$df" 2>"$work/msbc.err"; then
    ko "$engine $ex ($profile): msbc compile: $(cat "$work/msbc.err")"
    return
  fi
  t0=$(now)
  if ! quiet "e2e-$engine-$ex-$profile" docker build ${nocache[@]+"${nocache[@]}"} --network="$(network "$ex")" -f "$df" -t "$tag" "examples/$ex"; then
    ko "$engine $ex ($profile): docker build (Dockerfile: $df, log: $MSBC_E2E_LOGS/e2e-$engine-$ex-$profile.log)"
    cp "$df" "$MSBC_E2E_LOGS/e2e-$engine-$ex-$profile.Dockerfile"
    return
  fi
  # shellcheck disable=SC2046
  out=$(docker run --rm --pull=never "$tag" $(run_args "$ex") 2>&1) || true
  check "$engine $ex ($profile): built in $(($(now) - t0)) s, $(docker image inspect -f '{{.Size}}' "$tag" |
    awk '{ printf "%.2f MB", $1 / 1e6 }'), runs" "$(expect "$ex")" "$out"
}

for engine in "${engines[@]}"; do
  t_engine=$(now)
  env_lines=$(scripts/engine/start.sh "$engine")
  eval "$env_lines"
  case "$engine" in
    docker26)
      scripts/engine/standins.sh docker26 all
      for ex in seed-go seed-four-stage go-module c-app java-app rust-service node-app python-app; do
        docker_example docker26 "$ex" modern
      done
      ;;
    docker20)
      scripts/engine/standins.sh docker20 seed
      for ex in seed-go seed-four-stage; do docker_example docker20 "$ex" legacy; done
      ;;
    buildah)
      scripts/engine/standins.sh buildah seed
      for ex in seed-go seed-four-stage; do
        tag="msbc-e2e-$ex-legacy" df="$work/buildah-$ex.Dockerfile"
        "$MSBC" compile --profile legacy "examples/$ex/app.msb" >"$df"
        t0=$(now)
        # shellcheck disable=SC2086
        if ! quiet "e2e-buildah-$ex" $MSBC_BUILDAH bud $MSBC_BUILDAH_BUD_FLAGS ${nocache[@]+"${nocache[@]}"} -f "$df" -t "$tag" "examples/$ex"; then
          ko "buildah $ex (legacy): buildah bud (log: $MSBC_E2E_LOGS/e2e-buildah-$ex.log)"
          continue
        fi
        ctr=$($MSBC_BUILDAH from --pull=never "$tag")
        case "$ex" in
          seed-go) out=$($MSBC_BUILDAH run "$ctr" -- /app/server --version 2>&1) || true ;;
          seed-four-stage) out=$($MSBC_BUILDAH run "$ctr" -- cat /greeting/hello /greeting/conference 2>&1) || true ;;
        esac
        $MSBC_BUILDAH rm "$ctr" >/dev/null
        check "buildah $ex (legacy): built in $(($(now) - t0)) s, runs" "$(expect "$ex")" "$out"
      done
      ;;
  esac
  log "$engine: done in $(($(now) - t_engine)) s"
done

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
