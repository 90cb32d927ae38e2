import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES } from './support/paths';
import { PullOnlyGateway } from './support/pull-only-gateway';
import { removeLocalImages, TestRegistry } from './support/test-registry';

const MAIN = { user: 'main-ci', password: 'main-only-secret' };
const PR = { user: 'pr-ci', password: 'pr-secret' };

/** A docker config that holds exactly one login, as a CI job that was given one credential has. */
function dockerConfig(host: string, login: { user: string; password: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-docker-config-'));
  const auth = Buffer.from(`${login.user}:${login.password}`).toString('base64');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
  return dir;
}

/** The files of an image as a runner with the main branch's login sees them (the classic engine pulls only with one here). */
function filesOf(ref: string, config: string, files: string[]): string {
  return execFileSync('docker', ['run', '--rm', '--pull', 'always', '--platform', 'linux/amd64', '--entrypoint', 'cat', ref, ...files], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * The trust boundary on real registries whose credentials separate the two levels: the trusted namespace lets anyone
 * pull and only the main branch's login push (as a GHCR package that grants the repository's Actions read access);
 * the untrusted one is writable with the pull requests' login. An attacker with that login plants images under the
 * exact content tags main will compute; main must build and publish its own bytes, and never a digest a pull
 * request pushed, whichever cache brings its record back.
 */
describe('trust: what a pull request writes never reaches what main publishes', () => {
  let backend: TestRegistry;
  let trusted: PullOnlyGateway;
  let untrusted: TestRegistry;
  let workspace: E2EWorkspace;
  let clone: E2EWorkspace;
  const configs: string[] = [];
  let mainEnv: NodeJS.ProcessEnv;
  let prEnv: NodeJS.ProcessEnv;
  let T: string;
  let U: string;

  beforeAll(async () => {
    backend = await TestRegistry.start();
    trusted = await PullOnlyGateway.start(backend.port, MAIN);
    untrusted = await TestRegistry.start({ login: PR });
    T = `${trusted.host}/trusted`;
    U = `${untrusted.host}/pr`;
    const common = { STRATA_REGISTRY: T, STRATA_UNTRUSTED_REGISTRY: U };
    configs.push(dockerConfig(trusted.host, MAIN), dockerConfig(untrusted.host, PR));
    mainEnv = { ...common, STRATA_TRUST: 'trusted', DOCKER_CONFIG: configs[0] };
    prEnv = { ...common, STRATA_TRUST: 'untrusted', DOCKER_CONFIG: configs[1] };
    workspace = E2EWorkspace.create(join(FIXTURES, 'trust'));
  });
  afterAll(async () => {
    workspace?.remove();
    clone?.remove();
    configs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    await trusted?.stop();
    await Promise.all([backend?.destroy(), untrusted?.destroy()]);
    removeLocalImages(`${trusted?.host}/`);
    removeLocalImages(`${untrusted?.host}/`);
  });

  test('1. the credentials separate the levels: only main can push to the trusted namespace, anyone can pull it', async () => {
    const upload = (host: string, repository: string, login?: { user: string; password: string }) =>
      fetch(`http://${host}/v2/${repository}/blobs/uploads/`, {
        method: 'POST',
        headers: login ? { Authorization: `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}` } : {},
      }).then((response) => response.status);
    expect(await upload(trusted.host, 'trusted/acme/shop/app', PR)).toBe(401);
    expect(await upload(trusted.host, 'trusted/acme/shop/app')).toBe(401);
    expect(await upload(trusted.host, 'trusted/probe', MAIN)).toBe(202);
    expect(await upload(untrusted.host, 'pr/acme/shop/app')).toBe(401);
    expect(await upload(untrusted.host, 'pr/probe', PR)).toBe(202);
    expect((await fetch(`http://${trusted.host}/v2/trusted/acme/shop/app/tags/list`)).status).toBe(404);
  });

  test("2. poisoned images under main's exact content tags in the untrusted namespace: main builds its own and publishes the reviewed bytes", () => {
    const inspected = workspace.cli(['inspect', '--json'], mainEnv);
    expect(inspected.exitCode).toBe(0);
    const keys = Object.fromEntries(
      (
        JSON.parse(inspected.output) as Array<{ layer: string; key: string; registry: { level: string; writes: string; reads: string[] } }>
      ).map((layer) => [layer.layer, layer]),
    );
    expect(keys.app.registry).toMatchObject({ level: 'trusted', writes: T, reads: [T] });
    // The attacker: a pull request's login and the keys anyone can compute from the repository.
    const poison = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-poison-'));
    try {
      writeFileSync(
        join(poison, 'Dockerfile'),
        'FROM strata-fixtures/busybox:amd64\nRUN echo POISONED > /app.txt && echo POISONED > /base-stamp\n',
      );
      for (const layer of ['base', 'app']) {
        execFileSync(
          'docker',
          [
            'buildx',
            'build',
            '--platform',
            'linux/amd64',
            '--provenance=false',
            '--push',
            '-t',
            `${U}/acme/shop/${layer}:strata-${keys[layer].key}`,
            poison,
          ],
          { env: { ...process.env, DOCKER_CONFIG: configs[1] }, stdio: 'pipe' },
        );
      }
    } finally {
      rmSync(poison, { recursive: true, force: true });
    }

    const started = Date.now();
    const build = workspace.nx(['run-many', '-t', 'docker-build'], mainEnv);
    expectSuccess(build);
    expect(workspace.builtSince(started)).toEqual(['default/app/linux/amd64', 'default/base/linux/amd64']);
    for (const layer of ['base', 'app'])
      expect(workspace.record('default', layer, 'linux-amd64')!.parentRef.startsWith(`${T}/acme/shop/${layer}@sha256:`)).toBe(true);

    expectSuccess(workspace.nx(['run', 'shop:docker-publish'], mainEnv));
    const published = `${T}/acme/shop:latest`;
    expect(filesOf(published, configs[0], ['/app.txt', '/base-stamp'])).toBe('the reviewed app\nbase');
    expect(filesOf(workspace.record('default', 'app', 'linux-amd64')!.parentRef, configs[0], ['/app.txt'])).toBe('the reviewed app');
  });

  test('3. a pull request takes hits from the trusted namespace and pushes only to its own', async () => {
    clone = workspace.clone();
    clone.write('apps/app/app.txt', "a pull request's change\n");
    clone.commitAll('a pull request');
    const trustedTagsBefore = await backend.tags('trusted/acme/shop/app');
    // A fresh runner: no Nx cache, so what the pull request does not build comes from the registry.
    expect(clone.nx(['reset'], prEnv).exitCode).toBe(0);
    const started = Date.now();
    const run = clone.nx(['run-many', '-t', 'docker-build'], prEnv);
    expectSuccess(run);
    expect(clone.registryHitsSince(started)).toEqual(['default/base/linux/amd64']);
    expect(clone.builtSince(started)).toEqual(['default/app/linux/amd64']);
    const base = clone.record('default', 'base', 'linux-amd64')!;
    const app = clone.record('default', 'app', 'linux-amd64')!;
    expect(base.parentRef).toBe(workspace.record('default', 'base', 'linux-amd64')!.parentRef);
    expect(app.parentRef.startsWith(`${U}/acme/shop/app@sha256:`)).toBe(true);
    expect(await untrusted.tags('pr/acme/shop/app')).toContain(`strata-${app.key}`);
    expect(await backend.tags('trusted/acme/shop/app')).toEqual(trustedTagsBefore);
  });

  test("4. main refuses to publish a record the cache restored with the pull request's digest, and publishes after rebuilding it", async () => {
    const before = await backend.digest('trusted/acme/shop', 'latest');
    const app = clone.record('default', 'app', 'linux-amd64')!;
    // Same commit, same keys: Nx restores the pull request's record from the cache this machine shares.
    const restored = clone.nx(['run', 'shop:docker-build--app--linux-amd64'], mainEnv);
    expectSuccess(restored);
    expect(restored.output).toContain('[local cache]');
    expect(clone.record('default', 'app', 'linux-amd64')!.parentRef).toBe(app.parentRef);
    // The publish itself, on that record alone: refused, naming the layer, the digest and the namespace.
    const refused = clone.nx(['run', 'shop:docker-publish', '--excludeTaskDependencies'], mainEnv);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toContain(
      `layer "app" (linux/amd64): refusing to publish ${app.digest}: its record puts it in the untrusted namespace ${U}, and this trusted run publishes only from ${T}`,
    );
    // With its checks, the publish never starts: main does not even test or scan a digest it would not publish.
    const gated = clone.nx(['run', 'shop:docker-publish'], mainEnv);
    expect(gated.exitCode).not.toBe(0);
    expect(gated.output).toContain(
      `docker-test of layer "app" of acme/shop (linux/amd64): refusing to verify ${app.parentRef}: its record puts it in the untrusted namespace ${U}`,
    );
    expect(await backend.digest('trusted/acme/shop', 'latest')).toBe(before);

    const started = Date.now();
    expectSuccess(clone.nx(['run', 'shop:docker-publish', '--skip-nx-cache'], mainEnv));
    expect(clone.builtSince(started)).toEqual(['default/app/linux/amd64']);
    expect(clone.record('default', 'app', 'linux-amd64')!.parentRef.startsWith(`${T}/acme/shop/app@sha256:`)).toBe(true);
    expect(filesOf(`${T}/acme/shop:latest`, configs[0], ['/app.txt'])).toBe("a pull request's change");
  });

  test("5. a fork's pull request (no login anywhere, nowhere to push) takes hits from the trusted namespace and builds the rest into its own engine", async () => {
    const fork = workspace.clone();
    const anonymous = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-docker-config-'));
    configs.push(anonymous);
    try {
      fork.write('apps/app/app.txt', "a fork's change\n");
      fork.commitAll('a fork');
      const forkEnv = { ...prEnv, STRATA_UNTRUSTED_REGISTRY: '', DOCKER_CONFIG: anonymous };
      const tagsBefore = { trusted: await backend.tags('trusted/acme/shop/app'), untrusted: await untrusted.tags('pr/acme/shop/app') };
      // A fork's runner: no Nx cache of this machine, so the base comes from the trusted namespace.
      expect(fork.nx(['reset'], forkEnv).exitCode).toBe(0);
      const started = Date.now();
      expectSuccess(fork.nx(['run-many', '-t', 'docker-build'], forkEnv));
      expect(fork.registryHitsSince(started)).toEqual(['default/base/linux/amd64']);
      expect(fork.builtSince(started)).toEqual(['default/app/linux/amd64']);
      const app = fork.record('default', 'app', 'linux-amd64')!;
      expect(app).toMatchObject({ mode: 'local', parentRef: `acme/shop/app:strata-${app.key}` });
      expect(
        execFileSync('docker', ['run', '--rm', '--entrypoint', 'cat', app.parentRef, '/app.txt', '/base-stamp'], { encoding: 'utf8' }),
      ).toBe("a fork's change\nbase\n");
      expect({ trusted: await backend.tags('trusted/acme/shop/app'), untrusted: await untrusted.tags('pr/acme/shop/app') }).toEqual(
        tagsBefore,
      );
    } finally {
      fork.remove();
      removeLocalImages('acme/shop/');
    }
  });
});
