// Project graph computation in a monorepo where images package other projects' build outputs: N code projects
// (apps/app-<i>, a `build` target with outputs dist/apps/app-<i>) beside N image families (images/app-<i>, whose app
// layer copies dist/apps/app-<i>). Measured two ways:
// - in-process, nx-strata's own share: createNodes (targets and inputs) and createDependencies (the image → app edges),
//   cold (first call in a fresh process) and warm (median of the next 5);
// - the whole graph as a user waits for it, `nx show projects` (no daemon): without any Docker plugin, with nx-strata,
//   and with @nx/docker on the same Dockerfiles; cold after `nx reset`, warm on the next run.
// With `large`, a layout like the large yarn monorepo of issue 19 instead: 84 projects, five images under .deploy/
// whose contexts are the whole repository (`COPY . /app`), 27,000 files of installed dependencies and a gitignored
// .angular/cache: nx-strata's share in a fresh process (as Nx's plugin worker runs it without the daemon), first and
// second run (the second may reuse what the first computed).
// usage: node tools/bench/monorepo-graph.mjs [projects=1000] | node tools/bench/monorepo-graph.mjs large
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPlugin, packPlugin } from '../scripts/install-plugin.mjs';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const large = process.argv[2] === 'large';
const count = large ? 84 : Number(process.argv[2] ?? 1000);
const role = process.argv[3];
const LARGE_IMAGES = 5;

/** The large layout: 60 apps and 24 libs, five whole-repository images under .deploy/, node_modules, .angular/cache. */
function makeLargeWorkspace(dir, plugins) {
  rmSync(dir, { recursive: true, force: true });
  const write = (path, text) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('nx.json', JSON.stringify({ plugins }));
  write('package.json', '{"name":"bench-large","private":true}');
  write('.gitignore', 'node_modules\ndist\n.nx\n.angular\n');
  for (let i = 0; i < count; i++) {
    const root = i < 60 ? `apps/app-${i}` : `libs/lib-${i - 60}`;
    write(
      `${root}/project.json`,
      JSON.stringify({ name: root.split('/')[1], targets: { build: { command: 'true', outputs: [`{workspaceRoot}/dist/${root}`] } } }),
    );
    for (let f = 0; f < 10; f++) write(`${root}/src/file-${f}.ts`, `export const n = ${i * 10 + f};\n`);
  }
  for (let p = 0; p < 900; p++)
    for (let f = 0; f < 30; f++) write(`node_modules/fake-package-${p}/lib/file-${f}.js`, `module.exports = ${f};\n`);
  for (let f = 0; f < 1000; f++) write(`.angular/cache/19.0.0/babel-webpack/entry-${f}.json`, '{}');
  for (let i = 0; i < LARGE_IMAGES; i++) {
    write(`.deploy/image-${i}/Dockerfile`, 'FROM node:20-slim\nCOPY . /app\n');
    write(
      `.deploy/image-${i}/strata.json`,
      JSON.stringify({ image: `acme/image-${i}`, context: '../..', layers: { app: { dockerfile: 'Dockerfile' } } }),
    );
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qm', 'bench'], { cwd: dir });
}

function makeWorkspace(dir, plugins) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nx.json'), JSON.stringify({ plugins }));
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-monorepo","private":true}');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\ndist\n.nx\n');
  for (let i = 0; i < count; i++) {
    const app = join(dir, 'apps', `app-${i}`);
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(
      join(app, 'project.json'),
      JSON.stringify({ name: `app-${i}`, targets: { build: { command: 'true', outputs: ['{workspaceRoot}/dist/{projectRoot}'] } } }),
    );
    writeFileSync(join(app, 'src', 'main.ts'), `export const n = ${i};\n`);
    const image = join(dir, 'images', `app-${i}`);
    mkdirSync(image, { recursive: true });
    writeFileSync(join(image, 'Dockerfile'), `FROM node:20-slim\nCOPY dist/apps/app-${i} /app\nCMD ["node", "/app/main.js"]\n`);
    // A project.json names the image project for every setup (@nx/docker needs one; nx-strata joins it).
    writeFileSync(join(image, 'project.json'), JSON.stringify({ name: `app-${i}-image` }));
    writeFileSync(
      join(image, 'strata.json'),
      JSON.stringify({ image: `acme/app-${i}`, context: '../..', layers: { app: { dockerfile: 'Dockerfile' } } }),
    );
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qm', 'bench'], { cwd: dir });
}

/** Child process: nx-strata's createNodes and createDependencies in-process, so that "cold" means cold. */
async function measureInProcess(workspace) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const plugin = require(join(repoRoot, 'packages/nx-strata/dist/index.js'));
  const [, createNodes] = plugin.createNodes;
  const files = large
    ? Array.from({ length: LARGE_IMAGES }, (_, i) => `.deploy/image-${i}/strata.json`)
    : Array.from({ length: count }, (_, i) => `images/app-${i}/strata.json`);
  const apps = Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const root = large ? (i < 60 ? `apps/app-${i}` : `libs/lib-${i - 60}`) : `apps/app-${i}`;
      return [root.split('/')[1], { root, targets: { build: { outputs: ['{workspaceRoot}/dist/{projectRoot}'] } } }];
    }),
  );
  process.chdir(workspace);
  const nodes = [];
  const dependencies = [];
  let edges = 0;
  for (let run = 0; run < 6; run++) {
    let started = process.hrtime.bigint();
    const results = await createNodes(files, {}, { nxJsonConfiguration: {}, workspaceRoot: workspace });
    nodes.push(Number(process.hrtime.bigint() - started) / 1e6);
    const images = Object.fromEntries(
      results.flatMap(([, result]) => Object.values(result.projects ?? {}).map((project) => [project.name, project])),
    );
    const context = {
      projects: { ...apps, ...images },
      nxJsonConfiguration: {},
      workspaceRoot: workspace,
      fileMap: {},
      filesToProcess: {},
      externalNodes: {},
    };
    started = process.hrtime.bigint();
    edges = (await plugin.createDependencies({}, context)).length;
    dependencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const warm = (times) => times.slice(1).sort((a, b) => a - b)[2];
  return { nodes: { cold: nodes[0], warm: warm(nodes) }, dependencies: { cold: dependencies[0], warm: warm(dependencies) }, edges };
}

