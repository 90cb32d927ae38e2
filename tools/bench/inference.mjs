// Graph inference time: nx-strata's createNodes, measured in-process, for N generated image families (one Dockerfile
// per directory, plus a strata.json beside it), side by side with @nx/docker's createNodes on the same Dockerfiles.
// Cold = first call in a fresh process; warm = the next calls in the same process (median of 5).
// @nx/docker 23 is installed into tmp/bench-deps on first use (it is not a dependency of this repository).
// usage: node tools/bench/inference.mjs [families=1000]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const families = Number(process.argv[2] ?? 1000);
const role = process.argv[3];

function makeWorkspace(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nx.json'), '{}');
  writeFileSync(join(dir, 'package.json'), '{"name":"bench","private":true}');
  for (let i = 0; i < families; i++) {
    const family = join(dir, 'images', `family-${i}`);
    mkdirSync(join(family, 'src'), { recursive: true });
    writeFileSync(
      join(family, 'Dockerfile'),
      `ARG BASE_IMAGE=python:3.11-slim\nFROM \${BASE_IMAGE}\nWORKDIR /app\nCOPY requirements.txt .\nCOPY src/ ./src/\nCMD ["python", "-m", "app"]\n`,
    );
    writeFileSync(join(family, 'requirements.txt'), 'fastapi\n');
    writeFileSync(join(family, 'src', 'main.py'), `print(${i})\n`);
    writeFileSync(
      join(family, 'strata.json'),
      JSON.stringify({ image: `acme/family-${i}`, platforms: ['linux/amd64', 'linux/arm64'], layers: { app: '.' } }),
    );
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
}

async function measure(kind, workspace) {
  const require = createRequire(join(kind === 'nx-strata' ? repoRoot : join(repoRoot, 'tmp/bench-deps'), 'package.json'));
  const plugin = kind === 'nx-strata' ? require(join(repoRoot, 'packages/nx-strata/dist/index.js')) : require('@nx/docker');
  const [glob, createNodes] = plugin.createNodes;
  const files = Array.from({ length: families }, (_, i) => `images/family-${i}/${glob.includes('strata') ? 'strata.json' : 'Dockerfile'}`);
  const context = { nxJsonConfiguration: {}, workspaceRoot: workspace };
  process.chdir(workspace);
  const times = [];
  let projects = 0;
  for (let run = 0; run < 6; run++) {
    const started = process.hrtime.bigint();
    const results = await createNodes(files, {}, context);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    projects = results.filter(([, result]) => Object.keys(result.projects ?? {}).length).length;
  }
  const warm = times.slice(1).sort((a, b) => a - b)[2];
  return { cold: times[0], warm, projects, targets: countTargets(await createNodes(files, {}, context)) };
}

function countTargets(results) {
  return results.reduce(
    (sum, [, result]) => sum + Object.values(result.projects ?? {}).reduce((s, p) => s + Object.keys(p.targets ?? {}).length, 0),
    0,
  );
}

if (role) {
  // Child process: one tool, fresh process so that "cold" means cold.
  const result = await measure(role, process.argv[4]);
  console.log(JSON.stringify(result));
} else {
  const workspace = join(repoRoot, 'tmp/bench-inference');
  if (!existsSync(join(repoRoot, 'packages/nx-strata/dist/index.js'))) throw new Error('build first: npx nx run nx-strata:build');
  if (!existsSync(join(repoRoot, 'tmp/bench-deps/node_modules/@nx/docker'))) {
    mkdirSync(join(repoRoot, 'tmp/bench-deps'), { recursive: true });
    writeFileSync(join(repoRoot, 'tmp/bench-deps/package.json'), '{"private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', '@nx/docker@23'], {
      cwd: join(repoRoot, 'tmp/bench-deps'),
      stdio: 'inherit',
    });
  }
  makeWorkspace(workspace);
  const rows = [];
  for (const kind of ['nx-strata', '@nx/docker']) {
    const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(families), kind, workspace], {
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    rows.push({ tool: kind, ...JSON.parse(output.trim().split('\n').pop()) });
  }
  const version = (name, base) => createRequire(join(base, 'package.json'))(`${name}/package.json`).version;
  console.log(`\ncreateNodes for ${families} image families (one Dockerfile per directory), in-process; warm = median of 5`);
  console.log(
    `nx-strata ${version('nx-strata', join(repoRoot, 'packages/nx-strata/..'))}, @nx/docker ${version('@nx/docker', join(repoRoot, 'tmp/bench-deps'))}, node ${process.version}\n`,
  );
  console.log('| tool | cold (ms) | warm (ms) | projects | targets |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows)
    console.log(`| ${row.tool} | ${row.cold.toFixed(0)} | ${row.warm.toFixed(0)} | ${row.projects} | ${row.targets} |`);
}
