#!/usr/bin/env bash
# Makes this machine ready for nx-strata's e2e tests and example job, idempotently:
# Docker Engine + buildx plugin, QEMU for arm64, a local OCI registry on a free loopback port,
# busybox base images for linux/amd64 and linux/arm64 (nothing can be pulled from a public registry), and Chromium
# (headless, for the build report test).
# Every step skips what is already there. State (registry address) goes to $STRATA_ENV_DIR/env.
set -euo pipefail

STRATA_ENV_DIR="${STRATA_ENV_DIR:-/var/lib/nx-strata-dev}"
mkdir -p "$STRATA_ENV_DIR"
log() { printf '[setup-machine] %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { log "must run as root (installs Debian packages, starts dockerd)"; exit 1; }; }

APT_PACKAGES=(docker.io iptables docker-registry qemu-user-static binfmt-support skopeo busybox-static golang-go file curl chromium)

install_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages present"; return; fi
  need_root
  log "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_buildx() {
  local plugin=/usr/local/lib/docker/cli-plugins/docker-buildx
  if docker buildx version >/dev/null 2>&1; then log "buildx present: $(docker buildx version | head -1)"; return; fi
  need_root
  log "fetching docker-buildx from Debian trixie (download only, not installed into this system)"
  local src=/etc/apt/sources.list.d/strata-trixie-tmp.sources work
  work=$(mktemp -d); chmod 755 "$work"
  trap 'rm -f /etc/apt/sources.list.d/strata-trixie-tmp.sources' RETURN
  cat >"$src" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
  (cd "$work" && apt-get download -qq docker-buildx/trixie)
  rm -f "$src"
  apt-get update -qq
  dpkg-deb -x "$work"/docker-buildx_*.deb "$work/x"
  mkdir -p "$(dirname "$plugin")"
  install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin"
  rm -rf "$work"
  docker buildx version >/dev/null
  log "buildx installed: $(docker buildx version | head -1)"
}

start_engine() {
  if docker info >/dev/null 2>&1; then log "Docker engine running"; return; fi
  need_root
  log "starting dockerd (log: /tmp/dockerd.log)"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && { log "Docker engine up"; return; }; sleep 1; done
  log "dockerd did not come up in 60 s; last lines of /tmp/dockerd.log:"; tail -20 /tmp/dockerd.log >&2; exit 1
}

enable_qemu() {
  [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
    log "QEMU aarch64 binfmt enabled"; return
  fi
  update-binfmts --enable qemu-aarch64
  log "QEMU aarch64 binfmt enabled"
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_registry() {
  local envfile="$STRATA_ENV_DIR/env" port=""
  if [ -f "$envfile" ]; then
    # shellcheck disable=SC1090
    . "$envfile"
    port="${STRATA_DEV_REGISTRY_PORT:-}"
    if [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then log "registry up at 127.0.0.1:$port"; return; fi
  fi
  [ -n "$port" ] || port=$(free_port)
  mkdir -p "$STRATA_ENV_DIR/registry"
  cat >"$STRATA_ENV_DIR/registry.yml" <<YML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $STRATA_ENV_DIR/registry }
  delete: { enabled: true }
http: { addr: 127.0.0.1:$port }
YML
  nohup docker-registry serve "$STRATA_ENV_DIR/registry.yml" >"$STRATA_ENV_DIR/registry.log" 2>&1 &
  for _ in $(seq 1 30); do
    if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
      printf 'STRATA_DEV_REGISTRY_PORT=%s\nSTRATA_DEV_REGISTRY=127.0.0.1:%s\n' "$port" "$port" >"$envfile"
      log "registry up at 127.0.0.1:$port"; return
    fi
    sleep 0.5
  done
  log "registry did not answer on 127.0.0.1:$port; see $STRATA_ENV_DIR/registry.log"; exit 1
}

# Local base images: strata-fixtures/busybox:amd64 and :arm64 in the engine's store (and pushed to the dev registry).
make_busybox_image() {
  local arch="$1" busybox="$2" tag="strata-fixtures/busybox:$1"
  if docker image inspect "$tag" >/dev/null 2>&1; then log "$tag present"; else
    local work; work=$(mktemp -d); chmod 755 "$work"
    mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
    cp "$busybox" "$work/rootfs/bin/busybox"
    for t in sh ls cat uname echo mkdir cp mv rm sleep head tail dd wc sha256sum env true false test grep sed touch chmod id printf; do
      ln -sf busybox "$work/rootfs/bin/$t"
    done
    tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
    printf 'FROM scratch\nADD rootfs.tar /\nENV PATH=/bin\nCMD ["/bin/sh"]\n' >"$work/Dockerfile"
    docker buildx build -q --platform "linux/$arch" --provenance=false --load -t "$tag" "$work" >/dev/null
    rm -rf "$work"
    log "$tag built"
  fi
  . "$STRATA_ENV_DIR/env"
  docker tag "$tag" "$STRATA_DEV_REGISTRY/busybox:$arch"
  docker push -q "$STRATA_DEV_REGISTRY/busybox:$arch" >/dev/null
}

busybox_arm64() {
  local out="$STRATA_ENV_DIR/busybox-arm64"
  if [ ! -x "$out" ]; then
    dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -qq; }
    local work; work=$(mktemp -d); chmod 755 "$work"
    (cd "$work" && apt-get download -qq busybox-static:arm64 && dpkg-deb -x busybox-static_*_arm64.deb x)
    install -m 0755 "$work/x/bin/busybox" "$out"
    rm -rf "$work"
  fi
  echo "$out"
}

install_packages
install_buildx
start_engine
enable_qemu
start_registry
make_busybox_image amd64 /bin/busybox
make_busybox_image arm64 "$(busybox_arm64)"
log "ready: engine $(docker version -f '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'), registry $(. "$STRATA_ENV_DIR/env"; echo "$STRATA_DEV_REGISTRY")"
