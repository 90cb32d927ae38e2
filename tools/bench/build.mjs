// Wall time and number of layer builds for a cold build, a no-op rerun and a code-only change, on the vision example
// with a stand-in heavy ml layer (writes HEAVY_MB of data and sleeps HEAVY_SLEEP seconds), for:
//   nx-strata            nx run-many / nx affected -t docker-build (registry mode)
//   buildx sequence      what a Makefile does: 9 `docker buildx build --push`, base → ml → app, BASE_IMAGE by tag
//   bake per level       `docker buildx bake` once per layer level (bake's target: contexts do not work on this engine)
// Two runner kinds: "warm" keeps BuildKit's cache between steps (one long-lived machine); "fresh" empties it and drops
// the images before every step (a new CI runner), while nx-strata keeps its Nx cache (as a shared Nx cache would).
// --engine containerd runs it all on Docker 26.1 with the containerd store, the peers there with their best cache
// (`cache-to/cache-from type=registry,mode=max`); the classic engine's peers use none (the warm runner's BuildKit cache).
// Not run by CI. usage: node tools/bench/build.mjs [--runner warm|fresh|both] [--engine classic|containerd]
//   env: HEAVY_MB=200 HEAVY_SLEEP=20
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  bakePerLevel,
  buildxSequence,
  codeChange,
  freshRunner,
  heavyMb,
  heavySleep,
  makeWorkspace,
  nxStrata,
  repoRoot,
  run,
  timed,
  ENGINES,
  useEngine,
} from './lib/vision-bench.mjs';

const runnerArg = process.argv.includes('--runner') ? process.argv[process.argv.indexOf('--runner') + 1] : 'both';
const runners = runnerArg === 'both' ? ['warm', 'fresh'] : [runnerArg];
const engine = process.argv.includes('--engine') ? process.argv[process.argv.indexOf('--engine') + 1] : 'classic';
useEngine(engine);
const peerCache = engine === 'containerd' ? 'registry-max' : 'none';

const tools = {
  'nx-strata': (dir, namespace) => {
    const { nx, built } = nxStrata(dir, namespace);
    return {
      cold: (since) => (nx('run-many', '-t', 'docker-build'), built(since)),
      noop: (since) => (nx('run-many', '-t', 'docker-build'), built(since)),
      code: (since) => (nx('affected', '-t', 'docker-build', '--base=HEAD~1'), built(since)),
    };
  },
  'buildx sequence': (dir, namespace) => {
    const all = () => buildxSequence(dir, namespace, { cache: peerCache });
    return { cold: all, noop: all, code: all };
  },
  'bake per level': (dir, namespace) => {
    const all = () => bakePerLevel(dir, namespace, { cache: peerCache });
    return { cold: all, noop: all, code: all };
  },
};

const results = [];
for (const runner of runners) {
  for (const [name, tool] of Object.entries(tools)) {
    const namespace = `bench-${runner}-${name.replace(/\W+/g, '-')}-${Date.now()}`;
    const dir = join(repoRoot, 'tmp/bench-build', namespace);
    mkdirSync(dir, { recursive: true });
    makeWorkspace(dir);
    const steps = tool(dir, namespace);
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

console.log(
  `\nvision example, 3 chains × 3 layers (cpu amd64, cpu arm64 under QEMU, cuda amd64); ml writes ${heavyMb} MB and sleeps ${heavySleep} s`,
);
console.log(`engine: ${ENGINES[engine].label}; peers' cache: ${peerCache}`);
console.log('wall time in seconds (layer builds run); "fresh" empties BuildKit\'s cache and the images before each step\n');
console.log('| runner | tool | cold | no-op rerun | code-only change |');
console.log('|---|---|---:|---:|---:|');
const cell = (step) => `${step.seconds.toFixed(1)} (${step.builds})`;
for (const row of results) console.log(`| ${row.runner} | ${row.tool} | ${cell(row.cold)} | ${cell(row.noop)} | ${cell(row.code)} |`);
