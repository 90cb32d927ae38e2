import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../dockerfile/parse-dockerfile';
import { createTempWorkspace, removeTempWorkspace, VISION_LAYOUT, type FileSpec } from '../test-utils/temp-workspace';
import { loadStrataConfig } from '../config/load-strata-config';
import { planLayerTasks } from './plan-layer-tasks';

function plan(root: string, configFile = 'strata.json') {
  return planLayerTasks({
    workspaceRoot: root,
    configFile,
    config: loadStrataConfig(root, configFile),
    buildTargetName: 'docker-build',
    readDockerfile: (file) => parseDockerfile(readFileSync(join(root, file), 'utf8'), file),
  });
}

const PER_DIRECTORY: Record<string, FileSpec> = {
  'strata.json': JSON.stringify({ image: 'acme/platform', layers: { base: 'images/base', ml: 'images/ml', api: 'apps/api' } }),
  'images/base/Dockerfile': 'ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\nRUN echo base\n',
  'images/ml/Dockerfile': 'ARG BASE_IMAGE=base\nFROM ${BASE_IMAGE}\nCOPY requirements.txt .\n',
  'images/ml/requirements.txt': 'torch\n',
  'apps/api/Dockerfile': 'ARG BASE_IMAGE=ml\nFROM ${BASE_IMAGE}\nCOPY . /app\n',
  'apps/api/main.py': 'print(1)\n',
};

describe('planLayerTasks', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  it('expands the real-project layout into 9 chained tasks with per-platform Dockerfiles', () => {
    root = createTempWorkspace(VISION_LAYOUT);
    const tasks = plan(root);
    expect(tasks.map((task) => [task.targetName, task.dockerfile, task.parent?.targetName ?? null])).toEqual([
      ['docker-build--cpu--base--linux-amd64', 'docker/cpu/Dockerfile.base', null],
      ['docker-build--cpu--ml--linux-amd64', 'docker/cpu/Dockerfile.ml', 'docker-build--cpu--base--linux-amd64'],
      ['docker-build--cpu--app--linux-amd64', 'docker/app/Dockerfile', 'docker-build--cpu--ml--linux-amd64'],
      ['docker-build--cpu--base--linux-arm64', 'docker/arm64/Dockerfile.base', null],
      ['docker-build--cpu--ml--linux-arm64', 'docker/arm64/Dockerfile.ml', 'docker-build--cpu--base--linux-arm64'],
      ['docker-build--cpu--app--linux-arm64', 'docker/app/Dockerfile', 'docker-build--cpu--ml--linux-arm64'],
      ['docker-build--cuda--base--linux-amd64', 'docker/cuda/Dockerfile.base', null],
      ['docker-build--cuda--ml--linux-amd64', 'docker/cuda/Dockerfile.ml', 'docker-build--cuda--base--linux-amd64'],
      ['docker-build--cuda--app--linux-amd64', 'docker/app/Dockerfile', 'docker-build--cuda--ml--linux-amd64'],
    ]);
    expect(new Set(tasks.map((task) => task.project))).toEqual(new Set(['vision']));
    expect(tasks.every((task) => task.context === '.')).toBe(true);
  });

  it('infers parents from ARG BASE_IMAGE defaults that name layers, never from external images', () => {
    root = createTempWorkspace(PER_DIRECTORY);
    const tasks = plan(root);
    expect(tasks.map((task) => [task.targetName, task.context, task.parent?.layer ?? null])).toEqual([
      ['docker-build--base--linux-amd64', 'images/base', null],
      ['docker-build--ml--linux-amd64', 'images/ml', 'base'],
      ['docker-build--api--linux-amd64', 'apps/api', 'ml'],
    ]);
  });

  it('resolves paths relative to a nested strata.json and names the project <directory>-image', () => {
    root = createTempWorkspace(Object.fromEntries(Object.entries(PER_DIRECTORY).map(([path, spec]) => [`platform/${path}`, spec])));
    const tasks = plan(root, 'platform/strata.json');
    expect(tasks.map((task) => [task.project, task.dockerfile, task.context])).toEqual([
      ['platform-image', 'platform/images/base/Dockerfile', 'platform/images/base'],
      ['platform-image', 'platform/images/ml/Dockerfile', 'platform/images/ml'],
      ['platform-image', 'platform/apps/api/Dockerfile', 'platform/apps/api'],
    ]);
  });

  it('joins the project already defined in its directory, under its name', () => {
    root = createTempWorkspace({
      ...Object.fromEntries(Object.entries(PER_DIRECTORY).map(([path, spec]) => [`platform/${path}`, spec])),
      'platform/project.json': JSON.stringify({ name: 'platform-services' }),
    });
    expect(new Set(plan(root, 'platform/strata.json').map((task) => task.project))).toEqual(new Set(['platform-services']));
  });

  it('rejects a parent cycle, naming the layers in it', () => {
    root = createTempWorkspace({
      ...PER_DIRECTORY,
      'strata.json': JSON.stringify({
        image: 'acme/platform',
        layers: { base: { dockerfile: 'images/base/Dockerfile', parent: 'api' }, ml: 'images/ml', api: 'apps/api' },
      }),
    });
    expect(() => plan(root)).toThrow('strata.json: layers form a cycle (linux/amd64): base → api → ml → base');
  });

  it('refuses a 1,000-deep parent chain quickly, naming the layer and the limit', () => {
    const layers: Record<string, { dockerfile: string; parent?: string }> = { l0: { dockerfile: 'Dockerfile.root' } };
    for (let index = 1; index < 1000; index++) layers[`l${index}`] = { dockerfile: 'Dockerfile', parent: `l${index - 1}` };
    root = createTempWorkspace({
      'strata.json': JSON.stringify({ image: 'acme/deep', layers }),
      'Dockerfile.root': 'FROM debian:bookworm\n',
      Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
    });
    const started = Date.now();
    expect(() => plan(root)).toThrow(/layer "l\d+" sits on a chain of more than 32 layers \(linux\/amd64\)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a declared parent the Dockerfile never uses, at the FROM line', () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'docker/app/Dockerfile': 'FROM python:3.11-slim\nCOPY src/ /src/\n' });
    expect(() => plan(root)).toThrow(
      'docker/app/Dockerfile:1: layer "app" has parent "ml" in strata.json, but no FROM in this Dockerfile reads ${BASE_IMAGE}',
    );
  });

  it('names the layer, variant and platform of a Dockerfile that does not exist', () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'docker/arm64/Dockerfile.ml': 'x' });
    removeTempWorkspace(join(root, 'docker/arm64/Dockerfile.ml'));
    expect(() => plan(root)).toThrow(
      /^strata\.json:\d+:\d+: layer "ml" \(variant cpu, linux\/arm64\): Dockerfile "docker\/arm64\/Dockerfile\.ml" does not exist \(variants\.cpu\.platforms\["linux\/arm64"\]\.layers\.ml\.dockerfile\)/,
    );
  });
});
