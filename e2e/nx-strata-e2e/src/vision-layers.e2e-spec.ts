import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess, runInImage } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * The real-project layout (cpu amd64 + arm64 with their own base/ml Dockerfiles, cuda amd64, one shared app
 * Dockerfile) against a real engine and a fresh registry. Scenarios run in order on one workspace.
 */
describe('vision: layered images with nx affected', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const namespace = `e2e-${process.pid}-${Date.now()}`;

  const ALL_CHAINS = ['cpu linux/amd64', 'cpu linux/arm64', 'cuda linux/amd64'];
  const layers = (names: string[], chains = ALL_CHAINS) =>
    chains.flatMap((chain) => names.map((layer) => `${chain.split(' ')[0]}/${layer}/${chain.split(' ')[1]}`)).sort();

  const affected = () => {
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1', '--head=HEAD'], env);
    expectSuccess(run);
    return workspace.builtSince(started);
  };

  beforeAll(async () => {
    registry = await TestRegistry.start();
    workspace = E2EWorkspace.create(VISION_EXAMPLE);
    env = { STRATA_REGISTRY: `${registry.host}/${namespace}` };
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('nx graph shows every (variant, layer, platform) task with base → ml → app edges', () => {
    const run = workspace.nx(['graph', '--file=graph.json', '--targets=docker-build'], env);
    expect(run.exitCode).toBe(0);
    const graph = JSON.parse(readFileSync(join(workspace.root, 'graph.json'), 'utf8')) as {
      tasks: { tasks: Record<string, unknown>; dependencies: Record<string, Array<{ id: string }>> };
    };
    const dependenciesOf = (task: string) => graph.tasks.dependencies[`vision:docker-build--${task}`].map((dependency) => dependency.id);
    const layerTasks = Object.keys(graph.tasks.tasks)
      .filter((id) => id.includes('--'))
      .sort();
    expect(layerTasks).toEqual(
      [
        'cpu--base--linux-amd64',
        'cpu--ml--linux-amd64',
        'cpu--app--linux-amd64',
        'cpu--base--linux-arm64',
        'cpu--ml--linux-arm64',
        'cpu--app--linux-arm64',
        'cuda--base--linux-amd64',
        'cuda--ml--linux-amd64',
        'cuda--app--linux-amd64',
      ]
        .map((name) => `vision:docker-build--${name}`)
        .sort(),
    );
    expect(dependenciesOf('cpu--app--linux-arm64')).toEqual(['vision:docker-build--cpu--ml--linux-arm64']);
    expect(dependenciesOf('cpu--ml--linux-arm64')).toEqual(['vision:docker-build--cpu--base--linux-arm64']);
    expect(dependenciesOf('cpu--base--linux-arm64')).toEqual([]);
    expect(dependenciesOf('cuda--app--linux-amd64')).toEqual(['vision:docker-build--cuda--ml--linux-amd64']);
  });

  test('1. cold run-many builds every (variant, layer, platform) exactly once, into the registry', async () => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual(layers(['base', 'ml', 'app']));

    const records = workspace.records();
    expect(records).toHaveLength(9);
    for (const record of records) {
      const repository = `${namespace}/acme/vision/${record.layer}`;
      expect(record.mode).toBe('registry');
      expect(await registry.tags(repository)).toContain(`strata-${record.key}`);
      expect(await registry.digest(repository, `strata-${record.key}`)).toBe(record.digest);
      expect(record.parentRef).toBe(`${registry.host}/${repository}@${record.digest}`);
      expect(record.sizeBytes).toBeGreaterThan(0);
    }
    // Each layer's image holds its parent's layers and adds its own.
    for (const [variant, platform] of [
      ['cpu', 'linux/amd64'],
      ['cpu', 'linux/arm64'],
      ['cuda', 'linux/amd64'],
    ]) {
      const [base, ml, top] = ['base', 'ml', 'app'].map(
        (layer) => records.find((r) => r.layer === layer && r.variant === variant && r.platform === platform)!.layerCount!,
      );
      expect(base).toBeGreaterThan(0);
      expect(ml).toBeGreaterThan(base);
      expect(top).toBeGreaterThan(ml);
    }
    const app = (variant: string, platform: string) =>
      records.find((r) => r.layer === 'app' && r.variant === variant && r.platform === platform)!;
    expect(runInImage(app('cpu', 'linux/arm64').parentRef, 'linux/arm64', ['/arch'], 'cat')).toBe('aarch64');
    expect(runInImage(app('cpu', 'linux/amd64').parentRef, 'linux/amd64', ['/arch'], 'cat')).toBe('x86_64');
    expect(runInImage(app('cuda', 'linux/amd64').parentRef, 'linux/amd64', ['/variant'], 'cat')).toBe('cuda');
    expect(runInImage(app('cpu', 'linux/arm64').parentRef, 'linux/arm64', [])).toContain('def handler');
    expect(runInImage(app('cpu', 'linux/arm64').parentRef, 'linux/arm64', ['/opt/vision/ml-stamp'], 'cat')).toBe('ml for cpu on aarch64');
  });

  test('2. running again builds nothing', () => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expect(run.exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual([]);
  });

  test('3. a change to src/ rebuilds only the app layers, once per variant and platform', () => {
    workspace.append('src/vision/main.py', '\n# a code-only change\n');
    workspace.commitAll('code change');
    expect(affected()).toEqual(layers(['app']));
  });

  test('4. a change to docker/arm64/Dockerfile.base rebuilds only the arm64 cpu chain', () => {
    workspace.append('docker/arm64/Dockerfile.base', 'RUN echo patched > /patched\n');
    workspace.commitAll('arm64 base change');
    expect(affected()).toEqual(layers(['base', 'ml', 'app'], ['cpu linux/arm64']));
  });

  test('5. a change under requirements/ rebuilds ml and app of every variant, never base', () => {
    workspace.append('requirements/ml.txt', 'scipy==1.14.0\n');
    workspace.commitAll('ml requirements change');
    expect(affected()).toEqual(layers(['ml', 'app']));
  });

  // Issue 26 item 1: Nx hands --dry-run to the aggregate only; every layer, test and scan it reaches is dry as well.
  test('a dry run of nx affected builds, pushes, runs and records nothing, and says per layer what a real run would do', async () => {
    workspace.append('requirements/ml.txt', 'pandas==2.2.0\n');
    workspace.commitAll('another ml requirements change');
    const repositories = ['base', 'ml', 'app'].map((layer) => `${namespace}/acme/vision/${layer}`);
    const snapshot = async () => ({
      tags: await Promise.all(repositories.map((repository) => registry.tags(repository))),
      images: execFileSync('docker', ['image', 'ls', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'], {
        encoding: 'utf8',
      })
        .split('\n')
        .sort(),
      records: workspace.records().map((record) => `${record.variant}/${record.layer}/${record.platform} ${record.key} ${record.digest}`),
      history: workspace.read('.nx/strata-history/runs.jsonl'),
    });
    const before = await snapshot();
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build,docker-test', '--base=HEAD~1', '--head=HEAD', '--dry-run'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // Each layer the run reaches says what it would do: ml and app would be built (the app on the ml layer a real run
    // would build first); the bases they depend on are registry hits that Nx's local cache would replay.
    const dryLines = run.output.split('\n').filter((line) => line.includes('nx-strata: dry run for layer'));
    expect(dryLines.filter((line) => line.endsWith('would run:')).map((line) => line.split(' (')[0])).toEqual([
      ...Array(3).fill('nx-strata: dry run for layer "ml"'),
      ...Array(3).fill('nx-strata: dry run for layer "app"'),
    ]);
    expect(dryLines.filter((line) => /layer "base" .*; registry hit: .* exists, nothing would be built$/.test(line))).toHaveLength(3);
    expect(dryLines).toHaveLength(9);
    expect(run.output.split("Nx cache: this task's hash has a local cache entry").length - 1).toBe(3);
    expect(run.output.split("Nx cache: no local entry for this task's hash").length - 1).toBe(6);
    expect(run.output).toContain('BASE_IMAGE=<the image docker-build--cpu--ml--linux-arm64 would build>');
    expect(run.output).toMatch(
      /nx-strata: dry run for docker-test of layer "app" of acme\/vision \(variant cpu, linux\/arm64\): would run the image/,
    );
    expect(run.output).not.toMatch(/nx-strata: (building|built|testing) /);
    // The real run after it builds exactly those layers.
    expect(affected()).toEqual(layers(['ml', 'app']));
  });

  test('6. files excluded by .dockerignore or read by no layer rebuild nothing', () => {
    workspace.append('NOTES.md', 'more notes\n');
    workspace.write('docs/guide.txt', 'read by no Dockerfile\n');
    workspace.write('src/vision/__pycache__/main.cpython-311.pyc', 'bytecode excluded by **/__pycache__\n');
    workspace.commitAll('docs and caches');
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1', '--head=HEAD'], env);
    expect(run.exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual([]);
  });

  test('a gitignored file that the app COPYs still rebuilds the app (inputs use includeIgnored)', () => {
    workspace.write('.gitignore', `${workspace.read('.gitignore')}src/vision/generated.py\n`);
    workspace.commitAll('ignore generated code');
    // Nx itself hashes .gitignore into every task: this run rebuilds everything and is not what we measure.
    expect(workspace.nx(['run-many', '-t', 'docker-build'], env).exitCode).toBe(0);

    workspace.write('src/vision/generated.py', 'MODEL_VERSION = 1\n');
    let started = Date.now();
    expect(workspace.nx(['run-many', '-t', 'docker-build'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual(layers(['app']));

    workspace.write('src/vision/generated.py', 'MODEL_VERSION = 2\n');
    started = Date.now();
    expect(workspace.nx(['run-many', '-t', 'docker-build'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual(layers(['app']));
  });

  test('one platform per CI runner: docker-build--linux-arm64 builds only arm64 layers', () => {
    workspace.append('src/vision/main.py', '# arm64-only run\n');
    workspace.commitAll('code change for the per-platform run');
    const started = Date.now();
    expect(workspace.nx(['run', 'vision:docker-build--linux-arm64'], env).exitCode).toBe(0);
    expect(workspace.builtSince(started)).toEqual(['cpu/app/linux/arm64']);
  });
});
