#!/usr/bin/env bash
# Builds local stand-ins for the base images the examples name, under the
# same names, since no container registry is reachable here. They are test
# scaffolding, not the upstream images (see README.md beside this file).
#
#   scripts/engine/standins.sh [docker26|docker20|buildah] [seed|all|IMAGE...] [--rebuild]
#
# Engine (default docker26) is where the images go; the set (default all):
#   seed  what examples/seed-go and examples/seed-four-stage need:
#         debian:bookworm-slim ubuntu:24.04 busybox:1.36 golang:1.19-bookworm
#         gcr.io/distroless/static-debian12:nonroot
#   all   seed plus debian:trixie-slim gcr.io/distroless/cc-debian13:nonroot
#         rust:1.85-trixie node:20-trixie-slim python:3.11-slim-bookworm
#         gcc:14-bookworm maven:3.9-eclipse-temurin-21 eclipse-temurin:21-jre
#         debian:12-slim gcr.io/distroless/python3-debian12:nonroot
# or image names from those lists.
#
# Images are always built in the private docker26 engine (started here if it
# is not running); docker20 and buildah get the same images through
# `docker save` tarballs kept in $MSBC_E2E_CACHE/images (docker load, and
# buildah pull docker-archive:). An image the target engine already has is
# skipped unless --rebuild. debootstrap rootfs tarballs are cached in
# $MSBC_E2E_CACHE/rootfs; delete them to debootstrap again.
set -euo pipefail
# shellcheck source=scripts/engine/lib.sh
. "$(dirname "$0")/lib.sh"

SEED=(debian:bookworm-slim ubuntu:24.04 busybox:1.36 golang:1.19-bookworm
  gcr.io/distroless/static-debian12:nonroot)
ALL=("${SEED[@]}" debian:trixie-slim gcr.io/distroless/cc-debian13:nonroot
  rust:1.85-trixie node:20-trixie-slim python:3.11-slim-bookworm gcc:14-bookworm
  maven:3.9-eclipse-temurin-21 eclipse-temurin:21-jre
  debian:12-slim gcr.io/distroless/python3-debian12:nonroot)
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

target=docker26 rebuild=0 images=()
for a in "$@"; do
  case "$a" in
    docker26 | docker20 | buildah) target=$a ;;
    --rebuild) rebuild=1 ;;
    seed) images+=("${SEED[@]}") ;;
    all) images+=("${ALL[@]}") ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      printf '%s\n' "${ALL[@]}" | grep -qxF -- "$a" || die "unknown stand-in '$a' (known: ${ALL[*]})"
      images+=("$a")
      ;;
  esac
