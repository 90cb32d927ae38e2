// A fresh CI runner: empty Nx cache, cold BuildKit cache, no images in the engine, but a warm registry that holds
// every layer from an earlier run. nx-strata (registry hits, its layer tasks batched in one process) beside a plain
// `docker buildx build` sequence and `docker buildx bake` per level, on the same Dockerfiles with the heavy stand-in
// ml layer, on both engines of the machine set-up, each peer in its best configuration there:
//   Docker 20.10, classic store:    --cache-from the pushed image with the inline cache (all that store's driver exports)
//   Docker 26.1, containerd store:  --cache-to/--cache-from type=registry,mode=max (what teams configure)
// Steps: the no-op at each link speed, then a code-only change (one commit to src/) at loopback, each on a fresh runner.
// --links shapes loopback (tc tbf, root only) to stand for a registry across a real network link, e.g. --links 0,1000,200
// (0 = unshaped; numbers in Mbit/s). The shaping is removed after each timed step and on exit. Not run by CI.
// Two nx-strata rows: as installed, and with NX_ISOLATE_PLUGINS=false (Nx loads plugins in its own process instead of
// starting a worker per plugin: about 0.5 s of every Nx command here).
// --with-api: the app layer also copies api:build's output (an Nx command target), so nx-strata's batch of layer tasks
// runs in two waves around that task, and each peer runs the same api build before its docker builds.
// usage: node tools/bench/fresh-runner.mjs [--links 0,1000,200] [--engines classic,containerd] [--with-api]
//   env: HEAVY_MB=200 HEAVY_SLEEP=20
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiBuild,
  bakePerLevel,
  buildxSequence,
  codeChange,
  ENGINES,
  freshRunner,
  heavyMb,
  heavySleep,
  makeWorkspace,
  nxStrata,
  repoRoot,
  run,
  timed,
  useEngine,
} from './lib/vision-bench.mjs';

const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const engines = arg('--engines', 'classic,containerd').split(',');
const withApi = process.argv.includes('--with-api');
const links = (process.argv.includes('--links') ? process.argv[process.argv.indexOf('--links') + 1] : '0').split(',').map(Number);
const shape = (mbit) =>
  mbit
    ? run('tc', ['qdisc', 'replace', 'dev', 'lo', 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', '256kb', 'latency', '50ms'])
    : undefined;
const unshape = () => {
  try {
    run('tc', ['qdisc', 'del', 'dev', 'lo', 'root']);
  } catch {
    // Nothing was shaped.
  }
};
process.on('exit', unshape);
const rows = [];
const strata = (extraEnv) => (dir, namespace) => {
  const { nx, built, hits } = nxStrata(dir, namespace, extraEnv);
  return {
    warmUp: () => nx('run-many', '-t', 'docker-build'),
    prepareFresh: () => {
      nx('reset');
      rmSync(join(dir, 'dist'), { recursive: true, force: true });
    },
    noop: (since) => {
      nx('run-many', '-t', 'docker-build');
      return `${built(since)} built, ${hits(since)} registry hits`;
    },
    code: (since) => {
      nx('affected', '-t', 'docker-build', '--base=HEAD~1');
      return `${built(since)} built, ${hits(since)} registry hits`;
    },
  };
};
const peer = (build, cache) => (dir, namespace) => {
  const all = () => {
    if (withApi) apiBuild(dir);
    return build(dir, namespace, { cache });
  };
  return {
    warmUp: all,
    prepareFresh: () => rmSync(join(dir, 'dist'), { recursive: true, force: true }),
    noop: () => `${all()} builds`,
    code: () => `${all()} builds`,
  };
};
const CONTENDERS = {
  classic: {
    'nx-strata (registry hits)': strata({}),
    'nx-strata, NX_ISOLATE_PLUGINS=false': strata({ NX_ISOLATE_PLUGINS: 'false' }),
    'buildx sequence, cache-from registry (inline)': peer(buildxSequence, 'inline'),
    'bake per level, cache-from registry (inline)': peer(bakePerLevel, 'inline'),
  },
  containerd: {
    'nx-strata (registry hits)': strata({}),
    'nx-strata, NX_ISOLATE_PLUGINS=false': strata({ NX_ISOLATE_PLUGINS: 'false' }),
    'buildx sequence, cache registry mode=max': peer(buildxSequence, 'registry-max'),
    'bake per level, cache registry mode=max': peer(bakePerLevel, 'registry-max'),
  },
};

for (const engine of engines) {
  useEngine(engine);
  for (const [name, contender] of Object.entries(CONTENDERS[engine])) {
    const namespace = `bench-fresh-${engine}-${name.replace(/\W+/g, '-').toLowerCase()}-${Date.now()}`;
    const dir = join(repoRoot, 'tmp/bench-fresh', namespace);
    mkdirSync(dir, { recursive: true });
    makeWorkspace(dir, { api: withApi });
    const steps = contender(dir, namespace);
    run('docker', ['builder', 'prune', '-af']);
    steps.warmUp();
    const measure = (step, link) => {
      freshRunner(namespace);
      steps.prepareFresh?.();
      shape(link);
      try {
        return timed(steps[step]);
      } finally {
        if (link) unshape();
      }
    };
    for (const link of links) {
      const result = measure('noop', link);
      rows.push({ engine, name, step: 'no-op', link, ...result });
      console.error(`${engine} ${name} no-op @ ${link ? `${link} Mbit/s` : 'loopback'}: ${result.seconds}s (${result.builds})`);
    }
    codeChange(dir, 1);
    const result = measure('code', 0);
    rows.push({ engine, name, step: 'code-only', link: 0, ...result });
    console.error(`${engine} ${name} code-only @ loopback: ${result.seconds}s (${result.builds})`);
    freshRunner(namespace);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\nfresh runner on the vision example (3 chains × 3 layers; ml writes ${heavyMb} MB and sleeps ${heavySleep} s):`);
console.log('empty Nx cache, empty BuildKit cache, no local images; the registry holds every layer (and cache) from an earlier run');
if (withApi) console.log('the app layers copy the output of api:build (run by Nx; by hand before the peers): a batch in two waves');
console.log('');
console.log('| engine | step | registry link | tool | wall time (s) | work done | vs nx-strata |');
console.log('|---|---|---|---|---:|---|---:|');
for (const engine of engines) {
  for (const [step, link] of [...links.map((l) => ['no-op', l]), ['code-only', 0]]) {
    const here = rows.filter((row) => row.engine === engine && row.step === step && row.link === link);
    const ours = here.find((row) => row.name.startsWith('nx-strata'));
    const best = here.filter((row) => !row.name.startsWith('nx-strata')).sort((a, b) => a.seconds - b.seconds)[0];
    for (const row of here) {
      const against = (peer) =>
        peer.seconds >= row.seconds
          ? `best peer ${(peer.seconds / row.seconds).toFixed(1)}× slower`
          : `best peer ${(row.seconds / peer.seconds).toFixed(1)}× faster`;
      const ratio = row.name.startsWith('nx-strata') ? (best ? against(best) : '—') : `${(row.seconds / ours.seconds).toFixed(1)}×`;
      console.log(
        `| ${ENGINES[engine].label} | ${step} | ${link ? `${link} Mbit/s (tc)` : 'loopback'} | ${row.name} | ${row.seconds.toFixed(1)} | ${row.builds} | ${ratio} |`,
      );
    }
  }
}
