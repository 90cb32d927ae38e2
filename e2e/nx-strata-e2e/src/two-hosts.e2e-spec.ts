import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineEnv } from './support/engine';
import { startCacheServer, type CacheServerProcess } from './support/cache-server-process';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * Two build hosts with no shared image store: host A is the first engine (Docker 20.10, the default socket) and builds
 * linux/amd64; host B is the second (Docker 26.1, containerd store), reached as the docker context
 * `strata-containerd`, and builds linux/arm64. One registry, one Nx cache (nx-strata's cache server).
 */
const HOST_B_CONTEXT: string = machineEnv().STRATA_DEV_ENGINE26_CONTEXT;
const HOST_B: string = machineEnv().STRATA_DEV_ENGINE26_HOST;
if (!HOST_B_CONTEXT || !HOST_B) throw new Error('the two-hosts suite needs the second engine: run bash tools/env/setup-machine.sh');

/** Host A is whatever the default socket serves: DOCKER_HOST (set for the containerd pass) must not point elsewhere. */
const ON_HOST_A = { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined } as unknown as NodeJS.ProcessEnv;

/** The environment of a docker command for the engine at `host` (undefined: host A). */
const onHost = (host?: string): NodeJS.ProcessEnv => ({ ...process.env, ...ON_HOST_A, ...(host ? { DOCKER_HOST: host } : {}) });

/** Does the engine at `host` (undefined: host A) hold this image? */
function holds(ref: string, host?: string): boolean {
  return spawnSync('docker', ['image', 'inspect', ref], { env: onHost(host), stdio: 'ignore' }).status === 0;
}

const NX_JSON = {
  plugins: [{ plugin: 'nx-strata', options: { builders: { 'linux/arm64': { context: HOST_B_CONTEXT } } } }],
};

describe('two build hosts: linux/amd64 on host A, linux/arm64 on host B (a docker context)', () => {
  let registry: TestRegistry;
  let cache: CacheServerProcess;
  let cacheDir: string;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  let namespace: string;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    namespace = `two-hosts-${process.pid}`;
    workspace = E2EWorkspace.create(VISION_EXAMPLE, { nxJson: NX_JSON });
    cacheDir = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-two-hosts-cache-'));
    cache = await startCacheServer(workspace.root, cacheDir);
    env = {
      ...ON_HOST_A,
      STRATA_REGISTRY: `${registry.host}/${namespace}`,
      STRATA_VERSION: '3.1.0',
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.base,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'main-token',
    };
    const config = JSON.parse(workspace.read('strata.json'));
    config.publish = { registries: [`${registry.host}/public`], tags: ['{version}-{variant}'] };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    workspace.commitAll('publish, and arm64 on host B');
  });
  afterAll(async () => {
    cache?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
    workspace?.remove();
    await registry?.destroy();
  });

  test('the arm64 targets carry host B; the amd64 targets the default engine', () => {
    const project = JSON.parse(
      workspace.nx(['show', 'project', 'vision', '--json'], env).output.trim().split('\n').filter(Boolean).join(''),
    );
    expect(project.targets['docker-build--cpu--ml--linux-arm64'].options.dockerContext).toBe(HOST_B_CONTEXT);
    expect(project.targets['docker-build--cpu--ml--linux-amd64'].options.dockerContext).toBeUndefined();
  });

  test('a cold run-many builds arm64 layers only on host B and amd64 layers only on host A, all into the one registry', async () => {
    expect(workspace.buildAll(env)).toHaveLength(9);
    for (const record of workspace.records()) {
      const tag = record.refs[0];
      const onB = record.platform === 'linux/arm64';
      expect({ tag, onA: holds(tag), onB: holds(tag, HOST_B) }).toEqual({ tag, onA: !onB, onB });
      expect(await registry.digest(`${namespace}/acme/vision/${record.layer}`, `strata-${record.key}`)).toBe(record.digest);
    }
    // Children chain on the parent built on the same host, by digest.
    const [ml, app] = ['ml', 'app'].map((layer) => workspace.record('cpu', layer, 'linux-arm64')!);
    expect(app.parent?.ref).toBe(ml.parentRef);
    expect(ml.parentRef).toMatch(new RegExp(`^${registry.host}/${namespace}/acme/vision/ml@sha256:[0-9a-f]{64}$`));
  });

  test('docker-publish tests each platform on its own host, then assembles both into one manifest list, building nothing', () => {
    const started = Date.now();
    const run = workspace.nx(['run', 'vision:docker-publish--cpu'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual([]);
    // docker-test ran each exact digest on the host that built it: arm64 on host B's engine, amd64 on host A's.
    expect(run.output).toMatch(
      new RegExp(
        `testing layer "app" of acme/vision \\(variant cpu, linux/arm64\\): \\S+@sha256:[0-9a-f]{64} \\(linux/arm64\\) on docker context "${HOST_B_CONTEXT}"`,
      ),
    );
    expect(run.output).toMatch(
      /testing layer "app" of acme\/vision \(variant cpu, linux\/amd64\): \S+ \(linux\/amd64\) on the local Docker engine/,
    );
    const list = JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/public/acme/vision:3.1.0-cpu`], {
        encoding: 'utf8',
      }),
    ) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    const byArch = Object.fromEntries(list.manifests.map((entry) => [entry.platform.architecture, entry.digest]));
    expect(byArch).toEqual({
      amd64: workspace.record('cpu', 'app', 'linux-amd64')!.digest,
      arm64: workspace.record('cpu', 'app', 'linux-arm64')!.digest,
    });
  });

  test('a fresh clone on host B, sharing the Nx cache through nx-strata cache-server, builds nothing', () => {
    const clone = workspace.clone();
    try {
      const started = Date.now();
      const run = clone.nx(['run-many', '-t', 'docker-build'], { ...env, DOCKER_HOST: HOST_B });
      expectSuccess(run);
      expect(clone.builtSince(started)).toEqual([]);
      expect(clone.registryHitsSince(started)).toEqual([]);
      // Every layer task was restored from the shared cache (Nx labels a remote hit it just downloaded "[local cache]").
      expect(run.output.match(/^> nx run vision:docker-build--\S+ +\[(local|remote) cache\]$/gm)).toHaveLength(9);
      expect(clone.records()).toHaveLength(9);
    } finally {
      clone.remove();
    }
  });

  test('local mode (no registry): the parent check, the load and the child all happen on host B', () => {
    // Local tags are not namespaced: drop any copy another suite's local-mode run left on either host.
    const localTags = ['base', 'ml', 'app'].map(
      (layer) => `acme/vision/${layer}:strata-${workspace.record('cpu', layer, 'linux-arm64')!.key}`,
    );
    for (const host of [undefined, HOST_B]) spawnSync('docker', ['rmi', '--force', ...localTags], { env: onHost(host), stdio: 'ignore' });
    const started = Date.now();
    const local = { ...env, STRATA_REGISTRY: '', NX_SELF_HOSTED_REMOTE_CACHE_SERVER: undefined } as unknown as NodeJS.ProcessEnv;
    expectSuccess(workspace.nx(['run', 'vision:docker-build--cpu--app--linux-arm64', '--skip-nx-cache'], local));
    expect(workspace.builtSince(started)).toEqual(['cpu/app/linux/arm64', 'cpu/base/linux/arm64', 'cpu/ml/linux/arm64']);
    for (const layer of ['base', 'ml', 'app']) {
      const tag = workspace.record('cpu', layer, 'linux-arm64')!.parentRef;
      expect({ tag, onA: holds(tag), onB: holds(tag, HOST_B) }).toEqual({ tag, onA: false, onB: true });
    }
  });
});
