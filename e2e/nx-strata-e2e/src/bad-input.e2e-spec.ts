import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * Scenario 7: bad input and broken infrastructure. Each case must fail with a message naming the file or layer and
 * what to do, record nothing as built, and leave the workspace so that the next good run recovers.
 */
describe('bad input: clear errors, nothing recorded, the next run recovers', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const APPS = ['cpu/app/linux/amd64', 'cpu/app/linux/arm64', 'cuda/app/linux/amd64'];

  const runAll = (extraEnv: NodeJS.ProcessEnv = {}) => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'docker-build'], { ...env, ...extraEnv });
    return { ...run, built: workspace.builtSince(started) };
  };
  const restore = () => {
    workspace.git('checkout', '-q', '--', '.');
  };
  const expectRecovery = (expectedBuilt: string[] = []) => {
    const run = runAll();
    expectSuccess(run);
    expect(run.built).toEqual(expectedBuilt);
  };

  beforeAll(async () => {
    registry = await TestRegistry.start();
    workspace = E2EWorkspace.create(VISION_EXAMPLE);
    env = { STRATA_REGISTRY: `${registry.host}/bad-input-${process.pid}` };
    const cold = runAll();
    expectSuccess(cold);
    expect(cold.built).toHaveLength(9);
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  /** Edits strata.json as parsed JSON (the parts these cases touch). */
  const editConfig = (
    edit: (config: { layers: Record<string, { parent?: string }>; variants: Record<string, { platforms?: unknown }> }) => void,
  ) => {
    const config = JSON.parse(workspace.read('strata.json'));
    edit(config);
    workspace.write('strata.json', JSON.stringify(config, null, 2));
  };

  /** Input errors: each fails graph creation with the file (and line), what is wrong and what to do; nothing is built. */
  test.each<[string, () => void, Array<string | RegExp>]>([
    [
      'a malformed Dockerfile names the file, the line and what to do',
      () => workspace.write('docker/app/Dockerfile', workspace.read('docker/app/Dockerfile').replace('COPY src/', 'COPPY src/')),
      ['docker/app/Dockerfile:6: unknown instruction "COPPY"', '→ fix the Dockerfile'],
    ],
    [
      'a parent that does not exist names strata.json, the layer and the layers there are',
      () => editConfig((config) => (config.layers.app.parent = 'model')),
      [/strata\.json:\d+:\d+: layer "app" has parent "model", which is not a layer of this file/, 'use one of: base, ml, app'],
    ],
    [
      'a parent cycle names the layers in it',
      () => {
        editConfig((config) => (config.layers.base.parent = 'app'));
        for (const variant of ['cpu', 'arm64', 'cuda'])
          workspace.write(`docker/${variant}/Dockerfile.base`, 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
      },
      ['layers form a cycle (variant cpu, linux/amd64): base → app → ml → base'],
    ],
    [
      'an unknown platform lists the known ones',
      () => editConfig((config) => (config.variants.cuda.platforms = ['linux/amd64', 'linux/sparc64'])),
      [/strata\.json:\d+:\d+: unknown platform "linux\/sparc64" in "variants\.cuda\.platforms"/, 'use one of: linux/amd64'],
    ],
  ])('%s', (_name, breakIt, expected) => {
    breakIt();
    const run = runAll();
    expect(run.exitCode).not.toBe(0);
    for (const message of expected) {
      if (typeof message === 'string') expect(run.output).toContain(message);
      else expect(run.output).toMatch(message);
    }
    expect(run.built).toEqual([]);
    restore();
    expectRecovery();
  });

  test('the registry down: names the registry and what to do, records nothing, recovers when it is back', async () => {
    await registry.pause();
    workspace.append('src/vision/main.py', '# needs the registry\n');
    const run = runAll();
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(
      new RegExp(`layer "app" \\(variant (cpu|cuda), linux/(amd64|arm64)\\): the registry ${env.STRATA_REGISTRY} is unreachable`),
    );
    expect(run.output).toContain('→ start it, or fix the plugin option "registry" / STRATA_REGISTRY');
    expect(run.built).toEqual([]);
    for (const [variant, platform] of [
      ['cpu', 'linux-amd64'],
      ['cpu', 'linux-arm64'],
      ['cuda', 'linux-amd64'],
    ]) {
      expect(workspace.record(variant, 'app', platform)).toBeUndefined();
      expect(workspace.record(variant, 'ml', platform)).toBeDefined();
    }
    await registry.resume();
    expectRecovery(APPS);
  });

  test('the engine down: says the engine is not reachable and how to start it, records nothing', () => {
    workspace.append('src/vision/main.py', '# needs the engine\n');
    const run = runAll({ DOCKER_HOST: 'unix:///tmp/nx-strata-e2e-dead.sock' });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('the Docker engine is not reachable at DOCKER_HOST=unix:///tmp/nx-strata-e2e-dead.sock');
    expect(run.output).toContain('install Docker Engine if it is missing (https://docs.docker.com/engine/install/)');
    expect(run.built).toEqual([]);
    expect(workspace.record('cuda', 'app', 'linux-amd64')).toBeUndefined();
    expectRecovery(APPS);
  });

  test('no buildx plugin: says so and how to install it, records nothing', () => {
    // A docker CLI without the plugin answers `docker buildx ...` like this wrapper does.
    const bin = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-nobuildx-'));
    const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\nif [ "$1" = buildx ]; then echo "docker: 'buildx' is not a docker command." >&2; echo "See 'docker --help'" >&2; exit 1; fi\nexec ${realDocker} "$@"\n`,
      { mode: 0o755 },
    );
    workspace.append('src/vision/main.py', '# needs buildx\n');
    const run = runAll({ PATH: `${bin}:${process.env.PATH}` });
    rmSync(bin, { recursive: true, force: true });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('nx-strata needs the docker buildx plugin and `docker buildx version` failed');
    expect(run.output).toContain('docker-buildx-plugin');
    expect(run.built).toEqual([]);
    expect(workspace.record('cpu', 'app', 'linux-amd64')).toBeUndefined();
    expectRecovery(APPS);
  });

  test('an interrupted build leaves no success record; the next run builds it', async () => {
    // A step no earlier run can have finished: BuildKit would answer a plain `RUN sleep 60` from its cache on a reused machine.
    const step = `RUN echo interrupted-${process.pid}-${Date.now()} && sleep 60`;
    workspace.append('docker/app/Dockerfile', `${step}\n`);
    const nxBin = join(workspace.root, 'node_modules/nx/dist/bin/nx.js');
    const child = spawn(process.execPath, [nxBin, 'run', 'vision:docker-build--cuda--app--linux-amd64', '--outputStyle=stream'], {
      cwd: workspace.root,
      env: { ...process.env, ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let waited = 0; waited < 60_000 && !output.includes(step); waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output).toContain(step);
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    expect(workspace.record('cuda', 'app', 'linux-amd64')).toBeUndefined();

    restore();
    const run = runAll();
    expect(run.exitCode).toBe(0);
    expect(workspace.record('cuda', 'app', 'linux-amd64')).toBeDefined();
  });
});
