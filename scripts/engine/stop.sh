#!/usr/bin/env bash
# Stops what scripts/engine/start.sh started, and nothing else:
#
#   scripts/engine/stop.sh [docker26|docker20|buildah|all]   (default: all)
#
# For a docker engine: dockerd, then its containerd (both by the pidfiles
# start.sh wrote), then any containerd shim whose -address is that
# containerd's private socket, then leftover mounts under the engine's own
# state and runtime dirs. Images stay on disk (in $MSBC_E2E_STATE/<engine>).
# buildah runs no daemon: only leftover mounts of its private storage.
set -euo pipefail
# shellcheck source=scripts/engine/lib.sh
. "$(dirname "$0")/lib.sh"

what=${1:-all}
case "$what" in
  all) engines=(docker26 docker20 buildah) ;;
  docker26 | docker20 | buildah) engines=("$what") ;;
  *) die "unknown engine '$what' (docker26, docker20, buildah or all)" ;;
esac

# stop_pid PIDFILE COMM NAME: TERM, wait up to 30 s, then KILL.
stop_pid() {
  local pidfile=$1 comm=$2 name=$3 pid
  if ! pid_alive "$pidfile" "$comm"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(cat "$pidfile")
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    proc_alive "$pid" || break
    sleep 0.2
  done
  if proc_alive "$pid"; then
    log "$name: still running after 30 s, killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
}

for e in "${engines[@]}"; do
  engine_paths "$e"
  lock "$e"
  if [ "$e" != buildah ]; then
    stop_pid "$E_DOCKERD_PID" dockerd "$e dockerd"
    stop_pid "$E_CTRD_PID" containerd "$e containerd"
    # Shims of containers that outlived dockerd: only those of this engine's
    # containerd (their command line names its private socket).
    for p in /proc/[0-9]*; do
      cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
      case "$cmd" in
        *containerd-shim*"-address $E_CTRD_SOCK "*)
          log "$e: stopping leftover shim ${p#/proc/}"
          kill -TERM "${p#/proc/}" 2>/dev/null || true
          ;;
      esac
    done
    rm -f "$E_SOCK"
  fi
  # Leftover mounts under this engine's own dirs, deepest first.
  mapfile -t mounts < <(awk -v a="$E_STATE/" -v b="$E_RUN/" \
    'index($2 "/", a) == 1 || index($2 "/", b) == 1 { print $2 }' /proc/mounts | sort -r)
  for m in "${mounts[@]}"; do
    log "$e: unmounting leftover $m"
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
done
