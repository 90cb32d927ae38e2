// A realistic change history through the pipeline `nx g nx-strata:ci` generates, every job on a fresh runner (BuildKit
// cache and images dropped, empty local Nx cache, no dist/), sharing Nx's cache through the nx-strata cache server
// (OCI backend in the dev registry): each change is a pull request (plan with `nx-strata matrix`, one job per affected
// platform, the read-only token) and then the push to main (same jobs with the read-write token, then publish).
// Per kind of change (code only, ml requirements, base system, nothing): pipeline time beside the same change rebuilt
// from scratch the Makefile way (9 `docker buildx build --push` on a fresh runner); over the history: the hit rate
// from `nx-strata report` and the layer builds avoided. Jobs run one after another here; "longest job" is the wall
// time with one runner per job. Not run by CI.
// usage: node tools/bench/change-history.mjs    env: HEAVY_MB=200 HEAVY_SLEEP=20 PUSHES=20
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './lib/free-port.mjs';
import {
  buildxSequence,
  freshRunner,
  heavyMb,
  heavySleep,
  makeWorkspace,
  nxStrata,
  registryHost,
  repoRoot,
  run,
  timed,
} from './lib/vision-bench.mjs';

const git = (dir, ...args) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', ...args], { cwd: dir });

/** Each kind of change as a team makes it. */
const CHANGES = {
  'code only': (dir, n) => appendFileSync(join(dir, 'src/vision/main.py'), `# change ${n}\n`),
  'ml requirements': (dir, n) => appendFileSync(join(dir, 'requirements/ml.txt'), `extra-package-${n}==1.0\n`),
  'base system': (dir, n) =>
    appendFileSync(join(dir, 'docker/cpu/Dockerfile.base'), `RUN echo system-package-${n} >> /opt/vision/system-packages\n`),
  nothing: (dir, n) => appendFileSync(join(dir, 'NOTES.md'), `\nRelease note ${n}.\n`),
};
// A month of changes to one image repository: mostly code, some docs/CI-only, a few dependency bumps, one base update.
const PATTERN = [
  'code only',
  'code only',
  'nothing',
  'code only',
  'ml requirements',
  'code only',
  'code only',
  'nothing',
  'code only',
  'code only',
  'base system',
  'code only',
  'code only',
  'nothing',
  'code only',
  'ml requirements',
  'code only',
  'code only',
  'nothing',
  'ml requirements',
];
const changes = Number(process.env.PUSHES ?? PATTERN.length);
const history = Array.from({ length: changes }, (_, index) => PATTERN[index % PATTERN.length]);

const namespace = `bench-history-${Date.now()}`;
const dir = join(repoRoot, 'tmp/bench-history', namespace);
mkdirSync(dir, { recursive: true });
makeWorkspace(dir);
const cli = join(dir, 'node_modules/nx-strata/bin/nx-strata.js');

// The shared cache: the nx-strata cache server, kept in the dev registry; pull requests read, main writes.
const port = await freePort();
const server = spawn(
  process.execPath,
  [cli, 'cache-server', '--port', String(port), '--storage', `oci://${registryHost}/${namespace}/nx-cache`],
  {
    env: { ...process.env, STRATA_CACHE_WRITE_TOKENS: 'main-token', STRATA_CACHE_READ_TOKENS: 'pr-token' },
    stdio: 'ignore',
  },
);
process.on('exit', () => server.kill());
for (let i = 0; i < 100; i++) {
  if (
    await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    )
  )
    break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

// Builds and registry hits are counted from the executor's records, as in the other benchmarks.
const { built, hits } = nxStrata(dir, namespace);

