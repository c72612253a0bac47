#!/usr/bin/env bash
# A private OCI registry on loopback, for tests of `msbc lock`: an image
# pushed there gets a registry digest (RepoDigests), which a locally built
# stand-in never has.
#
#   eval "$(scripts/engine/registry.sh start)"   # prints MSBC_REGISTRY=localhost:PORT
#   scripts/engine/registry.sh stop
#
# Debian's docker-registry (the CNCF distribution registry 2.8), storage in
# $MSBC_E2E_STATE/registry, listening on 127.0.0.1 only. Engines reach it
# without TLS: Docker treats localhost registries as insecure by default.
# Environment: MSBC_E2E_REGISTRY_PORT (default 5000).
set -euo pipefail
trap 'rc=$?; [ $rc = 0 ] || echo "echo \"scripts/engine/registry.sh failed (exit $rc)\" >&2; false"' EXIT
# shellcheck source=scripts/engine/lib.sh
. "$(dirname "$0")/lib.sh"

port=${MSBC_E2E_REGISTRY_PORT:-5000}
state="$MSBC_E2E_STATE/registry"
pidfile="$MSBC_E2E_RUN/registry.pid"
answers() { curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/"; }

case "${1:-start}" in
  start)
    lock registry
    if pid_alive "$pidfile" && answers; then
      log "registry: already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    else
      host_install docker-registry curl
      mkdir -p "$state/data"
      cat >"$state/config.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CONF
      setsid /usr/bin/docker-registry serve "$state/config.yml" \
        </dev/null >"$MSBC_E2E_LOGS/registry.log" 2>&1 9>&- &
      echo $! >"$pidfile"
      for _ in $(seq 1 100); do
        answers && break
        pid_alive "$pidfile" || break
        sleep 0.1
      done
      answers || { tail -n 20 "$MSBC_E2E_LOGS/registry.log" >&2; die "registry: no answer on 127.0.0.1:$port"; }
      log "registry: up on 127.0.0.1:$port"
    fi
    echo "export MSBC_REGISTRY=localhost:$port"
    ;;
  stop)
    lock registry
    if pid_alive "$pidfile"; then
      log "registry: stopping pid $(cat "$pidfile")"
      kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    ;;
  *) die "usage: registry.sh start|stop" ;;
esac
