// Which Docker engine the e2e suites drive: STRATA_E2E_ENGINE=classic (Docker 20.10, classic image store, the
// default socket) or containerd (Docker 26.1 with the containerd image store, started by tools/env/setup-machine.sh
// on its own socket). The choice becomes DOCKER_HOST for every docker, buildx and nx process the suites start.
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');

const ENV_FILE = `${process.env.STRATA_ENV_DIR ?? '/var/lib/nx-strata-dev'}/env`;
const ENGINES = ['classic', 'containerd'];

function selectedEngine() {
  const engine = process.env.STRATA_E2E_ENGINE || 'classic';
  if (!ENGINES.includes(engine)) throw new Error(`STRATA_E2E_ENGINE=${engine}: use one of ${ENGINES.join(', ')}`);
  return engine;
}

/** The machine set-up's recorded values (KEY=value lines). */
function machineEnv() {
  if (!existsSync(ENV_FILE)) return {};
  return Object.fromEntries(
    readFileSync(ENV_FILE, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Points this process (and so every child) at the selected engine and checks it is the engine it claims to be. */
function useEngine() {
  const engine = selectedEngine();
  if (engine === 'containerd') {
    const host = machineEnv().STRATA_DEV_ENGINE26_HOST;
    if (!host)
      throw new Error(
        `STRATA_E2E_ENGINE=containerd needs the second engine: run bash tools/env/setup-machine.sh (${ENV_FILE} names no STRATA_DEV_ENGINE26_HOST)`,
      );
    process.env.DOCKER_HOST = host;
  } else {
    delete process.env.DOCKER_HOST;
  }
  const info = execFileSync('docker', ['info', '--format', '{{.ServerVersion}} {{json .DriverStatus}}'], { encoding: 'utf8' }).trim();
  const containerdStore = info.includes('io.containerd.snapshotter');
  if (containerdStore !== (engine === 'containerd'))
    throw new Error(`STRATA_E2E_ENGINE=${engine} but the engine at ${process.env.DOCKER_HOST ?? 'the default socket'} reports ${info}`);
  process.env.STRATA_E2E_ENGINE = engine;
  return { engine, version: info.split(' ')[0] };
}

module.exports = { useEngine, machineEnv };
