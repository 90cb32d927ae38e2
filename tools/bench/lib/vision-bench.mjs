// Shared by the build benchmarks: the vision example with a heavy stand-in ml layer, and how to run the three tools.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
export const heavyMb = Number(process.env.HEAVY_MB ?? 200);
export const heavySleep = Number(process.env.HEAVY_SLEEP ?? 20);
export const registryHost = /STRATA_DEV_REGISTRY=(\S+)/.exec(readFileSync('/var/lib/nx-strata-dev/env', 'utf8'))[1];
export const CHAINS = [
  { variant: 'cpu', platform: 'linux/amd64', dir: 'cpu' },
  { variant: 'cpu', platform: 'linux/arm64', dir: 'arm64' },
  { variant: 'cuda', platform: 'linux/amd64', dir: 'cuda' },
];
export const LAYERS = ['base', 'ml', 'app'];

const machineEnv = readFileSync('/var/lib/nx-strata-dev/env', 'utf8');
/** The two engines of the machine set-up: Docker 20.10 (classic store) and Docker 26.1 (containerd store). */
export const ENGINES = {
  classic: { label: 'Docker 20.10, classic store', host: undefined },
  containerd: { label: 'Docker 26.1, containerd store', host: /STRATA_DEV_ENGINE26_HOST=(\S+)/.exec(machineEnv)?.[1] },
};
/** Sends every later docker, buildx and nx call of this process to `engine` (DOCKER_HOST). */
export function useEngine(engine) {
  if (engine === 'containerd' && !ENGINES.containerd.host) throw new Error('no second engine: run bash tools/env/setup-machine.sh');
  if (ENGINES[engine].host) process.env.DOCKER_HOST = ENGINES[engine].host;
  else delete process.env.DOCKER_HOST;
}
export const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...options });
const git = (dir, ...args) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', ...args], { cwd: dir });

/**
 * The vision example with ml Dockerfiles that write HEAVY_MB of data and sleep HEAVY_SLEEP seconds, as a git repo.
 * With `api`, the app layer also copies the output of another project's build (`api:build`, an Nx command target
 * writing dist/apps/api), so the app layers wait for it: Nx splits a batch of layer tasks into waves around it.
 */
export function makeWorkspace(dir, { api = false } = {}) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, 'examples/vision'), dir, { recursive: true });
  for (const chain of CHAINS) {
    const file = join(dir, `docker/${chain.dir}/Dockerfile.ml`);
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}RUN dd if=/dev/urandom of=/opt/vision/weights.bin bs=1M count=${heavyMb} 2>/dev/null && sleep ${heavySleep}\n`,
    );
  }
  if (api) addApiProject(dir);
  run(process.execPath, [join(repoRoot, 'tools/scripts/install-plugin.mjs'), dir]);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'bench');
}

/** The `api` project: `api:build` (cached, outputs dist/apps/api) and the app layer copying what it writes. */
function addApiProject(dir) {
  mkdirSync(join(dir, 'apps/api'), { recursive: true });
  writeFileSync(join(dir, 'apps/api/server.js'), "console.log('api up');\n");
  writeFileSync(
    join(dir, 'apps/api/build.mjs'),
    [
      "import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
      "mkdirSync('dist/apps/api', { recursive: true });",
      "writeFileSync('dist/apps/api/server.js', '// built\\n' + readFileSync('apps/api/server.js', 'utf8'));",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'apps/api/project.json'),
    JSON.stringify({
      name: 'api',
      targets: { build: { command: 'node apps/api/build.mjs', outputs: ['{workspaceRoot}/dist/apps/api'], cache: true } },
    }),
  );
  writeFileSync(join(dir, '.dockerignore'), `${readFileSync(join(dir, '.dockerignore'), 'utf8')}!dist/apps/api\n`);
  const app = join(dir, 'docker/app/Dockerfile');
  writeFileSync(app, readFileSync(app, 'utf8').replace('COPY src/ ./src/', 'COPY src/ ./src/\nCOPY dist/apps/api /opt/api'));
}

/** What a peer runs before its docker builds when the app copies the api's build output. */
export function apiBuild(dir) {
  run(process.execPath, ['apps/api/build.mjs'], { cwd: dir });
}

export function codeChange(dir, n) {
  writeFileSync(join(dir, 'src/vision/main.py'), `${readFileSync(join(dir, 'src/vision/main.py'), 'utf8')}# change ${n}\n`);
  git(dir, 'commit', '-qam', `change ${n}`);
}

/** A new CI runner: BuildKit's cache emptied and this namespace's images dropped from the engine. */
export function freshRunner(namespace) {
  run('docker', ['builder', 'prune', '-af']);
  const images = run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter((ref) => ref.includes(namespace) && !ref.endsWith(':<none>'));
  const digests = run('docker', ['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}'])
    .split('\n')
    .filter((ref) => ref.includes(namespace) && !ref.endsWith('<none>'));
  if (images.length + digests.length) run('docker', ['rmi', '--force', ...images, ...digests]);
}

