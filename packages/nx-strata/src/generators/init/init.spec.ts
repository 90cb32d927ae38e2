import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { logger } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { planLayerTasks } from '../../config/plan-layer-tasks';
import type { StrataConfig } from '../../config/strata-config';
import { parseDockerfile } from '../../dockerfile/parse-dockerfile';
import { initGenerator } from './init';

const VISION = resolve(__dirname, '../../../../../examples/vision');

/** The example workspace as a team has it before nx-strata: Dockerfiles and a Makefile, no strata.json, no plugin. */
function visionWithoutStrata(options: { makefile: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-strata-init-'));
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
function plan(root: string, config: StrataConfig): string[] {
  return planLayerTasks({
    workspaceRoot: root,
    configFile: 'strata.json',
    config,
    buildTargetName: 'docker-build',
    readDockerfile: (file) => parseDockerfile(readFileSync(join(root, file), 'utf8'), file),
  })
    .map((task) => `${task.variant} ${task.layer} ${task.platform}: ${task.dockerfile} on ${task.parent?.layer ?? '-'}`)
    .sort();
}

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
    expect(await runInit(root)).toEqual(['UPDATE nx.json', 'CREATE strata.json']);
    const proposed = JSON.parse(readFileSync(join(root, 'strata.json'), 'utf8')) as StrataConfig;
    expect(proposed.image).toBe('acme/vision');
    expect(proposed.layers).toEqual({
      base: { dockerfile: 'docker/{variant}/Dockerfile.base' },
      ml: { dockerfile: 'docker/{variant}/Dockerfile.ml', parent: 'base' },
      app: { dockerfile: 'docker/app/Dockerfile', parent: 'ml' },
    });
    expect(plan(root, proposed)).toEqual(plan(VISION, handWritten));
    expect(plan(root, proposed)).toHaveLength(9);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
    expect(said.join('\n')).toContain('docker/arm64/ holds the linux/arm64 Dockerfiles of variant "cpu"');
  });

  it('without a Makefile, finds the same chains from ARG BASE_IMAGE and Dockerfile.base / Dockerfile.ml naming', async () => {
    const root = visionWithoutStrata({ makefile: false });
    roots.push(root);
    await runInit(root, { image: 'acme/vision' });
    const proposed = JSON.parse(readFileSync(join(root, 'strata.json'), 'utf8')) as StrataConfig;
    expect(plan(root, proposed)).toEqual(plan(VISION, handWritten));
  });

  it('changes nothing when run a second time', async () => {
    const root = visionWithoutStrata({ makefile: true });
    roots.push(root);
    await runInit(root);
    const first = readFileSync(join(root, 'strata.json'), 'utf8');
    expect(await runInit(root)).toEqual([]);
    expect(readFileSync(join(root, 'strata.json'), 'utf8')).toBe(first);
  });

  it('in a workspace without Dockerfiles only registers the plugin', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-strata-init-empty-'));
    roots.push(root);
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: ['@nx/js/typescript'] }));
    writeFileSync(join(root, 'package.json'), '{ "name": "empty" }');
    expect(await runInit(root)).toEqual(['UPDATE nx.json']);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual(['@nx/js/typescript', { plugin: 'nx-strata', options: {} }]);
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
  });
});
