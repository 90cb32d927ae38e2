import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';

/**
 * The Nx majors teams run (issue 19): on each, a user installs the packed plugin with plain `npm install` (no
 * --legacy-peer-deps), runs init, and gets inference, affected, the CI matrix and a real build. The image lives under a
 * dot-directory and nx.json is indented with tabs, as in the repositories that tried it.
 */
const MAJORS = [
  ['21', '21.6.5'],
  ['22', '22.6.1'],
  ['23', '23.3.2'],
  ['24', '24.0.6'],
] as const;

const NX_JSON =
  '{\n\t"$schema": "./node_modules/nx/schemas/nx-schema.json",\n\t"defaultBase": "main",\n\t"namedInputs": { "default": ["{projectRoot}/**/*"] }\n}\n';

describe.each(MAJORS)('Nx %s', (major, version) => {
  let workspace: E2EWorkspace;
  let install: string;

  beforeAll(() => {
    workspace = E2EWorkspace.forUser(
      (root) => {
        writeFileSync(join(root, 'nx.json'), NX_JSON);
        // What create-nx-workspace ignores: only some .nx/ folders, so the build history must hide itself.
        writeFileSync(join(root, '.gitignore'), 'node_modules\ndist\n.nx/cache\n.nx/workspace-data\n');
        mkdirSync(join(root, '.deploy/api'), { recursive: true });
        writeFileSync(join(root, '.deploy/api/Dockerfile'), 'FROM strata-fixtures/busybox:amd64\nCOPY app.txt /srv/app.txt\n');
        writeFileSync(join(root, '.deploy/api/app.txt'), 'v1\n');
      },
      { nx: version },
    );
    install = readFileSync(join(workspace.root, 'package-lock.json'), 'utf8');
    workspace.commitAll('before nx-strata');
  });
  afterAll(() => workspace?.remove());

  test('npm installs the plugin beside this Nx without --legacy-peer-deps, and keeps that Nx', () => {
    const lock = JSON.parse(install) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/nx']?.version).toBe(version);
    expect(lock.packages['node_modules/nx-strata']).toBeDefined();
    // No second Nx, and no @nx/devkit of another major pulled in beside it.
    expect(Object.keys(lock.packages).filter((path) => /node_modules\/nx$/.test(path))).toEqual(['node_modules/nx']);
    expect(Object.keys(lock.packages).filter((path) => path.endsWith('node_modules/@nx/devkit'))).toEqual([]);
  });

  test('init registers the plugin without reformatting nx.json and proposes the image under .deploy/', () => {
    const run = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(run);
    const nxJson = readFileSync(join(workspace.root, 'nx.json'), 'utf8');
    for (const line of NX_JSON.split('\n').filter((line) => line && !line.startsWith('}')))
      expect(nxJson).toContain(line.replace(/"$/, ''));
    expect(nxJson).toContain('\t"plugins": [\n\t\t{\n\t\t\t"plugin": "nx-strata",');
    // One strata.json beside the image's Dockerfile, with paths relative to it.
    const proposed = JSON.parse(readFileSync(join(workspace.root, '.deploy/api/strata.json'), 'utf8')) as {
      layers: Record<string, { dockerfile: string }>;
    };
    expect(Object.values(proposed.layers).map((layer) => layer.dockerfile)).toEqual(['Dockerfile']);
    workspace.commitAll('nx-strata init');
  });

  test('inference, affected, the CI matrix and a real build', () => {
    const projects = workspace.nx(['show', 'projects', '--json']);
    expectSuccess(projects);
    const image = 'api-image';
    expect(JSON.parse(projects.output.slice(projects.output.indexOf('['))) as string[]).toContain(image);
    const shown = workspace.nx(['show', 'project', image, '--json']);
    expectSuccess(shown);
    const targets = Object.keys((JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as { targets: object }).targets);
    const layerTarget = targets.find((name) => /^docker-build--[^-]+.*--linux-amd64$/.test(name) && name.split('--').length === 3);
    expect(layerTarget).toBeDefined();

    // A change to the image's files: affected and the matrix both name the image.
    writeFileSync(join(workspace.root, '.deploy/api/app.txt'), `v2 on Nx ${major}\n`);
    workspace.commitAll('change the app');
    const affected = workspace.nx(['show', 'projects', '--affected', '--base', 'HEAD~1', '--head', 'HEAD', '-t', 'docker-build']);
    expectSuccess(affected);
    expect(affected.output).toContain(image);
    const matrix = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD']);
    expectSuccess(matrix);
    expect((JSON.parse(matrix.output) as { include: Array<{ project: string; why: string }> }).include).toEqual([
      expect.objectContaining({ project: image, why: '.deploy/api/app.txt' }),
    ]);

    const build = workspace.nx(['run', `${image}:${layerTarget}`], {}, { timeoutMs: 300_000 });
    expectSuccess(build);
    expect(build.output).toMatch(/nx-strata: building layer/);
    const again = workspace.nx(['run', `${image}:${layerTarget}`]);
    expectSuccess(again);
    expect(again.output).toMatch(/local cache|existing outputs match the cache/);

    // Nx's task hooks on this major: a dry run reads no cache and is no part of the build history.
    for (let attempt = 0; attempt < 2; attempt++) {
      const dry = workspace.nx(['run', `${image}:${layerTarget}`, '--dryRun']);
      expectSuccess(dry);
      expect(dry.output).toContain('nx-strata: dry run for layer');
      expect(dry.output).not.toMatch(/local cache|existing outputs match the cache/);
    }
    const history = readFileSync(join(workspace.root, '.nx/strata-history/runs.jsonl'), 'utf8').trim().split('\n');
    const command = `nx run ${image}:${layerTarget} --outputStyle=static`;
    expect(history.map((line) => (JSON.parse(line) as { command: string }).command)).toEqual([command, command]);
    expect(workspace.gitStatus()).toBe('');
  });

  // Issue 26 item 2: an image project at the workspace root owns every file no other project owns; the matrix selects
  // it only for a file its layers read, on every Nx (Nx 22 and early 23 select affected projects, not tasks).
  test('a root-level image: a README-only commit selects nothing, a file its layer copies selects it, with why', () => {
    writeFileSync(join(workspace.root, 'Dockerfile'), 'FROM strata-fixtures/busybox:amd64\nCOPY web/ /srv/web/\n');
    mkdirSync(join(workspace.root, 'web'), { recursive: true });
    writeFileSync(join(workspace.root, 'web/index.html'), '<p>v1</p>\n');
    writeFileSync(
      join(workspace.root, 'strata.json'),
      JSON.stringify({ image: 'acme/site', project: 'site', layers: { site: { dockerfile: 'Dockerfile' } } }),
    );
    workspace.commitAll('a root-level image');
    const matrixOf = () => {
      const run = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD']);
      expectSuccess(run);
      return (JSON.parse(run.output) as { include: Array<{ project: string; why: string; verify: string }> }).include;
    };
    writeFileSync(join(workspace.root, 'README.md'), `# the workspace on Nx ${major}\n`);
    workspace.commitAll('docs only');
    expect(matrixOf()).toEqual([]);
    writeFileSync(join(workspace.root, 'web/index.html'), '<p>v2</p>\n');
    workspace.commitAll('the site changes');
    // A published layer is tested (docker-test--<platform>); no scanner is set, so no docker-scan target is named.
    expect(matrixOf()).toEqual([expect.objectContaining({ project: 'site', why: 'web/index.html', verify: 'docker-test--linux-amd64' })]);
  });
});

/**
 * Nx 19, which nx-strata does not serve (issue 27 item 1): installed as a pnpm user gets it (the peer range only
 * warns), init refuses before touching nx.json, and a plugin entry already there fails Nx's commands with one sentence
 * that names the Nx found and what to do, not `configFiles.map is not a function`.
 */
describe('Nx 19, which nx-strata does not serve', () => {
  let workspace: E2EWorkspace;
  beforeAll(() => {
    workspace = E2EWorkspace.forUser(
      (root) => {
        writeFileSync(join(root, 'nx.json'), NX_JSON);
        writeFileSync(join(root, 'Dockerfile'), 'FROM strata-fixtures/busybox:amd64\n');
      },
      { nx: '19.8.4', legacyPeerDeps: true },
    );
    workspace.commitAll('before nx-strata');
  });
  afterAll(() => workspace?.remove());

  test('init refuses before touching nx.json; a plugin entry already there fails graph creation with that sentence', () => {
    const sentence = 'nx-strata supports Nx 21 to 24, and this workspace has Nx 19.8.4: upgrade Nx first (`npx nx migrate 21`';
    const init = workspace.nx(['g', 'nx-strata:init']);
    expect(init.exitCode).not.toBe(0);
    expect(init.output).toContain(sentence);
    expect(workspace.gitStatus()).toBe('');

    const nxJson = JSON.parse(NX_JSON.replace(/\t/g, '  ')) as Record<string, unknown>;
    workspace.write('nx.json', JSON.stringify({ ...nxJson, plugins: ['nx-strata'] }, null, 2));
    workspace.write('images/api/strata.json', JSON.stringify({ image: 'acme/api', layers: { api: { dockerfile: '../../Dockerfile' } } }));
    const shown = workspace.nx(['show', 'projects']);
    expect(shown.exitCode).not.toBe(0);
    expect(shown.output).toContain(sentence);
    expect(shown.output).not.toContain('configFiles.map is not a function');
  });
});
