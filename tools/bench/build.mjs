// Wall time and number of layer builds for a cold build, a no-op rerun and a code-only change, on the vision example
// with a stand-in heavy ml layer (writes HEAVY_MB of data and sleeps HEAVY_SLEEP seconds), for:
//   nx-strata            nx run-many / nx affected -t docker-build (registry mode)
//   buildx sequence      what a Makefile does: 9 `docker buildx build --push`, base → ml → app, BASE_IMAGE by tag
//   bake per level       `docker buildx bake` once per layer level (bake's target: contexts do not work on this engine)
// Two runner kinds: "warm" keeps BuildKit's cache between steps (one long-lived machine); "fresh" empties it and drops
// the images before every step (a new CI runner), while nx-strata keeps its Nx cache (as a shared Nx cache would).
// Not run by CI. usage: node tools/bench/build.mjs [--runner warm|fresh|both]   env: HEAVY_MB=200 HEAVY_SLEEP=20
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const heavyMb = Number(process.env.HEAVY_MB ?? 200);
const heavySleep = Number(process.env.HEAVY_SLEEP ?? 20);
const runnerArg = process.argv.includes('--runner') ? process.argv[process.argv.indexOf('--runner') + 1] : 'both';
const runners = runnerArg === 'both' ? ['warm', 'fresh'] : [runnerArg];
const registryHost = /STRATA_DEV_REGISTRY=(\S+)/.exec(readFileSync('/var/lib/nx-strata-dev/env', 'utf8'))[1];
const CHAINS = [
  { variant: 'cpu', platform: 'linux/amd64', dir: 'cpu' },
  { variant: 'cpu', platform: 'linux/arm64', dir: 'arm64' },
  { variant: 'cuda', platform: 'linux/amd64', dir: 'cuda' },
];
const LAYERS = ['base', 'ml', 'app'];
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...options });

function makeWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, 'examples/vision'), dir, { recursive: true });
  for (const chain of CHAINS) {
    const file = join(dir, `docker/${chain.dir}/Dockerfile.ml`);
    writeFileSync(file, `${readFileSync(file, 'utf8')}RUN dd if=/dev/urandom of=/opt/vision/weights.bin bs=1M count=${heavyMb} 2>/dev/null && sleep ${heavySleep}\n`);
  }
  run(process.execPath, [join(repoRoot, 'tools/scripts/install-plugin.mjs'), dir]);
  run('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'add', '-A'], { cwd: dir });
  run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qm', 'bench'], { cwd: dir });
}

function codeChange(dir, n) {
  writeFileSync(join(dir, 'src/vision/main.py'), `${readFileSync(join(dir, 'src/vision/main.py'), 'utf8')}# change ${n}\n`);
  run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qam', `change ${n}`], { cwd: dir });
}

function freshRunner(namespace) {
  run('docker', ['builder', 'prune', '-af']);
  const images = run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((ref) => ref.includes(namespace));
  const digests = run('docker', ['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}']).split('\n').filter((ref) => ref.includes(namespace) && !ref.endsWith('<none>'));
  if (images.length + digests.length) run('docker', ['rmi', '--force', ...images, ...digests]);
}

function timed(fn) {
  const started = Date.now();
  const builds = fn(started);
  return { seconds: (Date.now() - started) / 1000, builds };
}

