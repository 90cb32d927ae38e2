#!/usr/bin/env bash
# Makes this machine ready for nx-strata's e2e tests and example job, idempotently:
# Docker Engine + buildx plugin, QEMU for arm64, a local OCI registry on a free loopback port,
# busybox base images for linux/amd64 and linux/arm64 (nothing can be pulled from a public registry), and Chromium
# (headless, for the build report test).
# Beside it a second, current engine: Docker 26.1 with the containerd image store, on its own socket, data root and
# bridge (the e2e suites' "containerd" engine and the second build host; docker context `strata-containerd`).
# Every step skips what is already there. State (registry address, second engine's socket) goes to $STRATA_ENV_DIR/env.
set -euo pipefail

STRATA_ENV_DIR="${STRATA_ENV_DIR:-/var/lib/nx-strata-dev}"
mkdir -p "$STRATA_ENV_DIR"
log() { printf '[setup-machine] %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { log "must run as root (installs Debian packages, starts dockerd)"; exit 1; }; }

APT_PACKAGES=(docker.io iptables docker-registry qemu-user-static binfmt-support skopeo busybox-static golang-go file curl chromium rsync)

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

# The Debian mirror this machine's own apt sources use for its release (deb822 `.sources` or one-line `.list`
# files; the security archive left out), so the temporary trixie source follows whatever mirror a machine is given.
debian_mirror() {
  local uri
  uri=$(
    {
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN{RS=""} /(^|\n)Suites:[^\n]*bookworm( |\n|$)/ && /(^|\n)Types:[^\n]*deb( |\n|$)/ {
               if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) { u = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[ \t]*/, "", u); print u }
             }' "$f"
      done
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == "bookworm") print $i }'
    } | grep -v -- '-security' | head -1
  )
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# Fetches Debian trixie packages into $1 without installing them (a temporary apt source, `apt-get download`).
download_trixie() {
  local dir="$1"; shift
  local src=/etc/apt/sources.list.d/strata-trixie-tmp.sources mirror
  mirror=$(debian_mirror)
  log "temporary trixie source from this machine's mirror: $mirror"
  cat >"$src" <<SRC
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
  (cd "$dir" && apt-get download -qq "$@") || { rm -f "$src"; apt-get update -qq; return 1; }
  rm -f "$src"
  apt-get update -qq
}

