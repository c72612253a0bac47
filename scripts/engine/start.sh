#!/usr/bin/env bash
# Starts a private container engine for real builds of msbc's output, and
# prints the environment to use it:
#
#   eval "$(scripts/engine/start.sh [docker26|docker20|buildah])"
#
# docker26  Docker Engine 26.x + buildx 0.13 (Debian 13's docker.io,
#           docker-cli and docker-buildx, unpacked into a cache dir, never
#           installed), run on the host's containerd and runc.
# docker20  Docker Engine 20.10 (Debian 12's docker.io, unpacked the same way:
#           no system service, no /usr/bin/docker), legacy BuildKit through
#           DOCKER_BUILDKIT=1.
# buildah   Debian 12's buildah, nothing to start: prints MSBC_BUILDAH (the
#           command with its private --root/--runroot and vfs storage) and
#           MSBC_BUILDAH_BUD_FLAGS.
#
# Each dockerd gets its own containerd (own socket, root and state), socket,
# data-root, exec-root, pidfile and an empty daemon.json, so several engines
# run at once and a system Docker is never touched. Idempotent: an engine
# that already answers is left as it is. Images persist in
# $MSBC_E2E_STATE/<engine> across stops. Stop with scripts/engine/stop.sh.
#
# Environment: MSBC_E2E_STORAGE_DRIVER (default: overlay2 when an overlay
# mount works here, else vfs), MSBC_E2E_START_TIMEOUT (seconds, default 60).
set -euo pipefail
# On failure, callers that eval our output get a failing command, not nothing.
trap 'rc=$?; [ $rc = 0 ] || echo "echo \"scripts/engine/start.sh failed (exit $rc)\" >&2; false"' EXIT
# shellcheck source=scripts/engine/lib.sh
. "$(dirname "$0")/lib.sh"

engine=${1:-docker26}
case "$engine" in
  docker26 | docker20 | buildah) ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown engine '$engine' (docker26, docker20 or buildah)" ;;
esac
engine_paths "$engine"
lock "$engine"
timeout=${MSBC_E2E_START_TIMEOUT:-60}

# --- buildah: install, private storage config, done ---------------------------
if [ "$engine" = buildah ]; then
  log "buildah: host package"
  host_install buildah
  mkdir -p "$E_STATE/storage" "$E_RUN/runroot"
  cat >"$E_STATE/storage.conf.tmp" <<EOF
[storage]
driver = "vfs"
graphroot = "$E_STATE/storage"
runroot = "$E_RUN/runroot"
EOF
  mv "$E_STATE/storage.conf.tmp" "$E_STATE/storage.conf"
  eval "$(engine_env buildah)"
  log "buildah: $($MSBC_BUILDAH --version)"
  engine_env buildah
  exit 0
fi

export DOCKER_HOST="unix://$E_SOCK" DOCKER_CONFIG="$E_CONFIG"
answers() { "$E_BIN/docker" version >/dev/null 2>&1; }

# --- already running? ------------------------------------------------------------
if [ -x "$E_BIN/docker" ] && pid_alive "$E_DOCKERD_PID" dockerd && answers; then
  log "$engine: already running (pid $(cat "$E_DOCKERD_PID"))"
  engine_env "$engine"
  exit 0
fi

# --- engine binaries ---------------------------------------------------------------
case "$engine" in
  docker26) suite=trixie want=26. pkgs=(docker.io docker-cli docker-buildx) ;;
  docker20) suite=bookworm want=20.10 pkgs=(docker.io) ;;
esac
if [ ! -f "$E_CACHE/unpacked" ] || [ ! -x "$E_ROOT/usr/sbin/dockerd" ]; then
  t0=$(now)
  log "$engine: apt-get download ${pkgs[*]} ($suite, private apt config)"
  rm -rf "$E_CACHE/debs" "$E_ROOT"
  fetch_debs "$suite" "$E_CACHE/debs" "${pkgs[@]}"
  log "$engine: dpkg-deb -x into $E_ROOT"
  for deb in "$E_CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$E_ROOT"; done
  (cd "$E_CACHE/debs" && ls) >"$E_CACHE/unpacked"
  log "$engine: binaries ready in $(($(now) - t0)) s"
fi
ver=$("$E_ROOT/usr/sbin/dockerd" --version)
case "$ver" in
  "Docker version $want"*) ;;
  *) die "$engine: expected Docker $want, got: $ver" ;;
esac

log "$engine: host containerd, runc and tini"
host_install containerd runc tini

# A private bin dir: the engine's own CLI (callers put it first on PATH) and
# docker-init; a private DOCKER_CONFIG holding buildx for docker26 only.
mkdir -p "$E_BIN" "$E_CONFIG" "$E_STATE/data" "$E_STATE/containerd" "$E_RUN/exec" \
  "$E_RUN/containerd"
