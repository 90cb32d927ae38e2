#!/usr/bin/env bash
# Every test of this repository, on a fresh machine, in one command:
# machine set-up (Docker engine, buildx, QEMU, registry, base images), npm ci, build, lint, unit tests,
# then the real-Docker e2e suites. Ends with a plain "N passed, N failed" line from jest's own results.
set -uo pipefail
cd "$(dirname "$0")/.."
results=tmp/test-results
rm -rf "$results" && mkdir -p "$results"

bash tools/env/setup-machine.sh || { echo "machine set-up failed"; echo "0 passed, 1 failed"; exit 1; }
if [ ! -d node_modules/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
status=0
npx nx run-many -t build,lint --outputStyle=static || status=1

jest() { node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --ci "$@"; }
jest -c packages/nx-strata/jest.config.js --json --outputFile="$results/unit.json" || status=1
jest -c e2e/nx-strata-e2e/jest.config.js --runInBand --json --outputFile="$results/e2e.json" || status=1

node tools/scripts/summarize-jest.mjs "$results"/unit.json "$results"/e2e.json || status=1
exit $status