done
[ ${#images[@]} -gt 0 ] || images=("${ALL[@]}")
lock standins

# The docker26 engine, whatever DOCKER_HOST the caller has.
engine_paths docker26
D26_SOCK=$E_SOCK D26_CONFIG=$E_CONFIG D26_CLI=$E_BIN/docker
d26() { DOCKER_HOST="unix://$D26_SOCK" DOCKER_CONFIG="$D26_CONFIG" "$D26_CLI" "$@"; }
# need26: docker26 answers (started here when it does not).
need26() {
  if ! { [ -x "$D26_CLI" ] && d26 version >/dev/null 2>&1; }; then
    log "docker26 is not running: starting it (stop it with scripts/engine/stop.sh docker26)"
    "$MSBC_E2E_ENGINE_DIR/start.sh" docker26 >/dev/null
  fi
}
has26() { need26 && d26 image inspect "$1" >/dev/null 2>&1; }

safe() { echo "$1" | tr '/:' '__'; }
mkdir -p "$MSBC_E2E_CACHE/rootfs" "$MSBC_E2E_CACHE/images" "$MSBC_E2E_CACHE/debs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# rootfs SUITE: path of the cached debootstrap --variant=minbase tarball.
rootfs() {
  local suite=$1 tar="$MSBC_E2E_CACHE/rootfs/$1-minbase.tar" dir t0
  if [ ! -s "$tar" ]; then
    host_install debootstrap
    t0=$(now)
    log "debootstrap --variant=minbase $suite (cached in $tar)"
    dir="$MSBC_E2E_CACHE/rootfs/$suite.tmp"
    rm -rf "$dir"
    quiet "debootstrap-$suite" debootstrap --variant=minbase "$suite" "$dir" "$(host_debian_mirror)"
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/tmp/* \
      "$dir"/var/log/bootstrap.log
    tar --numeric-owner -C "$dir" -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$dir"
    log "debootstrap $suite done in $(($(now) - t0)) s ($(du -m "$tar" | cut -f1) MB)"
  fi
  echo "$tar"
}

# import DIR NAME CHANGE...: a folder as a one-layer image (owners numeric).
import_dir() {
  local dir=$1 name=$2
  shift 2
  local changes=() c
  for c in "$@"; do changes+=(-c "$c"); done
  tar --numeric-owner -C "$dir" -c . | quiet "import-$(safe "$name")" d26 import "${changes[@]}" - "$name"
}

# A distroless-like root: users root, nobody, nonroot (65532), the CA
# bundle, /tmp, /home/nonroot; no shell, no package manager.
distroless_root() {
  local d=$1
  mkdir -p "$d"/etc/ssl/certs "$d"/tmp "$d"/home/nonroot "$d"/root "$d"/var/lib
  cat >"$d/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$d/etc/group" <<'EOF'
root:x:0:
tty:x:5:
staff:x:50:
nobody:x:65534:
nonroot:x:65532:
EOF
  echo 'hosts: files dns' >"$d/etc/nsswitch.conf"
  printf '%s\n' 'PRETTY_NAME="Distroless stand-in (msbc test scaffolding)"' 'ID=debian' >"$d/etc/os-release"
  cp /etc/ssl/certs/ca-certificates.crt "$d/etc/ssl/certs/ca-certificates.crt"
  chmod 1777 "$d/tmp"
  chmod 700 "$d/root" "$d/home/nonroot"
  chown 65532:65532 "$d/home/nonroot"
}
# merged_usr DIR: /bin, /sbin, /lib and /lib64 as links into /usr, as on
# Debian 12 and later.
merged_usr() {
  local d=$1 f
  for f in bin sbin lib lib64; do
    mkdir -p "$d/usr/$f"
    ln -s "usr/$f" "$d/$f"
  done
}
DISTROLESS_CHANGES=("USER 65532" "WORKDIR /home/nonroot" "ENV PATH=$STD_PATH"
  "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")

build26() {
  local name=$1 d
  case "$name" in
    debian:bookworm-slim | debian:trixie-slim)
      local suite=${name#debian:}
      suite=${suite%-slim}
      local tar
      tar=$(rootfs "$suite")
      quiet "import-$(safe "$name")" d26 import -c "ENV PATH=$STD_PATH" -c 'CMD ["bash"]' "$tar" "$name"
      ;;
    ubuntu:24.04)
      # Not Ubuntu: the Debian 12 stand-in under Ubuntu's name.
      ensure26 debian:bookworm-slim
      d26 tag debian:bookworm-slim ubuntu:24.04
      ;;
    busybox:1.36)
      # Debian 12's busybox-static (1.35) under the name busybox:1.36.
      local debs="$MSBC_E2E_CACHE/debs/busybox"
      ls "$debs"/busybox-static_*.deb >/dev/null 2>&1 || fetch_debs bookworm "$debs" busybox-static
      dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | head -n1)" "$work/bbdeb"
      d="$work/busybox"
      mkdir -p "$d"/bin "$d"/etc "$d"/tmp "$d"/root "$d"/home "$d"/var
      cp "$work/bbdeb/bin/busybox" "$d/bin/busybox"
      local a
      for a in $("$d/bin/busybox" --list); do
        [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"
      done
      for a in sh cat echo ls mkdir; do [ -L "$d/bin/$a" ] || die "busybox lacks $a"; done
      printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$d/etc/passwd"
      printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$d/etc/group"
      chmod 1777 "$d/tmp"
      chmod 700 "$d/root"
      import_dir "$d" "$name" "ENV PATH=$STD_PATH" 'CMD ["sh"]'
      ;;
    gcr.io/distroless/static-debian12:nonroot)
      d="$work/static"
      distroless_root "$d"
      import_dir "$d" "$name" "${DISTROLESS_CHANGES[@]}"
      ;;
    gcr.io/distroless/cc-debian13:nonroot)
      # The static root plus Debian 13's libc6 and libgcc-s1 shared
      # libraries and loader (from the trixie rootfs), merged-/usr layout.
      local tar t="$work/trixie" f
      tar=$(rootfs trixie)
      mkdir -p "$t"
      tar -C "$t" -xf "$tar" ./var/lib/dpkg/info ./usr/lib/x86_64-linux-gnu ./usr/lib64
      d="$work/cc"
      distroless_root "$d"
      merged_usr "$d"
      cat "$t"/var/lib/dpkg/info/libc6:amd64.list "$t"/var/lib/dpkg/info/libgcc-s1:amd64.list |
        grep -E '^/usr/lib(64)?/.*\.so(\.[0-9]+)*$' | grep -v '/gconv/' >"$work/cc.files"
      while read -r f; do
        [ -e "$t$f" ] || [ -L "$t$f" ] || continue
        mkdir -p "$d$(dirname "$f")"
        cp -a "$t$f" "$d$f"
      done <"$work/cc.files"
      [ -e "$d/lib64/ld-linux-x86-64.so.2" ] || die "cc stand-in: no loader in the trixie rootfs"
      [ -e "$d/usr/lib/x86_64-linux-gnu/libgcc_s.so.1" ] || die "cc stand-in: no libgcc_s.so.1"
      import_dir "$d" "$name" "${DISTROLESS_CHANGES[@]}"
      ;;
    gcr.io/distroless/python3-debian12:nonroot)
      # As upstream builds it: the cc root (glibc, libgcc, libstdc++, here
      # with libssl3 from base) plus Debian 12's python3.11 packages and the
      # shared libraries they load, unpacked from the .deb files, not
      # installed: no dpkg, no apt, no shell. /usr/bin/python3 and python
      # are links to python3.11, the entrypoint, as upstream.
      local debs="$MSBC_E2E_CACHE/debs/python3-distroless" raw="$work/python3-debs" deb f
      local pkgs=(libc6 libgcc-s1 libstdc++6 libssl3 zlib1g libexpat1 libffi8 libbz2-1.0 liblzma5
        libsqlite3-0 libuuid1 libcrypt1 libdb5.3 libncursesw6 libtinfo6 libreadline8 libnsl2
        libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1
        python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3-distutils python3-lib2to3)
      local missing=()
      for f in "${pkgs[@]}"; do ls "$debs/${f}_"*.deb >/dev/null 2>&1 || missing+=("$f"); done
      [ ${#missing[@]} -eq 0 ] || fetch_debs bookworm "$debs" "${missing[@]}"
      mkdir -p "$raw"
      for f in "${pkgs[@]}"; do
        deb=$(ls "$debs/${f}_"*.deb | head -n1)
        dpkg-deb -x "$deb" "$raw"
      done
      d="$work/python3"
      distroless_root "$d"
      merged_usr "$d"
      # Merged /usr, as Debian 12 has it: /lib/... of the packages goes to /usr/lib/...
      for f in bin sbin lib lib64; do
        [ ! -d "$raw/$f" ] || { cp -a "$raw/$f/." "$d/usr/$f/" && rm -rf "${raw:?}/$f"; }
      done
      rm -rf "$raw"/usr/share/doc "$raw"/usr/share/man "$raw"/usr/share/info "$raw"/usr/share/lintian \
        "$raw"/usr/lib/x86_64-linux-gnu/gconv "$raw"/usr/lib/aarch64-linux-gnu/gconv
      cp -a "$raw/." "$d/"
      ln -sf python3.11 "$d/usr/bin/python3"
      ln -sf python3.11 "$d/usr/bin/python"
      # Checked here, where a shell is: the interpreter starts and every
      # extension module's libraries resolve (the loader lists them).
      chroot "$d" /usr/bin/python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, decimal, pyexpat, json, venv' ||
        die "python3 stand-in: the interpreter fails in its own root"
      for f in "$d"/usr/lib/python3.11/lib-dynload/*.so; do
        ! chroot "$d" /lib64/ld-linux-x86-64.so.2 --list "${f#"$d"}" | grep -q 'not found' ||
          die "python3 stand-in: ${f#"$d"} needs a library it lacks"
      done
      import_dir "$d" "$name" "${DISTROLESS_CHANGES[@]}" "ENV LANG=C.UTF-8" 'ENTRYPOINT ["/usr/bin/python3.11"]'
      ;;
    golang:1.19-bookworm | python:3.11-slim-bookworm | gcc:14-bookworm | debian:12-slim) build_file "$name" debian:bookworm-slim ;;
    rust:1.85-trixie | node:20-trixie-slim | maven:3.9-eclipse-temurin-21 | eclipse-temurin:21-jre)
      build_file "$name" debian:trixie-slim
      ;;
    *) die "no recipe for $name" ;;
  esac
}

# build_file NAME BASE: docker build of standins/<tool>.Dockerfile, with the
# host's CA bundle in the context (the image trusts it: see README.md).
build_file() {
  local name=$1 base=$2 ctx="$work/ctx-$(safe "$1")"
  ensure26 "$base"
  mkdir -p "$ctx"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  quiet "build-$(safe "$name")" d26 build --network=host \
    -f "$MSBC_E2E_ENGINE_DIR/standins/${name%%:*}.Dockerfile" -t "$name" "$ctx"
}

declare -A done26=()
# ensure26 NAME [force]: NAME exists in docker26 (built when missing or forced).
ensure26() {
  local name=$1 force=${2:-0} t0
  [ -z "${done26[$name]:-}" ] || return 0
  if [ "$force" = 0 ] && has26 "$name"; then
    done26[$name]=1
    return 0
  fi
  t0=$(now)
  log "docker26: building $name"
  build26 "$name"
  rm -f "$MSBC_E2E_CACHE/images/$(safe "$name").tar"
  done26[$name]=1
  log "docker26: $name built in $(($(now) - t0)) s"
}

# tarball NAME: a docker-archive of NAME saved from docker26 (cached; made
# again with --rebuild, or after docker26 built NAME again).
tarball() {
  local name=$1 tar
  tar="$MSBC_E2E_CACHE/images/$(safe "$1").tar"
  if [ ! -s "$tar" ] || [ "$rebuild" = 1 ]; then
    need26
    ensure26 "$name" "$rebuild"
    log "docker26: docker save $name"
    d26 save -o "$tar.tmp" "$name"
    mv "$tar.tmp" "$tar"
  fi
  echo "$tar"
}

t_all=$(now)
case "$target" in
  docker26)
    for i in "${images[@]}"; do ensure26 "$i" "$rebuild"; done
    ;;
  docker20)
    engine_paths docker20
    D20_SOCK=$E_SOCK D20_CONFIG=$E_CONFIG D20_CLI=$E_BIN/docker
    d20() { DOCKER_HOST="unix://$D20_SOCK" DOCKER_CONFIG="$D20_CONFIG" "$D20_CLI" "$@"; }
    d20 version >/dev/null 2>&1 || die "docker20 is not running: eval \"\$(scripts/engine/start.sh docker20)\" first"
    for i in "${images[@]}"; do
      if [ "$rebuild" = 0 ] && d20 image inspect "$i" >/dev/null 2>&1; then continue; fi
      t0=$(now)
      tar=$(tarball "$i")
      log "docker20: loading $i"
      quiet "load20-$(safe "$i")" d20 load -i "$tar"
      log "docker20: $i loaded in $(($(now) - t0)) s"
    done
    ;;
  buildah)
    eval "$("$MSBC_E2E_ENGINE_DIR/start.sh" buildah 2>/dev/null)"
    for i in "${images[@]}"; do
      if [ "$rebuild" = 0 ] && $MSBC_BUILDAH inspect --type image "$i" >/dev/null 2>&1; then continue; fi
      t0=$(now)
      tar=$(tarball "$i")
      log "buildah: loading $i"
      quiet "pull-buildah-$(safe "$i")" $MSBC_BUILDAH pull --quiet "docker-archive:$tar"
      $MSBC_BUILDAH inspect --type image "$i" >/dev/null 2>&1 ||
        die "buildah: $i not found under its name after the pull"
      log "buildah: $i loaded in $(($(now) - t0)) s"
    done
    ;;
esac
log "$target: stand-ins ready (${images[*]}) in $(($(now) - t_all)) s"