/** `nx show projects` wall time in a workspace: after `nx reset` (cold), then again (warm). */
function graphWallTime(workspace) {
  const nx = (args) => {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [join(workspace, 'node_modules/nx/dist/bin/nx.js'), ...args], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`nx ${args.join(' ')} failed in ${workspace}:\n${run.stderr.slice(-2000)}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: run.stdout };
  };
  nx(['reset']);
  const cold = nx(['show', 'projects', '--json']);
  const warm = nx(['show', 'projects', '--json']);
  return { cold: cold.ms, warm: warm.ms, projects: JSON.parse(cold.stdout).length };
}

if (role === 'in-process') {
  console.log(JSON.stringify(await measureInProcess(process.argv[4])));
} else if (large) {
  if (!existsSync(join(repoRoot, 'packages/nx-strata/dist/index.js'))) throw new Error('build first: npx nx run nx-strata:build');
  const tarball = packPlugin();
  const rows = [];
  for (const [name, plugins] of [
    ['no Docker plugin', []],
    ['nx-strata', ['nx-strata']],
  ]) {
    const workspace = join(repoRoot, `tmp/bench-large-${name.replace(/[^a-z]+/gi, '-')}`);
    makeLargeWorkspace(workspace, plugins);
    installPlugin(workspace, tarball);
    rows.push([name, graphWallTime(workspace)]);
  }
  const workspace = join(repoRoot, 'tmp/bench-large-nx-strata');
  // Each a fresh process, as Nx's plugin worker is without the daemon: the first after nx reset, then the next one.
  const fresh = () =>
    JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'large', 'in-process', workspace], { encoding: 'utf8' }));
  spawnSync(process.execPath, [join(workspace, 'node_modules/nx/dist/bin/nx.js'), 'reset'], { cwd: workspace });
  const first = fresh();
  const second = fresh();
  console.log(
    `\nProject graph, a layout like issue 19's large monorepo: ${count} projects, ${LARGE_IMAGES} whole-repository images under .deploy/,`,
  );
  console.log(`27,000 files in node_modules, 1,000 in .angular/cache. node ${process.version}; nx show projects without the daemon\n`);
  console.log('| setup | cold (ms) | warm (ms) | projects |');
  console.log('|---|---:|---:|---:|');
  for (const [name, result] of rows)
    console.log(`| ${name} | ${result.cold.toFixed(0)} | ${result.warm.toFixed(0)} | ${result.projects} |`);
  console.log(`\nnx-strata's own share in a fresh process (first call of each; ${first.edges} image → project edges)\n`);
  console.log('| process | createNodes (ms) | createDependencies (ms) | total (ms) |');
  console.log('|---|---:|---:|---:|');
  for (const [name, run] of [
    ['first, after nx reset', first],
    ['next', second],
  ])
    console.log(
      `| ${name} | ${run.nodes.cold.toFixed(0)} | ${run.dependencies.cold.toFixed(0)} | ${(run.nodes.cold + run.dependencies.cold).toFixed(0)} |`,
    );
} else {
  if (!existsSync(join(repoRoot, 'packages/nx-strata/dist/index.js'))) throw new Error('build first: npx nx run nx-strata:build');
  if (!existsSync(join(repoRoot, 'tmp/bench-deps/node_modules/@nx/docker'))) {
    throw new Error('@nx/docker is not installed in tmp/bench-deps: run node tools/bench/inference.mjs once (it installs it)');
  }
  const tarball = packPlugin();
  const base = join(repoRoot, 'tmp/bench-monorepo');
  const setups = [
    ['no Docker plugin', []],
    ['nx-strata', ['nx-strata']],
    ['@nx/docker', ['@nx/docker']],
  ];
  const rows = [];
  for (const [name, plugins] of setups) {
    const workspace = `${base}-${name.replace(/[^a-z]+/gi, '-')}`;
    makeWorkspace(workspace, plugins);
    installPlugin(workspace, tarball);
    if (plugins.includes('@nx/docker')) {
      rmSync(join(workspace, 'node_modules/@nx/docker'), { force: true, recursive: true });
      symlinkSync(join(repoRoot, 'tmp/bench-deps/node_modules/@nx/docker'), join(workspace, 'node_modules/@nx/docker'));
    }
    rows.push([name, graphWallTime(workspace)]);
  }
  const inProcess = JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(count), 'in-process', `${base}-nx-strata`], {
      encoding: 'utf8',
    }),
  );
  console.log(`\nProject graph, ${count} code projects beside ${count} image families (each image copying one project's build output)`);
  console.log(`node ${process.version}; nx show projects without the daemon; cold after nx reset, warm on the next run\n`);
  console.log('| setup | cold (ms) | warm (ms) | projects |');
  console.log('|---|---:|---:|---:|');
  for (const [name, result] of rows)
    console.log(`| ${name} | ${result.cold.toFixed(0)} | ${result.warm.toFixed(0)} | ${result.projects} |`);
  console.log(`\nnx-strata's own share, in-process (warm = median of 5 further calls): ${inProcess.edges} image → project edges\n`);
  console.log('| step | cold (ms) | warm (ms) |');
  console.log('|---|---:|---:|');
  console.log(`| createNodes | ${inProcess.nodes.cold.toFixed(0)} | ${inProcess.nodes.warm.toFixed(0)} |`);
  console.log(`| createDependencies | ${inProcess.dependencies.cold.toFixed(0)} | ${inProcess.dependencies.warm.toFixed(0)} |`);
}
