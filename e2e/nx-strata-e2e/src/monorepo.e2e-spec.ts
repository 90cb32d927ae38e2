import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCacheServer, type CacheServerProcess } from './support/cache-server-process';
import { E2EWorkspace, expectSuccess, runInImage } from './support/e2e-workspace';
import { openBrowser } from './support/browser';
import { FIXTURES, REPO_ROOT } from './support/paths';
import { TestRegistry } from './support/test-registry';

/** The machine an ELF file inside an image is for, read from its header (e_machine), not by running it. */
function elfMachine(image: string, platform: string, path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-elf-'));
  const container = execFileSync('docker', ['create', '--platform', platform, image], { encoding: 'utf8' }).trim();
  try {
    execFileSync('docker', ['cp', `${container}:${path}`, join(dir, 'file')]);
    const machine = readFileSync(join(dir, 'file')).readUInt16LE(18);
    return machine === 0x3e ? 'x86-64' : machine === 0xb7 ? 'aarch64' : `machine 0x${machine.toString(16)}`;
  } finally {
    execFileSync('docker', ['rm', container]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Images as part of the monorepo graph: `libs/util` and `apps/api` compiled by the real tsc (`api:build` outputs
 * dist/apps/api), and `images/api` whose app layer copies that output, for linux/amd64 and linux/arm64.
 */
describe('an image in a TypeScript monorepo', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  let cache: CacheServerProcess;
  let cacheDir: string;
  const APPS = ['default/app/linux/amd64', 'default/app/linux/arm64'];
  const appImage = (slug: string) => workspace.record('default', 'app', slug, 'images/api')!.refs.at(-1)!;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    workspace = E2EWorkspace.create(join(FIXTURES, 'monorepo'));
    // Every run shares its Nx cache through nx-strata's cache server, as CI jobs on fresh runners do.
    cacheDir = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-monorepo-cache-'));
    cache = await startCacheServer(workspace.root, cacheDir);
    env = {
      STRATA_REGISTRY: `${registry.host}/monorepo-${process.pid}`,
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.base,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'main-token',
    };
  });
  afterAll(async () => {
    cache?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
    workspace?.remove();
    await registry?.destroy();
  });

  test('the graph: the image project is api-image and depends on api, which depends on util', () => {
    const run = workspace.nx(['graph', '--file=graph.json'], env);
    expectSuccess(run);
    const graph = JSON.parse(workspace.read('graph.json')) as {
      graph: { nodes: Record<string, unknown>; dependencies: Record<string, Array<{ target: string }>> };
    };
    expect(Object.keys(graph.graph.nodes).sort()).toEqual(['api', 'api-image', 'hello', 'util']);
    expect(graph.graph.dependencies['api-image'].map((dependency) => dependency.target).sort()).toEqual(['api', 'hello']);
    expect(graph.graph.dependencies.api.map((dependency) => dependency.target)).toEqual(['util']);
  });

  test('nx graph in a real browser: the image links to api, and the task graph runs api:build before each app layer', async () => {
    const screenshots = join(REPO_ROOT, 'tmp/test-results');
    mkdirSync(screenshots, { recursive: true });
    expectSuccess(workspace.nx(['graph', '--file=graph-page/projects.html'], env));
    expectSuccess(workspace.nx(['graph', '--targets=docker-build', '--file=graph-page/tasks.html'], env));
    const browser = await openBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${join(workspace.root, 'graph-page/projects.html')}`, { waitUntil: 'load', timeout: 60_000 });
      const projects = await page.evaluate(
        () =>
          (globalThis as unknown as { projectGraphResponse: { dependencies: Record<string, Array<{ target: string }>> } })
            .projectGraphResponse.dependencies,
      );
      expect(projects['api-image'].map((dependency) => dependency.target).sort()).toEqual(['api', 'hello']);
      expect(projects.api.map((dependency) => dependency.target)).toEqual(['util']);
      await page.screenshot({ path: join(screenshots, 'nx-graph-monorepo.png') });

      await page.goto(`file://${join(workspace.root, 'graph-page/tasks.html')}`, { waitUntil: 'load', timeout: 60_000 });
      const tasks = await page.evaluate(() => {
        const response = (
          globalThis as unknown as {
            taskGraphResponse: { error: unknown; taskGraph: { dependencies: Record<string, Array<{ id: string }>> } };
          }
        ).taskGraphResponse;
        const ids = Object.entries(response.taskGraph.dependencies).map(([task, dependencies]) => [
          task,
          dependencies.map((dependency) => dependency.id),
        ]);
        return { error: response.error, dependencies: Object.fromEntries(ids) as Record<string, string[]> };
      });
      // The page hides task-graph errors: there must be none.
      expect(tasks.error).toBeNull();
      for (const slug of ['linux-amd64', 'linux-arm64']) {
        expect(tasks.dependencies[`api-image:docker-build--app--${slug}`]).toEqual(
          expect.arrayContaining([`api-image:docker-build--base--${slug}`, 'api:build', `hello:binary-build--hello--${slug}`]),
        );
        expect(tasks.dependencies[`api-image:docker-build--app--${slug}`]).not.toContain(
          `hello:binary-build--hello--${slug === 'linux-amd64' ? 'linux-arm64' : 'linux-amd64'}`,
        );
        // The base layer copies no build output: it starts beside api:build, not after it.
        expect(tasks.dependencies[`api-image:docker-build--base--${slug}`] ?? []).not.toContain('api:build');
      }
      await page.screenshot({ path: join(screenshots, 'nx-graph-monorepo-tasks.png') });
    } finally {
      await browser.close();
    }
  });

  test('a clean checkout builds api first, then the layers on its outputs; each image holds the compiled api', () => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build', '--projects=api-image'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual([
      'default/app/linux/amd64',
      'default/app/linux/arm64',
      'default/base/linux/amd64',
      'default/base/linux/arm64',
    ]);
    const order = run.output.split('\n').filter((line) => /^> nx run /.test(line));
    const position = (task: string) => order.findIndex((line) => line.includes(task));
    expect(position('api:build')).toBeGreaterThanOrEqual(0);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      // Each app layer after api:build and after the binary of its own platform.
      expect(position(`hello:binary-build--hello--${slug}`)).toBeGreaterThanOrEqual(0);
      expect(position(`docker-build--app--${slug}`)).toBeGreaterThan(position('api:build'));
      expect(position(`docker-build--app--${slug}`)).toBeGreaterThan(position(`hello:binary-build--hello--${slug}`));
      expect(runInImage(appImage(slug), slug.replace('-', '/'), ['cat', '/app/libs/util/src/index.js'])).toContain('util v1');
      expect(runInImage(appImage(slug), slug.replace('-', '/'), ['cat', '/arch'])).toBe(slug === 'linux-amd64' ? 'x86_64' : 'aarch64');
      expect(elfMachine(appImage(slug), slug.replace('-', '/'), '/usr/bin/hello')).toBe(slug === 'linux-amd64' ? 'x86-64' : 'aarch64');
    }
    expect(workspace.binariesBuiltSince(started, 'tools/hello')).toEqual(['linux/amd64', 'linux/arm64']);
    // inspect shows what each layer waits for, and why.
    const inspect = workspace.cli(['inspect', '--json'], env);
    expectSuccess(inspect);
    const layers = JSON.parse(inspect.output) as Array<{ target: string; links: Array<{ task: string; reason: string }> }>;
    expect(layers.find((layer) => layer.target === 'docker-build--app--linux-arm64')!.links).toEqual([
      { task: 'api-image:docker-build--base--linux-arm64', reason: 'parent layer' },
      { task: 'api:build', reason: 'reads dist/apps/api ← api:build outputs' },
      {
        task: 'hello:binary-build--hello--linux-arm64',
        reason: 'reads tools/hello/dist/bin/hello-linux-arm64 ← hello:binary-build--hello--linux-arm64 outputs',
      },
    ]);
    expect(layers.find((layer) => layer.target === 'docker-build--base--linux-arm64')!.links).toEqual([]);
  });

  test('a change to libs/util rebuilds api and the two app layers, no base layer; the images hold the new util', () => {
    workspace.write('libs/util/src/index.ts', "export const greeting = 'util v2';\n");
    workspace.commitAll('util v2');
    // Once api is rebuilt, --why names the changed output and the task it came from.
    expectSuccess(workspace.nx(['run', 'api:build'], env));
    const why = workspace.cli(['inspect', '--why', 'docker-build--app--linux-amd64'], env);
    expectSuccess(why);
    expect(why.output).toContain('~ dist/apps/api/libs/util/src/index.js (content changed: an output of api:build)');
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1', '--head=HEAD'], env);
    expectSuccess(run);
    expect(run.output).toMatch(/> nx run api:build/);
    expect(workspace.builtSince(started)).toEqual(APPS);
    expect(workspace.binariesBuiltSince(started, 'tools/hello')).toEqual([]);
    // The CI matrix follows the same graph: both platforms of api-image, their app layers only.
    const matrix = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD', '--arm64-runner', 'ubuntu-24.04-arm'], env);
    expectSuccess(matrix);
    expect(JSON.parse(matrix.output).include).toEqual([
      {
        project: 'api-image',
        platform: 'linux/amd64',
        target: 'docker-build--linux-amd64',
        runner: 'ubuntu-latest',
        qemu: false,
        layers: ['docker-build--app--linux-amd64'],
        // No scanner is set: the matrix names docker-test only (a docker-scan target does not exist).
        verify: 'docker-test--linux-amd64',
        lint: true,
        why: expect.stringMatching(/^libs\/util\/src\/index\.ts \(through (api|util):build\)$/),
      },
      {
        project: 'api-image',
        platform: 'linux/arm64',
        target: 'docker-build--linux-arm64',
        runner: 'ubuntu-24.04-arm',
        qemu: false,
        layers: ['docker-build--app--linux-arm64'],
        verify: 'docker-test--linux-arm64',
        lint: false,
        why: expect.stringMatching(/^libs\/util\/src\/index\.ts \(through (api|util):build\)$/),
      },
    ]);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      expect(runInImage(appImage(slug), slug.replace('-', '/'), ['cat', '/app/libs/util/src/index.js'])).toContain('util v2');
    }
  });

  test('a change to the Go source rebuilds both binaries and the two app layers; api:build comes from the cache', () => {
    workspace.write('tools/hello/main.go', workspace.read('tools/hello/main.go').replace('1.0.0', '1.1.0'));
    workspace.commitAll('hello 1.1.0');
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1', '--head=HEAD'], env);
    expectSuccess(run);
    expect(workspace.binariesBuiltSince(started, 'tools/hello')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(workspace.builtSince(started)).toEqual(APPS);
    expect(run.output).toMatch(/> nx run api:build .*\[(local cache|existing outputs match the cache)/);
    expect(runInImage(appImage('linux-arm64'), 'linux/arm64', ['/usr/bin/hello'])).toBe('hello 1.1.0 linux/arm64');
  });

  test('a fresh clone sharing the cache builds nothing, and every record names the newest images (none stale)', () => {
    const clone = workspace.clone();
    try {
      const started = Date.now();
      const run = clone.nx(['run-many', '-t', 'docker-build', '--projects=api-image'], env);
      expectSuccess(run);
      expect(clone.builtSince(started)).toEqual([]);
      expect(clone.binariesBuiltSince(started, 'tools/hello')).toEqual([]);
      // Restored from a cache, not run (which cache Nx reports it from is its own business; nothing is rebuilt).
      expect(run.output).toMatch(/> nx run api:build\s+\[(local|remote) cache\]/);
      for (const layer of ['base', 'app']) {
        for (const slug of ['linux-amd64', 'linux-arm64']) {
          expect(clone.record('default', layer, slug, 'images/api')!.digest).toBe(
            workspace.record('default', layer, slug, 'images/api')!.digest,
          );
        }
      }
    } finally {
      clone.remove();
    }
  });

  test('a change to a README no image reads builds no layer', () => {
    workspace.append('README.md', 'More words.\n');
    workspace.commitAll('docs');
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-build', '--base=HEAD~1', '--head=HEAD'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual([]);
    const matrix = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD'], env);
    expectSuccess(matrix);
    expect(JSON.parse(matrix.output)).toEqual({ include: [] });
  });

  test('an explicit `uses` naming a target that does not exist: a clear error with the strata.json line, nothing recorded', () => {
    const original = workspace.read('images/api/strata.json');
    const config = JSON.parse(original);
    config.layers.app.uses = ['api:deploy'];
    workspace.write('images/api/strata.json', JSON.stringify(config, null, 2));
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(
      /images\/api\/strata\.json:\d+:\d+: layer "app" uses "api:deploy", but project "api" has no target "deploy"/,
    );
    expect(run.output).toContain('use one of its targets: build');
    expect(workspace.builtSince(started)).toEqual([]);
    // Named as a task that exists, it is a link: the image depends on api through it as well.
    config.layers.app.uses = ['api:build'];
    workspace.write('images/api/strata.json', JSON.stringify(config, null, 2));
    expectSuccess(workspace.nx(['graph', '--file=graph.json'], env));
    const graph = JSON.parse(workspace.read('graph.json')) as { graph: { dependencies: Record<string, Array<{ target: string }>> } };
    expect(graph.graph.dependencies['api-image'].map((dependency) => dependency.target)).toContain('api');
    workspace.write('images/api/strata.json', original);
  });

  test('the collision layout: by default images/api is api-image; named "api" by hand, the clash is stopped, nothing recorded', () => {
    const original = workspace.read('images/api/strata.json');
    const config = JSON.parse(original);
    config.project = 'api';
    workspace.write('images/api/strata.json', JSON.stringify(config, null, 2));
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expect(run.exitCode).not.toBe(0);
    // Nx's own words, naming both directories.
    expect(run.output).toContain('The following projects are defined in multiple locations');
    expect(run.output).toMatch(/- api:\s*\n\s*- (images|apps)\/api\s*\n\s*- (images|apps)\/api/);
    expect(workspace.builtSince(started)).toEqual([]);
    workspace.write('images/api/strata.json', original);
    expect(JSON.parse(workspace.nx(['show', 'projects', '--json'], env).output.match(/\[[\s\S]*\]/)![0]).sort()).toEqual([
      'api',
      'api-image',
      'hello',
      'util',
    ]);
  });
});