const tools = {
  'nx-strata': {
    steps(dir, namespace) {
      const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', STRATA_REGISTRY: `${registryHost}/${namespace}` };
      const nx = (...args) => run(process.execPath, [join(dir, 'node_modules/nx/dist/bin/nx.js'), ...args, '--outputStyle=static'], { cwd: dir, env });
      const built = (since) => {
        const records = join(dir, 'dist/strata');
        if (!existsSync(records)) return 0;
        return readdirSync(records, { recursive: true }).filter((f) => f.endsWith('.json')).filter((f) => Date.parse(JSON.parse(readFileSync(join(records, f), 'utf8')).builtAt) >= since).length;
      };
      return {
        cold: (since) => (nx('run-many', '-t', 'docker-build'), built(since)),
        noop: (since) => (nx('run-many', '-t', 'docker-build'), built(since)),
        code: (since) => (nx('affected', '-t', 'docker-build', '--base=HEAD~1'), built(since)),
      };
    },
  },
  'buildx sequence': {
    steps(dir, namespace) {
      const all = () => {
        for (const chain of CHAINS) {
          for (const layer of LAYERS) {
            const dockerfile = layer === 'app' ? 'docker/app/Dockerfile' : `docker/${chain.dir}/Dockerfile.${layer}`;
            const tag = `${registryHost}/${namespace}/${layer}:${chain.variant}-${chain.platform.split('/')[1]}`;
            const parent = layer === 'base' ? [] : ['--build-arg', `BASE_IMAGE=${registryHost}/${namespace}/${LAYERS[LAYERS.indexOf(layer) - 1]}:${chain.variant}-${chain.platform.split('/')[1]}`];
            run('docker', ['buildx', 'build', '--platform', chain.platform, '--provenance=false', '-f', dockerfile, ...parent, '--push', '-t', tag, '.'], { cwd: dir });
          }
        }
        return CHAINS.length * LAYERS.length;
      };
      return { cold: all, noop: all, code: all };
    },
  },
  'bake per level': {
    steps(dir, namespace) {
      const all = () => {
        for (const layer of LAYERS) {
          const target = Object.fromEntries(
            CHAINS.map((chain) => {
              const arch = chain.platform.split('/')[1];
              return [
                `${layer}-${chain.variant}-${arch}`,
                {
                  context: '.',
                  dockerfile: layer === 'app' ? 'docker/app/Dockerfile' : `docker/${chain.dir}/Dockerfile.${layer}`,
                  platforms: [chain.platform],
                  tags: [`${registryHost}/${namespace}/${layer}:${chain.variant}-${arch}`],
                  args: layer === 'base' ? {} : { BASE_IMAGE: `${registryHost}/${namespace}/${LAYERS[LAYERS.indexOf(layer) - 1]}:${chain.variant}-${arch}` },
                  attest: [],
                  output: ['type=registry'],
                },
              ];
            }),
          );
          writeFileSync(join(dir, 'bake.json'), JSON.stringify({ group: { default: { targets: Object.keys(target) } }, target }));
          run('docker', ['buildx', 'bake', '-f', 'bake.json', '--provenance=false'], { cwd: dir });
        }
        return CHAINS.length * LAYERS.length;
      };
      return { cold: all, noop: all, code: all };
    },
  },
};

const results = [];
for (const runner of runners) {
  for (const [name, tool] of Object.entries(tools)) {
    const namespace = `bench-${runner}-${name.replace(/\W+/g, '-')}-${Date.now()}`;
    const dir = join(repoRoot, 'tmp/bench-build', namespace);
    mkdirSync(dir, { recursive: true });
    makeWorkspace(dir);
    const steps = tool.steps(dir, namespace);
    run('docker', ['builder', 'prune', '-af']);
    const row = { runner, tool: name };
    row.cold = timed(steps.cold);
    if (runner === 'fresh') freshRunner(namespace);
    row.noop = timed(steps.noop);
    codeChange(dir, 1);
    if (runner === 'fresh') freshRunner(namespace);
    row.code = timed(steps.code);
    results.push(row);
    console.error(`${runner} ${name}: cold ${row.cold.seconds}s, no-op ${row.noop.seconds}s, code-only ${row.code.seconds}s`);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\nvision example, 3 chains × 3 layers (cpu amd64, cpu arm64 under QEMU, cuda amd64); ml writes ${heavyMb} MB and sleeps ${heavySleep} s`);
console.log('wall time in seconds (layer builds run); "fresh" empties BuildKit\'s cache and the images before each step\n');
console.log('| runner | tool | cold | no-op rerun | code-only change |');
console.log('|---|---|---:|---:|---:|');
const cell = (step) => `${step.seconds.toFixed(1)} (${step.builds})`;
for (const row of results) console.log(`| ${row.runner} | ${row.tool} | ${cell(row.cold)} | ${cell(row.noop)} | ${cell(row.code)} |`);