install_buildx() {
  local plugin=/usr/local/lib/docker/cli-plugins/docker-buildx
  if docker buildx version >/dev/null 2>&1; then log "buildx present: $(docker buildx version | head -1)"; return; fi
  need_root
  log "fetching docker-buildx from Debian trixie (download only, not installed into this system)"
  local work; work=$(mktemp -d); chmod 755 "$work"
  download_trixie "$work" docker-buildx/trixie
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

# Docker 26.1 (trixie's docker.io) with containerd 1.7 (trixie's containerd) and bookworm's own runc (trixie's needs
# glibc 2.38). Its own bridge: starting a second daemon with `--bridge none` deletes the first engine's docker0.
ENGINE26_DIR="$STRATA_ENV_DIR/engine26"
ENGINE26_SOCK="$ENGINE26_DIR/docker.sock"
ENGINE26_BRIDGE=strata26
ENGINE26_CONTEXT=strata-containerd
engine26() { DOCKER_HOST="unix://$ENGINE26_SOCK" docker "$@"; }

install_engine26() {
  local bin="$ENGINE26_DIR/bin"
  if [ -x "$bin/dockerd" ] && [ -x "$bin/containerd" ] && [ -x "$bin/runc" ]; then log "Docker 26 binaries present"; return; fi
  need_root
  log "fetching docker.io and containerd from Debian trixie (download only, not installed into this system)"
  local work; work=$(mktemp -d); chmod 755 "$work"
  download_trixie "$work" docker.io/trixie containerd/trixie
  dpkg-deb -x "$work"/docker.io_*.deb "$work/x"
  dpkg-deb -x "$work"/containerd_*.deb "$work/x"
  mkdir -p "$bin"
  install -m 0755 "$work/x/usr/sbin/dockerd" "$work/x/usr/sbin/docker-proxy" "$bin/"
  install -m 0755 "$work/x/usr/bin/containerd" "$work/x/usr/bin/containerd-shim-runc-v2" "$work/x/usr/bin/ctr" "$bin/"
  install -m 0755 "$(command -v runc)" "$bin/runc"
  rm -rf "$work"
  log "Docker 26 binaries in $bin: $("$bin/dockerd" --version)"
}

start_engine26() {
  if engine26 info >/dev/null 2>&1; then log "Docker 26 (containerd store) running at unix://$ENGINE26_SOCK"; return; fi
  need_root
  if ! ip link show "$ENGINE26_BRIDGE" >/dev/null 2>&1; then
    ip link add "$ENGINE26_BRIDGE" type bridge
    ip addr add 172.31.226.1/24 dev "$ENGINE26_BRIDGE"
  fi
  ip link set "$ENGINE26_BRIDGE" up
  mkdir -p "$ENGINE26_DIR/data" "$ENGINE26_DIR/exec"
  printf '{"features":{"containerd-snapshotter":true},"insecure-registries":["127.0.0.0/8"]}\n' >"$ENGINE26_DIR/daemon.json"
  rm -f "$ENGINE26_SOCK"
  log "starting Docker 26 with the containerd image store (log: $ENGINE26_DIR/dockerd.log)"
  PATH="$ENGINE26_DIR/bin:$PATH" nohup "$ENGINE26_DIR/bin/dockerd" --config-file "$ENGINE26_DIR/daemon.json" \
    -H "unix://$ENGINE26_SOCK" --data-root "$ENGINE26_DIR/data" --exec-root "$ENGINE26_DIR/exec" \
    --pidfile "$ENGINE26_DIR/dockerd.pid" --bridge "$ENGINE26_BRIDGE" --iptables=false --ip6tables=false \
    >"$ENGINE26_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    if engine26 info >/dev/null 2>&1; then
      engine26 info --format '{{.DriverStatus}}' | grep -q snapshotter || { log "Docker 26 runs without the containerd store"; exit 1; }
      log "Docker 26 up (containerd image store)"; return
    fi
    sleep 1
  done
  log "Docker 26 did not come up in 60 s; last lines of $ENGINE26_DIR/dockerd.log:"; tail -20 "$ENGINE26_DIR/dockerd.log" >&2; exit 1
}

engine26_context() {
  if docker context inspect "$ENGINE26_CONTEXT" >/dev/null 2>&1; then return; fi
  docker context create "$ENGINE26_CONTEXT" --description "nx-strata dev: Docker 26, containerd image store" \
    --docker "host=unix://$ENGINE26_SOCK" >/dev/null
  log "docker context $ENGINE26_CONTEXT -> unix://$ENGINE26_SOCK"
}

record_engine26() {
  local envfile="$STRATA_ENV_DIR/env"
  grep -v '^STRATA_DEV_ENGINE26' "$envfile" >"$envfile.tmp" || true
  printf 'STRATA_DEV_ENGINE26_HOST=unix://%s\nSTRATA_DEV_ENGINE26_CONTEXT=%s\n' "$ENGINE26_SOCK" "$ENGINE26_CONTEXT" >>"$envfile.tmp"
  mv "$envfile.tmp" "$envfile"
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
  local engine="$1" arch="$2" busybox="$3" tag="strata-fixtures/busybox:$2"
  if $engine image inspect "$tag" >/dev/null 2>&1; then log "$tag present ($engine)"; else
    local work; work=$(mktemp -d); chmod 755 "$work"
    mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
    cp "$busybox" "$work/rootfs/bin/busybox"
    for t in sh ls cat uname echo mkdir cp mv rm sleep head tail dd wc sha256sum env true false test grep sed touch chmod id printf; do
      ln -sf busybox "$work/rootfs/bin/$t"
    done
    tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
    printf 'FROM scratch\nADD rootfs.tar /\nENV PATH=/bin\nCMD ["/bin/sh"]\n' >"$work/Dockerfile"
    $engine buildx build -q --platform "linux/$arch" --provenance=false --load -t "$tag" "$work" >/dev/null
    rm -rf "$work"
    log "$tag built ($engine)"
  fi
  [ "$engine" = docker ] || return 0 # the dev registry's busybox tags come from the first engine only
  . "$STRATA_ENV_DIR/env"
  $engine tag "$tag" "$STRATA_DEV_REGISTRY/busybox:$arch"
  $engine push -q "$STRATA_DEV_REGISTRY/busybox:$arch" >/dev/null
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
install_engine26
start_engine26
engine26_context
enable_qemu
start_registry
record_engine26
for engine in docker engine26; do
  make_busybox_image "$engine" amd64 /bin/busybox
  make_busybox_image "$engine" arm64 "$(busybox_arm64)"
done
log "ready: engines $(docker version -f '{{.Server.Version}}') (classic store) and $(engine26 version -f '{{.Server.Version}}') (containerd store, context $ENGINE26_CONTEXT), buildx $(docker buildx version | awk '{print $2}'), registry $(. "$STRATA_ENV_DIR/env"; echo "$STRATA_DEV_REGISTRY")"
