import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess, runInImage } from './support/e2e-workspace';
import { FIXTURES } from './support/paths';
import { removeLocalImages, TestRegistry } from './support/test-registry';

const FIXTURE = join(FIXTURES, 'per-directory');

interface InspectedLayer {
  project: string;
  target: string;
  layer: string;
  parent: string | null;
  inputs: string[];
  key: string;
  upToDate: boolean;
}

/** The second layout: one directory per layer, parents named only by ARG BASE_IMAGE defaults. */
describe('per-directory layout, registry mode', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;

  const runAll = () => workspace.buildAll(env);

  beforeAll(async () => {
    registry = await TestRegistry.start();
    workspace = E2EWorkspace.create(FIXTURE);
    env = { STRATA_REGISTRY: `${registry.host}/per-dir-${process.pid}` };
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('builds base → ml → api from ARG defaults alone, with .dockerignore re-includes', () => {
    expect(runAll()).toEqual(['default/api/linux/amd64', 'default/base/linux/amd64', 'default/ml/linux/amd64']);
    const api = workspace.record('default', 'api', 'linux-amd64')!;
    expect(runInImage(api.parentRef, 'linux/amd64', ['/base-stamp', '/ml-stamp', '/app/main.py', '/app/README.md'], 'cat')).toBe(
      'base\nml\nprint("api")\n# api',
    );
    expect(() => runInImage(api.parentRef, 'linux/amd64', ['/app/NOTES.md'], 'cat')).toThrow();
  });

  test('inspect --json lists each layer with its parent, own inputs and the key its record holds', () => {
    const run = workspace.cli(['inspect', '--json']);
    expect(run.exitCode).toBe(0);
    const layers = JSON.parse(run.output) as InspectedLayer[];
    expect(layers.map((layer) => [layer.target, layer.parent])).toEqual([
      ['docker-build--base--linux-amd64', null],
      ['docker-build--ml--linux-amd64', 'docker-build--base--linux-amd64'],
      ['docker-build--api--linux-amd64', 'docker-build--ml--linux-amd64'],
    ]);
    expect(layers[1].inputs).toEqual(['images/ml/requirements.txt']);
    expect(layers[2].inputs).toEqual(['apps/api/.dockerignore', 'apps/api/Dockerfile', 'apps/api/README.md', 'apps/api/main.py']);
    for (const layer of layers) {
      expect(layer.key).toBe(workspace.record('default', layer.layer, 'linux-amd64')!.key);
      expect(layer.upToDate).toBe(true);
    }
  });

  test('a README.md change (re-included) rebuilds api; a NOTES.md change (excluded) rebuilds nothing', () => {
    workspace.append('apps/api/NOTES.md', 'more\n');
    workspace.commitAll('notes');
    let started = Date.now();
    expect(workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual([]);

    workspace.append('apps/api/README.md', 'more\n');
    workspace.commitAll('readme');
    started = Date.now();
    expect(workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual(['default/api/linux/amd64']);
  });

  test('inspect --why names the changed input', () => {
    workspace.append('images/ml/requirements.txt', 'numpy\n');
    const run = workspace.cli(['inspect', '--why', 'docker-build--ml--linux-amd64']);
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain('platform:docker-build--ml--linux-amd64: key');
    expect(run.output).toContain('~ requirements.txt (content changed)');
    const api = workspace.cli(['inspect', '--why', 'platform:docker-build--api--linux-amd64']);
    expect(api.output).toContain('~ the parent layer changed');
  });

  test('dryRun prints the exact docker command and builds nothing', () => {
    const started = Date.now();
    const run = workspace.nx(['run', 'platform:docker-build--ml--linux-amd64', '--dryRun', '--excludeTaskDependencies'], env);
    expect(run.exitCode).toBe(0);
    expect(run.output).toMatch(
      /docker buildx build --platform linux\/amd64 --file images\/ml\/Dockerfile --tag 127\.0\.0\.1:\d+\/per-dir-\d+\/acme\/platform\/ml:strata-[0-9a-f]{16} --build-arg BASE_IMAGE=127\.0\.0\.1:\d+\/per-dir-\d+\/acme\/platform\/base@sha256:[0-9a-f]{64} --annotation manifest:org\.opencontainers\.image\.base\.name=127\.0\.0\.1:\d+\/per-dir-\d+\/acme\/platform\/base:strata-[0-9a-f]{16} --annotation manifest:org\.opencontainers\.image\.base\.digest=sha256:[0-9a-f]{64} --provenance=false --sbom=false --progress plain --push --metadata-file \S+ images\/ml/,
    );
    expect(workspace.builtSince(started)).toEqual([]);
  });
});

describe('per-directory layout, local mode (no registry)', () => {
  let workspace: E2EWorkspace;
  const env = { STRATA_REGISTRY: '' };
  // A repository of this run's own: local tags live in the shared engine.
  const image = `e2e-local-${process.pid}/platform`;

  beforeAll(() => {
    workspace = E2EWorkspace.create(FIXTURE);
    workspace.write('strata.json', workspace.read('strata.json').replace('"acme/platform"', `"${image}"`));
    workspace.commitAll('an image name of this run');
  });
  afterAll(() => {
    removeLocalImages(`${image}/`);
    workspace?.remove();
  });

  test('loads each layer into the engine under a content tag and chains children by that tag', () => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toHaveLength(3);
    const ml = workspace.record('default', 'ml', 'linux-amd64')!;
    const api = workspace.record('default', 'api', 'linux-amd64')!;
    expect(ml.mode).toBe('local');
    expect(ml.parentRef).toBe(`${image}/ml:strata-${ml.key}`);
    expect(runInImage(api.parentRef, 'linux/amd64', ['/base-stamp', '/ml-stamp'], 'cat')).toBe('base\nml');
  });

  test('a parent image missing from the engine fails with the command that fixes it', () => {
    const ml = workspace.record('default', 'ml', 'linux-amd64')!;
    execFileSync('docker', ['rmi', ml.parentRef], { stdio: 'ignore' });
    workspace.append('apps/api/main.py', 'print("changed")\n');
    let started = Date.now();
    const failed = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toContain(`the parent image ${ml.parentRef} is not in the local Docker engine`);
    expect(failed.output).toContain('npx nx run platform:docker-build--ml--linux-amd64 --skip-nx-cache');
    expect(workspace.builtSince(started)).toEqual([]);

    started = Date.now();
    expect(workspace.nx(['run', 'platform:docker-build--ml--linux-amd64', '--skip-nx-cache'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual(['default/base/linux/amd64', 'default/ml/linux/amd64']);
    execFileSync('docker', ['image', 'inspect', ml.parentRef], { stdio: 'ignore' });

    started = Date.now();
    expect(workspace.nx(['run-many', '-t', 'docker-build'], env).exitCode).toBe(0);
    // base and ml come back from Nx's cache (same keys, same local tags); only api is built.
    expect(workspace.builtSince(started)).toEqual(['default/api/linux/amd64']);
  });
});

describe('pinBaseImages: a new upstream image under the same tag rebuilds the layers on it', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  let upstream: string;

  const pushUpstream = (extraStep: string) => {
    const dockerfile = `FROM strata-fixtures/busybox:amd64\n${extraStep}\n`;
    execFileSync(
      'docker',
      ['buildx', 'build', '--platform', 'linux/amd64', '--provenance=false', '--push', '-t', upstream, '-f', '-', '.'],
      {
        input: dockerfile,
        cwd: workspace.root,
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
  };
  const runAll = () => workspace.buildAll(env);

  beforeAll(async () => {
    registry = await TestRegistry.start();
    upstream = `${registry.host}/upstream/busybox:3`;
    workspace = E2EWorkspace.create(FIXTURE, { nxJson: { plugins: [{ plugin: 'nx-strata', options: { pinBaseImages: true } }] } });
    workspace.write('images/base/Dockerfile', `FROM ${upstream}\nRUN echo base > /base-stamp\n`);
    workspace.commitAll('base from an upstream tag');
    env = { STRATA_REGISTRY: `${registry.host}/pinned-${process.pid}` };
    pushUpstream('RUN echo v1 > /upstream-version');
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('same upstream digest: nothing rebuilds; new digest under the tag: the whole chain rebuilds on it', () => {
    expect(runAll()).toHaveLength(3);
    expect(runAll()).toEqual([]);
    pushUpstream('RUN echo v2 > /upstream-version');
    expect(runAll()).toEqual(['default/api/linux/amd64', 'default/base/linux/amd64', 'default/ml/linux/amd64']);
    const api = workspace.record('default', 'api', 'linux-amd64')!;
    expect(runInImage(api.parentRef, 'linux/amd64', ['/upstream-version'], 'cat')).toBe('v2');
  });
});
