// A fresh CI runner's no-op: empty Nx cache, cold BuildKit cache, no images in the engine, but a warm registry that
// holds every layer from an earlier run. nx-strata (registry hits) beside a plain `docker buildx build` sequence and
// `docker buildx bake`, both using the registry as --cache-from (inline cache: the only kind the docker driver
// exports), on the same Dockerfiles with the heavy stand-in ml layer. Not run by CI.
// The registry runs on loopback, where pulling cached layers costs next to nothing; --links also times each no-op with
// loopback shaped (tc tbf, root only) to stand for a registry across a real network link, e.g. --links 0,1000,200
// (0 = unshaped; numbers in Mbit/s). The shaping is removed after each timed step and on exit.
// usage: node tools/bench/fresh-runner.mjs [--links 0,1000,200]    env: HEAVY_MB=200 HEAVY_SLEEP=20
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  bakePerLevel,
  buildxSequence,
  freshRunner,
  heavyMb,
  heavySleep,
  makeWorkspace,
  nxStrata,
  repoRoot,
  run,
  timed,
} from './lib/vision-bench.mjs';

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
const contenders = {
  'nx-strata (registry hits)': (dir, namespace) => {
    const { nx, built, hits } = nxStrata(dir, namespace);
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
    };
  },
  'buildx sequence, --cache-from registry (inline)': (dir, namespace) => ({
    warmUp: () => buildxSequence(dir, namespace, { cacheFromRegistry: true }),
    noop: () => `${buildxSequence(dir, namespace, { cacheFromRegistry: true })} builds`,
  }),
  'bake per level, cache-from registry (inline)': (dir, namespace) => ({
    warmUp: () => bakePerLevel(dir, namespace, { cacheFromRegistry: true }),
    noop: () => `${bakePerLevel(dir, namespace, { cacheFromRegistry: true })} builds`,
  }),
};

for (const [name, contender] of Object.entries(contenders)) {
  const namespace = `bench-fresh-${name.replace(/\W+/g, '-')}-${Date.now()}`;
  const dir = join(repoRoot, 'tmp/bench-fresh', namespace);
  mkdirSync(dir, { recursive: true });
  makeWorkspace(dir);
  const steps = contender(dir, namespace);
  run('docker', ['builder', 'prune', '-af']);
  steps.warmUp();
  for (const link of links) {
    freshRunner(namespace);
    steps.prepareFresh?.();
    shape(link);
    let result;
    try {
      result = timed(steps.noop);
    } finally {
      if (link) unshape();
    }
    rows.push({ name, link, ...result });
    console.error(`${name} @ ${link ? `${link} Mbit/s` : 'loopback'}: ${result.seconds}s (${result.builds})`);
  }
  freshRunner(namespace);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nfresh-runner no-op on the vision example (3 chains × 3 layers; ml writes ${heavyMb} MB and sleeps ${heavySleep} s):`);
console.log('empty Nx cache, empty BuildKit cache, no local images; the registry holds every layer from an earlier run\n');
console.log('| registry link | tool | wall time (s) | work done | nx-strata is faster by |');
console.log('|---|---|---:|---|---:|');
for (const link of links) {
  const atLink = rows.filter((row) => row.link === link);
  const ours = atLink[0].seconds;
  for (const row of atLink) {
    console.log(
      `| ${link ? `${link} Mbit/s (tc)` : 'loopback'} | ${row.name} | ${row.seconds.toFixed(1)} | ${row.builds} | ${row === atLink[0] ? '—' : `${(row.seconds / ours).toFixed(1)}×`} |`,
    );
  }
}
