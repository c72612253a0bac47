# shellcheck shell=bash disable=SC2034
# Shared by start.sh, stop.sh and standins.sh: paths, logging, quiet command
# runs, the private apt configuration and host package installs.
# Sourced, never run. Everything it writes lives under three roots:
#   $MSBC_E2E_CACHE  downloads, unpacked engines, rootfs and image tarballs
#   $MSBC_E2E_STATE  per-engine persistent state (data-root, images, config)
#   $MSBC_E2E_RUN    per-engine runtime files (sockets, pidfiles, exec-root)

MSBC_E2E_CACHE=${MSBC_E2E_CACHE:-/var/cache/msbc-e2e}
MSBC_E2E_STATE=${MSBC_E2E_STATE:-/var/lib/msbc-e2e}
MSBC_E2E_RUN=${MSBC_E2E_RUN:-/run/msbc-e2e}
MSBC_E2E_ENGINE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MSBC_E2E_LOGS=${MSBC_E2E_LOGS:-$MSBC_E2E_STATE/logs}
if [ "$(id -u)" != 0 ]; then
  echo "ERROR: scripts/engine/ needs root (apt-get, mounts, dockerd)" >&2
  exit 1
fi
mkdir -p "$MSBC_E2E_LOGS" "$MSBC_E2E_RUN"

# One-line step header, on stderr (stdout is kept for what callers eval).
log() { echo "== $*" >&2; }
die() {
  echo "ERROR: $*" >&2
  exit 1
}

# quiet NAME CMD...: runs CMD with its output in $MSBC_E2E_LOGS/NAME.log;
# prints that log's tail and fails when CMD fails.
quiet() {
  local name=$1 logf
  shift
  logf="$MSBC_E2E_LOGS/$name.log"
  if ! "$@" >"$logf" 2>&1; then
    echo "ERROR: '$*' failed; last lines of $logf:" >&2
    tail -n 40 "$logf" >&2
    return 1
  fi
}

# Seconds since the epoch, for the timings each script reports.
now() { date +%s; }

# The host's own Debian mirror: the first URI of a source for the host's
# release (not its -security or -updates suites), from one-line or deb822
# sources. Falls back to Debian's default mirror.
host_debian_mirror() {
  local codename uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v c="$codename" '$1 == "deb" {
        i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == c) { print $i; exit } }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" } {
          uris = ""; ok = 0; deb = 0
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^#/) continue
            if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
            if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
            if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == c) ok = 1 }
          }
          if (deb && ok && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit } }')
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# private_apt SUITE APT-GET-ARGS...: apt-get under a private configuration
# that reads only "deb MIRROR SUITE main" and keeps its lists and cache under
# $MSBC_E2E_CACHE/apt/SUITE, so the host's apt state is never touched.
private_apt_opts() {
  local suite=$1 dir="$MSBC_E2E_CACHE/apt/$1"
  mkdir -p "$dir/etc/sources.list.d" "$dir/etc/preferences.d" "$dir/lists/partial" \
    "$dir/cache/archives/partial"
  local line
  line="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(host_debian_mirror) $suite main"
  [ "$(cat "$dir/etc/sources.list" 2>/dev/null)" = "$line" ] || echo "$line" >"$dir/etc/sources.list"
  printf '%s\n' \
    -o "Dir::Etc::SourceList=$dir/etc/sources.list" \
    -o "Dir::Etc::SourceParts=$dir/etc/sources.list.d" \
    -o "Dir::Etc::Preferences=$dir/etc/preferences" \
    -o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d" \
    -o "Dir::State::Lists=$dir/lists" \
    -o "Dir::Cache=$dir/cache" \
    -o "APT::Sandbox::User=root" \
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false" \
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false" \
    -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false" \
    -o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
}
private_apt() {
  local suite=$1
  shift
  local -a opts
  mapfile -t opts < <(private_apt_opts "$suite")
  apt-get -q "${opts[@]}" "$@"
}

# fetch_debs SUITE DEST PKG...: downloads the named packages of SUITE (no
# dependencies) into DEST with the private apt; refreshes the private lists
# once when they are missing or no longer match the mirror.
fetch_debs() {
  local suite=$1 dest=$2
  shift 2
  mkdir -p "$dest"
  local lists="$MSBC_E2E_CACHE/apt/$suite/lists"
  if ! ls "$lists"/*_Packages* >/dev/null 2>&1; then
    quiet "apt-$suite-update" private_apt "$suite" update
  fi
  if ! (cd "$dest" && quiet "apt-$suite-download" private_apt "$suite" download "$@" 2>/dev/null); then
    quiet "apt-$suite-update" private_apt "$suite" update
    (cd "$dest" && quiet "apt-$suite-download" private_apt "$suite" download "$@")
  fi
}

# host_install PKG...: installs the missing ones with the host's apt.
host_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]} (host)"
  export DEBIAN_FRONTEND=noninteractive
  if ! quiet apt-host-install apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    quiet apt-host-update apt-get update -q
    quiet apt-host-install apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# proc_alive PID: PID runs (a zombie, dead but not yet reaped, does not).
proc_alive() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# pid_alive PIDFILE [COMM]: the pidfile names a live process (whose command
# name is COMM, when given).
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  proc_alive "$pid" || return 1
  [ -z "${2:-}" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# lock NAME: holds an exclusive lock on $MSBC_E2E_RUN/NAME.lock on fd 9 until
# the script exits (daemons are started with 9>&- so they never keep it).
lock() {
  exec 9>"$MSBC_E2E_RUN/$1.lock"
  flock 9
}

# Engine layout, for ENGINE in docker26 | docker20 | buildah.
engine_paths() {
  E=$1
  E_CACHE="$MSBC_E2E_CACHE/$E"
  E_STATE="$MSBC_E2E_STATE/$E"
  E_RUN="$MSBC_E2E_RUN/$E"
  E_ROOT="$E_CACHE/root"       # unpacked .deb files
  E_BIN="$E_STATE/bin"         # the one `docker` CLI callers put on PATH
  E_CONFIG="$E_STATE/config"   # DOCKER_CONFIG (buildx plugin for docker26)
  E_SOCK="$E_RUN/docker.sock"
  E_CTRD_SOCK="$E_RUN/containerd/containerd.sock"
  E_DOCKERD_PID="$E_RUN/dockerd.pid"
  E_CTRD_PID="$E_RUN/containerd.pid"
}

# Prints the environment a caller evals to use ENGINE.
engine_env() {
  engine_paths "$1"
  case "$1" in
    docker26 | docker20)
      echo "export DOCKER_HOST=unix://$E_SOCK"
      echo "export DOCKER_CONFIG=$E_CONFIG"
      echo "export MSBC_DOCKER=$E_BIN/docker"
      echo "export PATH=$E_BIN:\$PATH"
      [ "$1" != docker20 ] || echo "export DOCKER_BUILDKIT=1"
      ;;
    buildah)
      local flags="--storage-driver vfs --root $E_STATE/storage --runroot $E_RUN/runroot"
      echo "export MSBC_BUILDAH=\"buildah $flags\""
      echo "export MSBC_BUILDAH_BUD_FLAGS=\"--isolation chroot --pull=never\""
      echo "export CONTAINERS_STORAGE_CONF=$E_STATE/storage.conf"
      echo "export BUILDAH_ISOLATION=chroot"
      ;;
  esac
}