/** One CI job on a fresh runner: nothing local survives but the build history (kept in the CI cache). */
function job(token, args) {
  freshRunner(namespace);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const cacheDirectory = mkdtempSync(join(tmpdir(), 'nx-strata-bench-runner-'));
  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    STRATA_REGISTRY: `${registryHost}/${namespace}`,
    // Pull requests are untrusted runs (they push to <registry>/untrusted and read hits from the trusted namespace);
    // the main branch's jobs are trusted (they never take a pull request's image).
    STRATA_TRUST: token === 'main-token' ? 'trusted' : 'untrusted',
    NX_CACHE_DIRECTORY: cacheDirectory,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${port}`,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
  };
  try {
    return timed((since) => {
      run(process.execPath, [join(dir, 'node_modules/nx/dist/bin/nx.js'), ...args, '--outputStyle=static'], { cwd: dir, env });
      return { built: built(since), registryHits: hits(since) };
    });
  } finally {
    rmSync(cacheDirectory, { recursive: true, force: true });
  }
}

/** The generated pipeline for base..HEAD: plan, one build job per affected platform, then publish on main. */
function pipeline(token, base, publish) {
  const planned = timed(() => JSON.parse(run(process.execPath, [cli, 'matrix', '--base', base, '--head', 'HEAD'], { cwd: dir })).include);
  const jobs = planned.builds.map((pair) => job(token, ['run', `${pair.project}:${pair.target}`]));
  const published = publish && planned.builds.length > 0 ? job(token, ['affected', '-t', 'docker-publish', `--base=${base}`]) : undefined;
  const all = [...jobs, ...(published ? [published] : [])];
  return {
    seconds: planned.seconds + all.reduce((sum, step) => sum + step.seconds, 0),
    longest: planned.seconds + Math.max(0, ...jobs.map((step) => step.seconds)) + (published?.seconds ?? 0),
    built: all.reduce((sum, step) => sum + step.builds.built, 0),
    registryHits: all.reduce((sum, step) => sum + step.builds.registryHits, 0),
    jobs: jobs.length,
  };
}

// The first push to main builds everything (not part of the history's figures).
run('docker', ['builder', 'prune', '-af']);
const first = job('main-token', ['run-many', '-t', 'docker-build']);
console.error(`first push to main: ${first.seconds.toFixed(1)} s, ${first.builds.built} layers built`);
const historyFile = join(dir, '.nx/strata-history/runs.jsonl');
const runsBefore = readFileSync(historyFile, 'utf8').trim().split('\n').length;

const rows = [];
history.forEach((kind, index) => {
  git(dir, 'checkout', '-qb', `change-${index + 1}`);
  CHANGES[kind](dir, index + 1);
  git(dir, 'commit', '-qam', `${kind} ${index + 1}`);
  const pr = pipeline('pr-token', 'main', false);
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '-q', '--ff-only', `change-${index + 1}`);
  const main = pipeline('main-token', 'HEAD~1', true);
  rows.push({ kind, pr, main });
  console.error(
    `change ${index + 1} (${kind}): pull request ${pr.seconds.toFixed(1)} s (${pr.jobs} jobs, ${pr.built} built), main ${main.seconds.toFixed(1)} s (${main.built} built, ${main.registryHits} registry hits)`,
  );
});

// The same changes rebuilt from scratch the Makefile way: every layer, on a fresh runner, once per kind of change.
const scratch = {};
for (const kind of Object.keys(CHANGES)) {
  freshRunner(namespace);
  scratch[kind] = timed(() => buildxSequence(dir, `${namespace}-scratch`));
  console.error(`from scratch (${kind}): ${scratch[kind].seconds.toFixed(1)} s`);
}
server.kill();

const runsAfter = readFileSync(historyFile, 'utf8').trim().split('\n').length;
const report = run(
  process.execPath,
  [cli, 'report', '--last', String(runsAfter - runsBefore), '--markdown', 'tmp/report.md', '--html', 'tmp/report.html'],
  { cwd: dir },
);
const hitRate = /hit rate\s+(\d+%[^\n]*)/.exec(report)?.[1];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
console.log(
  `\nvision example, 3 chains × 3 layers; ml writes ${heavyMb} MB and sleeps ${heavySleep} s. ${changes} changes, each a pull request then a push`,
);
console.log(
  `to main, through the generated pipeline, every job on a fresh runner sharing the nx-strata cache server. First push: ${first.seconds.toFixed(1)} s.\n`,
);
console.log(
  '| kind of change | changes | pull request: all jobs / longest job (s) | main + publish (s) | layers built (PR + main) | from scratch, buildx sequence (s) | layers built | PR faster by |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const kind of Object.keys(CHANGES)) {
  const mine = rows.filter((row) => row.kind === kind);
  if (mine.length === 0) continue;
  const pr = median(mine.map((row) => row.pr.seconds));
  const longest = median(mine.map((row) => row.pr.longest));
  const main = median(mine.map((row) => row.main.seconds));
  const layers = [...new Set(mine.map((row) => `${row.pr.built} + ${row.main.built}`))].join(', ');
  console.log(
    `| ${kind} | ${mine.length} | ${pr.toFixed(1)} / ${longest.toFixed(1)} | ${main.toFixed(1)} | ${layers} | ${scratch[kind].seconds.toFixed(1)} | ${scratch[kind].builds} | ${(scratch[kind].seconds / pr).toFixed(1)}× |`,
  );
}
const total = rows.reduce((sum, row) => sum + row.pr.seconds + row.main.seconds, 0);
const scratchTotal = rows.reduce((sum, row) => sum + 2 * scratch[row.kind].seconds, 0);
const layersBuilt = rows.reduce((sum, row) => sum + row.pr.built + row.main.built, 0);
console.log(
  `\nwhole history (${2 * changes} pipelines): nx-strata ${total.toFixed(0)} s and ${layersBuilt} layer builds; from scratch ${scratchTotal.toFixed(0)} s and ${2 * changes * 9} layer builds (${(scratchTotal / total).toFixed(1)}× the time)`,
);
console.log(`hit rate (nx-strata report over the history's ${runsAfter - runsBefore} runs): ${hitRate}`);
const code = rows.filter((row) => row.kind === 'code only');
console.log(
  `code-only pull request: ${median(code.map((row) => row.pr.seconds)).toFixed(1)} s = ${((100 * median(code.map((row) => row.pr.seconds))) / scratch['code only'].seconds).toFixed(0)}% of a full rebuild (teams aim for 1-2 min of 8+, i.e. 12-25%)`,
);
console.log(`\nthe report: ${join(dir, 'tmp/report.html')} (kept)\n`);
console.log(readFileSync(join(dir, 'tmp/report.md'), 'utf8'));
