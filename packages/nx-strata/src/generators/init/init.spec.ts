import { createTempWorkspace, writeFiles } from '../../test-utils/temp-workspace';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { logger } from 'nx/src/devkit-exports';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { planLayerTasks } from '../../model/plan-layer-tasks';
import type { StrataConfig } from '../../config/strata-config';
import { parseDockerfile } from '../../dockerfile/parse-dockerfile';
import { initGenerator } from './init';

const VISION = resolve(__dirname, '../../../../../examples/vision');

/** The example workspace as a team has it before nx-strata: Dockerfiles and a Makefile, no strata.json, no plugin. */
function visionWithoutStrata(options: { makefile: boolean }): string {
  const root = createTempWorkspace({});
  cpSync(VISION, root, { recursive: true, filter: (source) => !source.includes('node_modules') });
  rmSync(join(root, 'strata.json'));
  if (!options.makefile) rmSync(join(root, 'Makefile'));
  writeFileSync(join(root, 'nx.json'), '{}\n');
  return root;
}

async function runInit(root: string, options = {}): Promise<string[]> {
  const tree = new FsTree(root, false);
  await initGenerator(tree, options);
  const changes = tree.listChanges().map((change) => `${change.type} ${change.path}`);
  flushChanges(root, tree.listChanges());
  return changes;
}

/** What each config builds: (variant, layer, platform) → Dockerfile and parent layer. */
function plan(root: string, config: StrataConfig, configFile = 'strata.json'): string[] {
  return planLayerTasks({
    workspaceRoot: root,
    configFile,
    config,
    buildTargetName: 'docker-build',
    readDockerfile: (file) => parseDockerfile(readFileSync(join(root, file), 'utf8'), file),
  })
    .map((task) => `${task.variant} ${task.layer} ${task.platform}: ${task.dockerfile} on ${task.parent?.layer ?? '-'}`)
    .sort();
}

// Nx's file list comes from this process, never from a daemon of another workspace.
process.env.NX_DAEMON = 'false';