export function timed(fn) {
  const started = Date.now();
  const builds = fn(started);
  return { seconds: (Date.now() - started) / 1000, builds };
}

/** nx-strata in registry mode; `built(since)` counts records of real builds. */
export function nxStrata(dir, namespace, extraEnv = {}) {
  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    STRATA_REGISTRY: `${registryHost}/${namespace}`,
    // The main branch's CI: a trusted run (writes and reads the trusted namespace).
    STRATA_TRUST: 'trusted',
    ...extraEnv,
  };
  const nx = (...args) =>
    run(process.execPath, [join(dir, 'node_modules/nx/dist/bin/nx.js'), ...args, '--outputStyle=static'], { cwd: dir, env });
  const records = (since, result) => {
    const recordsDir = join(dir, 'dist/strata');
    if (!existsSync(recordsDir)) return 0;
    return (
      readdirSync(recordsDir, { recursive: true })
        // Layer records are `<os>-<arch>.json`; beside them `.tested.json`, `.scanned.json` (verification results) and publish.json.
        .filter((f) => /(^|\/)[^/.]+\.json$/.test(f) && !f.endsWith('publish.json'))
        .map((f) => JSON.parse(readFileSync(join(recordsDir, f), 'utf8')))
        .filter((r) => Date.parse(r.builtAt) >= since && (result === undefined || r.result === result)).length
    );
  };
  return { nx, built: (since) => records(since, 'built'), hits: (since) => records(since, 'registry-hit') };
}

const tagOf = (namespace, layer, chain) => `${registryHost}/${namespace}/${layer}:${chain.variant}-${chain.platform.split('/')[1]}`;
const dockerfileOf = (layer, chain) => (layer === 'app' ? 'docker/app/Dockerfile' : `docker/${chain.dir}/Dockerfile.${layer}`);

const cacheRefOf = (namespace, layer, chain) =>
  `${registryHost}/${namespace}/cache-${layer}:${chain.variant}-${chain.platform.split('/')[1]}`;

/**
 * The cache flags a team configures: none, the inline cache read back from the pushed image (all the classic store's
 * docker driver exports), or `type=registry,mode=max` in a cache repository of its own (the containerd store).
 */
function cacheFlags(cache, namespace, layer, chain) {
  if (cache === 'inline') return { from: [`type=registry,ref=${tagOf(namespace, layer, chain)}`], to: ['type=inline'] };
  if (cache === 'registry-max') {
    const ref = cacheRefOf(namespace, layer, chain);
    return { from: [`type=registry,ref=${ref}`], to: [`type=registry,ref=${ref},mode=max`] };
  }
  return { from: [], to: [] };
}

/** What a Makefile does: 9 `docker buildx build --push`, base → ml → app, BASE_IMAGE by tag. */
export function buildxSequence(dir, namespace, { cache = 'none' } = {}) {
  for (const chain of CHAINS) {
    for (const layer of LAYERS) {
      const parent = layer === 'base' ? [] : ['--build-arg', `BASE_IMAGE=${tagOf(namespace, LAYERS[LAYERS.indexOf(layer) - 1], chain)}`];
      const flags = cacheFlags(cache, namespace, layer, chain);
      const cacheArgs = [...flags.to.flatMap((to) => ['--cache-to', to]), ...flags.from.flatMap((from) => ['--cache-from', from])];
      run(
        'docker',
        [
          'buildx',
          'build',
          '--platform',
          chain.platform,
          '--provenance=false',
          '-f',
          dockerfileOf(layer, chain),
          ...parent,
          ...cacheArgs,
          '--push',
          '-t',
          tagOf(namespace, layer, chain),
          '.',
        ],
        { cwd: dir },
      );
    }
  }
  return CHAINS.length * LAYERS.length;
}

/** `docker buildx bake` once per layer level (bake's target: contexts do not work on this engine). */
export function bakePerLevel(dir, namespace, { cache = 'none' } = {}) {
  for (const layer of LAYERS) {
    const target = Object.fromEntries(
      CHAINS.map((chain) => [
        `${layer}-${chain.variant}-${chain.platform.split('/')[1]}`,
        {
          context: '.',
          dockerfile: dockerfileOf(layer, chain),
          platforms: [chain.platform],
          tags: [tagOf(namespace, layer, chain)],
          args: layer === 'base' ? {} : { BASE_IMAGE: tagOf(namespace, LAYERS[LAYERS.indexOf(layer) - 1], chain) },
          output: ['type=registry'],
          ...(cache === 'none'
            ? {}
            : { 'cache-from': cacheFlags(cache, namespace, layer, chain).from, 'cache-to': cacheFlags(cache, namespace, layer, chain).to }),
        },
      ]),
    );
    writeFileSync(join(dir, 'bake.json'), JSON.stringify({ group: { default: { targets: Object.keys(target) } }, target }));
    run('docker', ['buildx', 'bake', '-f', 'bake.json', '--provenance=false'], { cwd: dir });
  }
  return CHAINS.length * LAYERS.length;
}