ln -sfn "$E_ROOT/usr/bin/docker" "$E_BIN/docker"
ln -sfn /usr/bin/tini-static "$E_BIN/docker-init"
[ -x "$E_BIN/docker" ] || die "$engine: no docker CLI in $E_ROOT/usr/bin"
if [ "$engine" = docker26 ]; then
  mkdir -p "$E_CONFIG/cli-plugins"
  ln -sfn "$E_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$E_CONFIG/cli-plugins/docker-buildx"
fi
[ -f "$E_CONFIG/config.json" ] || echo '{}' >"$E_CONFIG/config.json"
echo '{}' >"$E_STATE/daemon.json"

# --- storage driver -----------------------------------------------------------------
driver=${MSBC_E2E_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
  probe=$(mktemp -d "$E_STATE/overlay-probe.XXXXXX")
  mkdir -p "$probe"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"
    driver=overlay2
  else
    driver=vfs
  fi
  rm -rf "$probe"
fi

# --- containerd ----------------------------------------------------------------------
if ! pid_alive "$E_CTRD_PID" containerd; then
  log "$engine: starting containerd ($E_CTRD_SOCK)"
  cat >"$E_STATE/containerd.toml" <<EOF
version = 2
root = "$E_STATE/containerd"
state = "$E_RUN/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$E_CTRD_SOCK"
[ttrpc]
  address = "$E_CTRD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$E_STATE/containerd-opt"
EOF
  rm -f "$E_CTRD_SOCK" "$E_CTRD_SOCK.ttrpc"
  PATH="$E_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    setsid containerd --config "$E_STATE/containerd.toml" \
    </dev/null >"$MSBC_E2E_LOGS/$engine-containerd.log" 2>&1 9>&- &
  echo $! >"$E_CTRD_PID"
  for _ in $(seq 1 $((timeout * 5))); do
    [ -S "$E_CTRD_SOCK" ] && break
    pid_alive "$E_CTRD_PID" || break
    sleep 0.2
  done
  if [ ! -S "$E_CTRD_SOCK" ]; then
    tail -n 30 "$MSBC_E2E_LOGS/$engine-containerd.log" >&2 || true
    die "$engine: containerd did not come up (log: $MSBC_E2E_LOGS/$engine-containerd.log)"
  fi
fi

# --- dockerd ---------------------------------------------------------------------------
if pid_alive "$E_DOCKERD_PID" dockerd; then
  die "$engine: dockerd (pid $(cat "$E_DOCKERD_PID")) runs but does not answer; scripts/engine/stop.sh $engine first"
fi
rm -f "$E_DOCKERD_PID"
log "$engine: starting dockerd ($ver, $driver, $E_SOCK)"
# docker26 gets a bridge of its own, with no NAT (iptables stay off) and so no
# way out: `docker buildx bake` cannot choose a network, and RUN steps then
# need the default bridge network to exist. The other engines get none.
bridge=none
if [ "$engine" = docker26 ]; then
  bridge=msbc-docker26
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add 10.231.26.1/24 dev "$bridge"
  fi
  ip link set "$bridge" up
fi
flags=(
  --config-file "$E_STATE/daemon.json"
  --containerd "$E_CTRD_SOCK"
  --storage-driver "$driver"
  --iptables=false --bridge="$bridge"
  --data-root "$E_STATE/data"
  --exec-root "$E_RUN/exec"
  --pidfile "$E_DOCKERD_PID"
  -H "unix://$E_SOCK"
)
[ "$engine" = docker26 ] && flags+=(--ip6tables=false)
rm -f "$E_SOCK"
t0=$(now)
PATH="$E_BIN:$E_ROOT/usr/sbin:$E_ROOT/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  setsid "$E_ROOT/usr/sbin/dockerd" "${flags[@]}" \
  </dev/null >"$MSBC_E2E_LOGS/$engine-dockerd.log" 2>&1 9>&- &
dpid=$!
for _ in $(seq 1 $((timeout * 5))); do
  answers && break
  proc_alive "$dpid" || break
  sleep 0.2
done
if ! answers; then
  tail -n 30 "$MSBC_E2E_LOGS/$engine-dockerd.log" >&2 || true
  die "$engine: dockerd did not answer 'docker version' within ${timeout}s (log: $MSBC_E2E_LOGS/$engine-dockerd.log)"
fi
echo "$dpid" >"$E_DOCKERD_PID"
log "$engine: up in $(($(now) - t0)) s; server $("$E_BIN/docker" version -f '{{.Server.Version}}')"
engine_env "$engine"