describe('nx-strata:init', () => {
  const roots: string[] = [];
  const said: string[] = [];
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation((line: string) => void said.push(line));
    jest.spyOn(logger, 'warn').mockImplementation((line: string) => void said.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    said.length = 0;
  });
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));
  const handWritten = JSON.parse(readFileSync(join(VISION, 'strata.json'), 'utf8')) as StrataConfig;

  it('reproduces the hand-written chains of the real-project layout from its Dockerfiles and Makefile', async () => {
    const root = visionWithoutStrata({ makefile: true });
    roots.push(root);
    // Its Dockerfiles sit in docker/ (a generic directory) under the root: the image gets a directory of its own.
    expect(await runInit(root)).toEqual(['UPDATE nx.json', 'CREATE images/vision/strata.json']);
    const proposed = JSON.parse(readFileSync(join(root, 'images/vision/strata.json'), 'utf8')) as StrataConfig;
    expect(proposed.image).toBe('acme/vision');
    expect(proposed.context).toBe('../..');
    expect(proposed.layers).toEqual({
      base: { dockerfile: '../../docker/{variant}/Dockerfile.base' },
      ml: { dockerfile: '../../docker/{variant}/Dockerfile.ml', parent: 'base' },
      app: { dockerfile: '../../docker/app/Dockerfile', parent: 'ml' },
    });
    expect(plan(root, proposed, 'images/vision/strata.json')).toEqual(plan(VISION, handWritten));
    expect(plan(root, proposed, 'images/vision/strata.json')).toHaveLength(9);
    expect(said.join('\n')).toContain(
      'acme/vision: its strata.json goes to images/vision/strata.json, not the workspace root (a project at the root owns every file no other project owns',
    );
    // One block for the image: each proposed value with the file and line it came from.
    const block = said.join('\n').split('  images/vision/strata.json, from:\n')[1]?.split('\n') ?? [];
    expect(block[0]).toMatch(/^ {4}image acme\/vision ← Makefile:\d+ \(tag \S*acme\/vision:[^)]*\)$/);
    expect(block).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {4}docker\/app\/Dockerfile ← Makefile:\d+: context \.; .*--build-arg BASE_IMAGE$/),
        expect.stringMatching(/^ {4}docker\/arm64\/Dockerfile\.base ← Makefile:\d+: context \.; platforms linux\/arm64$/),
      ]),
    );
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
    expect(said.join('\n')).toContain('docker/arm64/ holds the linux/arm64 Dockerfiles of variant "cpu"');
  });

  it('without a Makefile, finds the same chains from ARG BASE_IMAGE and Dockerfile.base / Dockerfile.ml naming', async () => {
    const root = visionWithoutStrata({ makefile: false });
    roots.push(root);
    await runInit(root, { image: 'acme/vision' });
    const proposed = JSON.parse(readFileSync(join(root, 'images/vision/strata.json'), 'utf8')) as StrataConfig;
    expect(plan(root, proposed, 'images/vision/strata.json')).toEqual(plan(VISION, handWritten));
  });

  it('changes nothing when run a second time', async () => {
    const root = visionWithoutStrata({ makefile: true });
    roots.push(root);
    await runInit(root);
    const first = readFileSync(join(root, 'images/vision/strata.json'), 'utf8');
    expect(await runInit(root)).toEqual([]);
    expect(readFileSync(join(root, 'images/vision/strata.json'), 'utf8')).toBe(first);
  });

  it('in a directory without nx.json creates one with the plugin registered, so Nx sees the projects', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFileSync(join(root, 'package.json'), '{ "name": "acme-app" }');
    writeFileSync(join(root, 'Dockerfile'), 'FROM debian:bookworm\n');
    const changes = await runInit(root);
    expect(changes).toEqual(['CREATE nx.json', 'CREATE images/acme-app/strata.json']);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
    expect(said.join('\n')).toContain('created nx.json and registered the plugin in it');
  });

  it('refuses an Nx the plugin cannot serve before touching nx.json, and says which Nx is needed (issue 27 item 1)', async () => {
    const root = createTempWorkspace({ 'node_modules/nx/package.json': JSON.stringify({ name: 'nx', version: '19.8.4' }) });
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), '{ "defaultBase": "main" }\n');
    writeFileSync(join(root, 'Dockerfile'), 'FROM alpine:3.20\n');
    await expect(runInit(root)).rejects.toThrow(
      'nx-strata:init: nx-strata supports Nx 21 to 24, and this workspace has Nx 19.8.4: upgrade Nx first (`npx nx migrate 21`, or `npx nx migrate latest`)',
    );
    expect(readFileSync(join(root, 'nx.json'), 'utf8')).toBe('{ "defaultBase": "main" }\n');
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
  });

  it('warns of a layer that copies what exists nowhere (a context a script assembles), with what the plugin needs (issue 27 item 3)', async () => {
    const root = createTempWorkspace({
      'nx.json': '{}',
      'package.json': JSON.stringify({ name: 'monorepo' }),
      'apps/ws/package.json': JSON.stringify({ name: 'ws', scripts: { 'docker:build': 'docker build -f Dockerfile ../..' } }),
      'apps/ws/Dockerfile': 'FROM node:22-alpine\nCOPY meta/ /app/\nCOPY apps/ws/src /app/src\nUSER node\n',
      'apps/ws/src/main.js': 'console.log(1)\n',
    });
    roots.push(root);
    await runInit(root);
    expect(said.join('\n')).toContain(
      'nx-strata: layers copy what exists nowhere (made by a step nx-strata cannot see yet):\n  - apps/ws/strata.json: layer "ws" copies "meta" from context ".", and meta exists nowhere: the plugin refuses the layer until the target that writes it declares meta among its outputs and the layer names that target in "uses"',
    );
  });

  it('in a workspace without Dockerfiles only registers the plugin', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: ['@nx/js/typescript'] }));
    writeFileSync(join(root, 'package.json'), '{ "name": "empty" }');
    expect(await runInit(root)).toEqual(['UPDATE nx.json']);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([
      '@nx/js/typescript',
      { plugin: 'nx-strata', options: {} },
    ]);
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
  });

  it("registers the branch the repository works on as trustedBranches when it is not defaultBase's, and says where it came from", async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ defaultBase: 'origin/main' }));
    writeFileSync(join(root, 'package.json'), '{ "name": "next-first" }');
    mkdirSync(join(root, '.git/refs/remotes/origin'), { recursive: true });
    writeFileSync(join(root, '.git/refs/remotes/origin/HEAD'), 'ref: refs/remotes/origin/next\n');
    await runInit(root);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([
      { plugin: 'nx-strata', options: { trustedBranches: ['next'] } },
    ]);
    expect(said).toContainEqual(
      expect.stringContaining(
        "nx-strata: trusted branch next, from the remote's default branch (origin/HEAD) (nx.json's defaultBase is origin/main)",
      ),
    );
    // Where they agree, the entry stays empty.
    writeFileSync(join(root, '.git/refs/remotes/origin/HEAD'), 'ref: refs/remotes/origin/main\n');
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ defaultBase: 'origin/main' }));
    await runInit(root);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
  });

  it('edits nx.json in place: tabs, inline arrays, comments and key order stay; strata.json takes the same indentation', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    const nxJson =
      '{\n\t// the team\'s own comment\n\t"$schema": "./node_modules/nx/schemas/nx-schema.json",\n\t"namedInputs": { "default": ["{projectRoot}/**/*"], "production": ["default"] },\n\t"plugins": ["@nx/js/typescript"],\n\t"defaultBase": "main"\n}\n';
    writeFiles(root, { 'nx.json': nxJson, 'package.json': '{ "name": "acme" }\n', Dockerfile: 'FROM debian:bookworm\n' });
    await runInit(root);
    const after = readFileSync(join(root, 'nx.json'), 'utf8');
    const untouched = nxJson.split('\n').filter((line) => !line.includes('"plugins"'));
    expect(after.split('\n')).toEqual(expect.arrayContaining(untouched));
    expect(after).toContain('\t"plugins": ["@nx/js/typescript", { "plugin": "nx-strata", "options": {} }],\n');
    expect(readFileSync(join(root, 'images/acme/strata.json'), 'utf8')).toMatch(/^\{\n\t"\$schema": "\.\.\/\.\.\/node_modules/);
  });

  it('finds Dockerfiles and workflows under dot-directories, as Nx lists files (.gitignore respected)', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFiles(root, {
      'nx.json': '{}\n',
      'package.json': '{ "name": "acme" }\n',
      '.gitignore': 'ignored/\n',
      '.deploy/api/Dockerfile': 'FROM node:20\nCOPY api.js /app/\n',
      '.deploy/api/api.js': 'x\n',
      'ignored/Dockerfile': 'FROM node:20\n',
    });
    await runInit(root);
    const proposed = JSON.parse(readFileSync(join(root, '.deploy/api/strata.json'), 'utf8')) as StrataConfig;
    expect(Object.values(proposed.layers).map((layer) => layer.dockerfile)).toEqual(['Dockerfile']);
    expect(existsSync(join(root, 'ignored/strata.json'))).toBe(false);
  });

  it('warns once when a proposed context sends installed dependencies, with the .dockerignore line', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFiles(root, {
      'nx.json': '{}\n',
      'package.json': '{ "name": "acme" }\n',
      '.gitignore': 'node_modules\n',
      Dockerfile: 'FROM node:20\nCOPY . /app/\n',
      'src/main.js': 'x\n',
      'node_modules/left-pad/index.js': 'x\n',
    });
    await runInit(root);
    const output = said.join('\n');
    expect(output).toContain('the proposed build contexts send more than the images need');
    expect(output.match(/sends node_modules\/ \(1 file\)/g)).toHaveLength(1);
    expect(output).toContain('add "node_modules" to .dockerignore');
  });

  it('on a repository of unrelated images takes context, target and args from compose, scripts and workflows (hardening item 14)', async () => {
    const root = createTempWorkspace({});
    roots.push(root);
    const write = (path: string, text: string) => writeFiles(root, { [path]: text });
    write('nx.json', '{}\n');
    write('package.json', '{ "name": "acme-platform" }\n');
    // Dockerfile_<name> files, one built by a GitHub workflow with its own context and build args.
    write('gpu/Dockerfile_amd', 'FROM ubuntu:22.04\nARG ROCM=6\nCOPY amd.sh /opt/\n');
    write('gpu/Dockerfile_intel', 'FROM ubuntu:22.04\nCOPY intel.sh /opt/\n');
    write('gpu/amd.sh', 'echo amd\n');
    write('gpu/intel.sh', 'echo intel\n');
    write(
      '.github/workflows/images.yml',
      'on: push\njobs:\n  amd:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          context: gpu\n          file: gpu/Dockerfile_amd\n          build-args: |\n            ROCM=6.1\n          tags: ghcr.io/acme/gpu-amd:${{ github.sha }}\n',
    );
    // A Dockerfile named after its own external base image.
    write('nix/Dockerfile.nix', 'FROM nixos/nix:2.18.8\nRUN nix-env -i hello\n');
    // Unrelated images in docker/ directories: one built by a compose file (context .., a target), one by a script.
    write(
      'services/api/docker/Dockerfile',
      'FROM node:20 AS build\nCOPY package.json /app/\nFROM node:20-slim AS runtime\nCOPY --from=build /app /app\n',
    );
    write('services/api/package.json', '{}\n');
    write(
      'services/docker-compose.yml',
      'services:\n  api:\n    build:\n      context: ./api\n      dockerfile: docker/Dockerfile\n      target: runtime\n      args:\n        NODE_ENV: production\n',
    );
    write('services/worker/docker/Dockerfile', 'FROM python:3.12\nCOPY worker/requirements.txt /w/\n');
    write('services/worker/requirements.txt', 'x\n');
    write(
      'scripts/build-worker.sh',
      '#!/bin/sh\nset -e\nTAG=acme/worker:dev\ndocker build -f services/worker/docker/Dockerfile -t "$TAG" services\n',
    );
    expect(await runInit(root)).toEqual([
      'UPDATE nx.json',
      'CREATE gpu/strata.json',
      'CREATE services/api/strata.json',
      'CREATE services/worker/strata.json',
    ]);
    const read = (path: string) => {
      const { $schema, ...config } = JSON.parse(readFileSync(join(root, path), 'utf8')) as StrataConfig & { $schema: string };
      expect(existsSync(join(root, posix.dirname(path), $schema))).toBe(false); // ../node_modules/... : not installed in the spec
      expect($schema).toMatch(/^(\.\.\/)+node_modules\/nx-strata\/strata\.schema\.json$/);
      return config;
    };
    // Exactly the images the workflow, the compose file and the script build, one strata.json beside each.
    expect(read('gpu/strata.json')).toEqual({
      image: 'acme/gpu-amd',
      args: { ROCM: '6.1' },
      layers: { amd: { dockerfile: 'Dockerfile_amd' } },
    });
    expect(read('services/api/strata.json')).toEqual({
      image: 'acme-platform-api',
      args: { NODE_ENV: 'production' },
      layers: { api: { dockerfile: 'docker/Dockerfile', target: 'runtime' } },
    });
    expect(read('services/worker/strata.json')).toEqual({
      image: 'acme/worker',
      context: '..',
      layers: { worker: { dockerfile: 'docker/Dockerfile' } },
    });
    const output = said.join('\n');
    // The Dockerfiles nothing builds are named once, with why.
    expect(output).toContain(
      'left out (no workflow, compose file, Makefile, package.json script or shell script builds them; add one by hand if you ship it): gpu/Dockerfile_intel, nix/Dockerfile.nix',
    );
    expect(output.match(/Dockerfile_intel/g)).toHaveLength(1);
    expect(output).not.toMatch(/builds on nix\/Dockerfile\.nix|docker-1/);
  });
});
