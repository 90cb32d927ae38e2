#!/usr/bin/env bash
# The main job on the bundled example, on a fresh machine, in one command:
# sets the machine up (Docker engine, buildx, QEMU, local registry, busybox bases), installs, builds the plugin,
# copies examples/vision into tmp/example-vision as its own git repository with the packed plugin installed, then
#   1. nx run-many -t docker-build          (cold: every variant × layer × platform)
#   2. nx run-many -t docker-build          (again: nothing to build)
#   3. a code-only commit, nx affected -t docker-build --base=HEAD~1   (only the app layers)
#   4. as a fresh CI runner would: nx reset, no dist/, nx run-many -t docker-build   (all registry hits)
#   5. nx run vision:docker-publish--cpu   (docker-lint of the Dockerfiles, docker-test of the exact digests on amd64 and
#      on arm64 under QEMU, then one multi-arch manifest list tagged {sha}-cpu and latest-cpu, no build)
# and prints which layers each step really built (from nx-strata's build records), and the images it made.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

bash tools/env/setup-machine.sh
npm install --no-audit --no-fund >/dev/null
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
npx nx run nx-strata:build --outputStyle=static >/dev/null

work="$repo/tmp/example-vision"
rm -rf "$work" && mkdir -p "$repo/tmp" && cp -r examples/vision "$work"
node tools/scripts/install-plugin.mjs "$work" >/dev/null
cd "$work"
git init -q -b main && git config user.name "nx-strata example" && git config user.email example@nx-strata.invalid
git add -A && git commit -qm "vision example"

. /var/lib/nx-strata-dev/env
export STRATA_REGISTRY="$STRATA_DEV_REGISTRY/example-$(date +%s)"
# The main branch's job: a trusted run writes and reads the trusted namespace (a pull request would be untrusted).
export STRATA_TRUST=trusted
nx() { node node_modules/nx/dist/bin/nx.js "$@" --outputStyle=static; }
step() {
  local title=$1; shift
  local started; started=$(node -p 'Date.now()')
  local t0=$SECONDS
  printf '\n=== %s\n$ %s\n' "$title" "$*"
  "$@" >"$work/step.log" 2>&1 || { tail -40 "$work/step.log"; echo "step failed: $title"; exit 1; }
  node "$repo/tools/example/summarize.mjs" "$work" "$started" "$((SECONDS - t0))"
}

echo "registry: $STRATA_REGISTRY"
step "1. cold build of every layer × variant × platform" nx run-many -t docker-build
step "2. the same again (nothing changed)" nx run-many -t docker-build
printf '\n# a code-only change\n' >> src/vision/main.py && git commit -qam "code change"
step "3. a code-only commit: nx affected" nx affected -t docker-build --base=HEAD~1
nx reset >/dev/null 2>&1 && rm -rf dist
step "4. a fresh runner (no Nx cache, no dist/): the registry already has every layer" nx run-many -t docker-build
printf '\n=== 5. lint the Dockerfiles, test the exact digests, then publish the cpu variant: a multi-arch manifest list, no build\n$ nx run vision:docker-publish--cpu   (default tags: {sha}-{variant}, latest-{variant})\n'
nx run vision:docker-publish--cpu >"$work/step.log" 2>&1 || { tail -40 "$work/step.log"; echo "publish failed"; exit 1; }
grep -E 'nx-strata: (docker-lint of|testing|  ✓|published)' "$work/step.log" | sed 's/^/  /'
docker buildx imagetools inspect "$STRATA_REGISTRY/acme/vision:latest-cpu" | grep -E 'Name:|MediaType|Platform'

app=$(node -p 'require("./dist/strata/cpu/app/linux-arm64.json").parentRef')
printf '\n=== the cpu app image for linux/arm64, run under QEMU\n$ docker run --rm --platform linux/arm64 %s\n' "$app"
docker run --rm --platform linux/arm64 "$app"
printf '\n=== nx-strata inspect (first layer)\n'
node node_modules/nx-strata/bin/nx-strata.js inspect | sed -n '1,7p'
printf '\n=== nx-strata report: the build history the plugin recorded for these runs\n'
node node_modules/nx-strata/bin/nx-strata.js report --html tmp/report.html | sed -n '1,4p'
printf '  (a page with charts: %s/tmp/report.html)\n' "$work"
printf '\nThe workspace is in %s: try `npx nx graph`, `npx nx show project vision`, `npx nx-strata inspect --json`.\n' "$work"
