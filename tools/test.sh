#!/usr/bin/env bash
# Every test of this repository, on a fresh machine, in one command:
# machine set-up (Docker engine, buildx, QEMU, registry, base images), npm ci, build, lint, unit tests,
# then the real-Docker e2e suites on both engines. Ends with a plain "N passed, N failed" line from jest's own results.
set -uo pipefail
cd "$(dirname "$0")/.."
results=tmp/test-results
rm -rf "$results" && mkdir -p "$results"

bash tools/env/setup-machine.sh || { echo "machine set-up failed"; echo "0 passed, 1 failed"; exit 1; }
# `npm install`, not `npm ci`: this npm leaves other platforms' optional packages (nx's native binaries) out of
# the lock file, which `npm ci` rejects; `npm install` follows the lock and changes nothing here.
npm install --no-audit --no-fund || { echo "npm install failed"; echo "0 passed, 1 failed"; exit 1; }

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
status=0
npx prettier --check . || { echo "formatting differs from Prettier's: run npx prettier --write ."; status=1; }
npx nx run-many -t build,lint --outputStyle=static || status=1

jest() { node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --ci "$@"; }
jest -c packages/nx-strata/jest.config.js --json --outputFile="$results/unit.json" || status=1
# The e2e suites on Docker 20.10 with the classic image store, then on Docker 26.1 with the containerd image store:
# each suite on the engine where its behaviour lives, both where the engines differ (e2e/nx-strata-e2e/suite-engines.js).
e2e() { STRATA_E2E_ENGINE="$1" jest -c e2e/nx-strata-e2e/jest.config.js --runInBand --json --outputFile="$results/e2e-$1.json" "${@:2}"; }
e2e classic || status=1
e2e containerd || status=1

node tools/scripts/summarize-jest.mjs "$results"/unit.json "$results"/e2e-classic.json "$results"/e2e-containerd.json || status=1
exit $status
