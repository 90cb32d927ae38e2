import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES, VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/** Publishing: manifest lists assembled registry-side and copied to every registry, with zero builds. */
describe('docker-publish', () => {
  let build: TestRegistry;
  let first: TestRegistry;
  let second: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;

  const setPublish = (publish: object) => {
    const config = JSON.parse(workspace.read('strata.json'));
    config.publish = publish;
    workspace.write('strata.json', JSON.stringify(config, null, 2));
  };

  beforeAll(async () => {
    [build, first, second] = await Promise.all([TestRegistry.start(), TestRegistry.start(), TestRegistry.start()]);
    env = { STRATA_REGISTRY: `${build.host}/builds`, STRATA_VERSION: '1.4.2' };
    workspace = E2EWorkspace.create(VISION_EXAMPLE);
    const cold = workspace.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(cold);
  });
  afterAll(async () => {
    workspace?.remove();
    await Promise.all([build, first, second].map((registry) => registry?.destroy()));
  });

  test('3. publishes the cpu variant to two registries: one manifest list, same digest, both platforms, no build', async () => {
    setPublish({
      registries: [`${first.host}/acme`, `${second.host}/mirror`],
      tags: ['{version}-{variant}', 'latest-{variant}', '{variant}-latest', '{variant}-{platform}'],
    });
    const started = Date.now();
    const run = workspace.nx(['run', 'vision:docker-publish--cpu'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual([]);

    const digests = await Promise.all([first.digest('acme/acme/vision', '1.4.2-cpu'), second.digest('mirror/acme/vision', '1.4.2-cpu')]);
    expect(digests[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digests[1]).toBe(digests[0]);
    for (const tag of ['latest-cpu', 'cpu-latest']) expect(await first.digest('acme/acme/vision', tag)).toBe(digests[0]);
    expect(await second.tags('mirror/acme/vision')).toEqual([
      '1.4.2-cpu',
      'cpu-latest',
      'cpu-linux-amd64',
      'cpu-linux-arm64',
      'latest-cpu',
    ]);
    // publish.json says what each tag holds: the per-platform tags one platform each (issue 20 item 3).
    const record = JSON.parse(workspace.read('dist/strata/cpu/publish.json')) as {
      registries: Array<{ manifests: Array<{ tags: string[]; platforms: string[] }> }>;
    };
    const holds = Object.fromEntries(record.registries[0].manifests.map((manifest) => [manifest.tags.join(','), manifest.platforms]));
    expect(holds).toEqual({
      '1.4.2-cpu,latest-cpu,cpu-latest': ['linux/amd64', 'linux/arm64'],
      'cpu-linux-amd64': ['linux/amd64'],
      'cpu-linux-arm64': ['linux/arm64'],
    });

    const inspected = execFileSync('docker', ['buildx', 'imagetools', 'inspect', `${second.host}/mirror/acme/vision:1.4.2-cpu`], {
      encoding: 'utf8',
    });
    expect(inspected).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(inspected).toMatch(/Platform:\s+linux\/amd64/);
    expect(inspected).toMatch(/Platform:\s+linux\/arm64/);
    const raw = JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${first.host}/acme/acme/vision:latest-cpu`], {
        encoding: 'utf8',
      }),
    );
    const apps = ['linux-amd64', 'linux-arm64'].map((platform) => workspace.record('cpu', 'app', platform)!.digest);
    expect(raw.manifests.map((manifest: { digest: string }) => manifest.digest).sort()).toEqual(apps.sort());
  });

  test('4. an optional registry that is down: the others get the images, and the failed one is named', async () => {
    await second.pause();
    setPublish({ registries: [`${first.host}/acme`, { url: `${second.host}/mirror`, optional: true }], tags: ['{version}-{variant}'] });
    const run = workspace.nx(['run', 'vision:docker-publish--cuda'], { ...env, STRATA_VERSION: '1.4.3' });
    expectSuccess(run);
    expect(run.output).toContain(`publishing to ${second.host}/mirror (optional) failed`);
    expect(run.output).toContain(`variant cuda published to ${first.host}/acme; optional registry failed: ${second.host}/mirror`);
    const list = JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${first.host}/acme/acme/vision:1.4.3-cuda`], {
        encoding: 'utf8',
      }),
    );
    expect(
      list.manifests.map((manifest: { digest: string; platform: { architecture: string } }) => [
        manifest.digest,
        manifest.platform.architecture,
      ]),
    ).toEqual([[workspace.record('cuda', 'app', 'linux-amd64')!.digest, 'amd64']]);
    await second.resume();
  });

  test('an optional registry that accepts connections and never answers is skipped with the reason; the publish goes on', async () => {
    // The kernel completes the handshake for the listen backlog: connections succeed, nothing is ever answered.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      setPublish({ registries: [`${first.host}/acme`, { url: `${address}/silent`, optional: true }], tags: ['{version}-{variant}'] });
      const started = Date.now();
      const run = workspace.nx(['run', 'vision:docker-publish--cuda'], {
        ...env,
        STRATA_VERSION: '1.4.6',
        STRATA_REGISTRY_CONNECT_TIMEOUT: '2',
        STRATA_REGISTRY_RESPONSE_TIMEOUT: '3',
        STRATA_REGISTRY_IDLE_TIMEOUT: '3',
      });
      expectSuccess(run);
      expect(Date.now() - started).toBeLessThan(90_000);
      expect(run.output).toContain(`publishing to ${address}/silent (optional) failed: ${address} did not answer before the copy`);
      expect(await first.digest('acme/acme/vision', '1.4.6-cuda')).toMatch(/^sha256:/);
    } finally {
      held.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  test('a required registry that is down fails the publish and says what to do', async () => {
    await second.pause();
    setPublish({ registries: [`${first.host}/acme`, `${second.host}/mirror`], tags: ['{version}-{variant}'] });
    const run = workspace.nx(['run', 'vision:docker-publish--cuda'], { ...env, STRATA_VERSION: '1.4.4' });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(`publishing failed for ${second.host}/mirror`);
    expect(run.output).toContain('{ "optional": true }');
    expect(await first.digest('acme/acme/vision', '1.4.4-cuda')).toBeDefined();
    await second.resume();
  });

  test('a digest pruned from the build registry is found before copying, with the command that repairs it', async () => {
    const pruned = workspace.record('cuda', 'app', 'linux-amd64')!;
    expect(await build.deleteManifest('builds/acme/vision/app', pruned.digest)).toBe(202);
    setPublish({ registries: [`${first.host}/acme`], tags: ['{version}-{variant}'] });
    const run = workspace.nx(['run', 'vision:docker-publish--cuda', '--excludeTaskDependencies'], { ...env, STRATA_VERSION: '1.4.5' });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(`is no longer in ${build.host}/builds (pruned?)`);
    expect(run.output).toContain('npx nx run vision:docker-build--cuda--app--linux-amd64 --skip-nx-cache');
    expect(await first.digest('acme/acme/vision', '1.4.5-cuda')).toBeUndefined();
  });

  test('a tag that needs {version} without one stops before copying and says how to give it', () => {
    // With {variant}: two variants under one "{version}" tag are refused at graph creation (see the test below).
    setPublish({ registries: [`${first.host}/acme`], tags: ['{version}-{variant}'] });
    const run = workspace.nx(['run', 'vision:docker-publish--cpu', '--excludeTaskDependencies'], {
      STRATA_REGISTRY: env.STRATA_REGISTRY,
      STRATA_VERSION: '',
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('tag "{version}-{variant}" needs {version}: pass --version=<v>, set STRATA_VERSION');
  });

  test('two variants whose tags name the same reference are refused before anything runs, at the strata.json line', () => {
    setPublish({ registries: [`${first.host}/acme`], tags: ['{version}'] });
    const run = workspace.nx(['run', 'vision:docker-publish--cpu', '--excludeTaskDependencies'], env);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/strata\.json:\d+:\d+: variants "cpu" and "cuda" both publish acme\/vision:\{version\}/);
  });

  test('semantic tags: a release moves {major}.{minor}, {major} and latest; a pre-release of new code moves none of them', async () => {
    setPublish({
      registries: [`${first.host}/semver`],
      tags: ['{version}-{variant}', '{major}.{minor}-{variant}', '{major}-{variant}', 'latest-{variant}', '{branch}-{variant}'],
    });
    // The branch as GitHub Actions gives it, whatever CI runs this suite.
    const ci = {
      ...env,
      GITHUB_HEAD_REF: '',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_REF_NAME: 'release/1.x',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: '',
      CI_COMMIT_BRANCH: '',
    };
    const repository = 'semver/acme/vision';
    expectSuccess(workspace.nx(['run', 'vision:docker-publish--cpu'], { ...ci, STRATA_VERSION: '1.2.0' }));
    const release = await first.digest(repository, '1.2.0-cpu');
    expect(release).toMatch(/^sha256:/);
    for (const tag of ['1.2-cpu', '1-cpu', 'latest-cpu', 'release-1.x-cpu'])
      expect({ tag, digest: await first.digest(repository, tag) }).toEqual({ tag, digest: release });

    workspace.append('src/vision/__init__.py', '# the next release\n');
    workspace.commitAll('next');
    const rc = workspace.nx(['run', 'vision:docker-publish--cpu'], { ...ci, STRATA_VERSION: '1.3.0-rc.1' });
    expectSuccess(rc);
    expect(rc.output).toContain(
      'nx-strata: 1.3.0-rc.1 is a pre-release: {major}.{minor}-{variant}, {major}-{variant}, latest-{variant} stay where they are',
    );
    const candidate = await first.digest(repository, '1.3.0-rc.1-cpu');
    expect(candidate).toMatch(/^sha256:/);
    expect(candidate).not.toBe(release);
    for (const tag of ['1.2-cpu', '1-cpu', 'latest-cpu'])
      expect({ tag, digest: await first.digest(repository, tag) }).toEqual({ tag, digest: release });
    // A branch tag follows the branch, pre-release or not.
    expect(await first.digest(repository, 'release-1.x-cpu')).toBe(candidate);
    expect((await first.tags(repository)).sort()).toEqual([
      '1-cpu',
      '1.2-cpu',
      '1.2.0-cpu',
      '1.3.0-rc.1-cpu',
      'latest-cpu',
      'release-1.x-cpu',
    ]);
  });

  describe('signing (publish.sign)', () => {
    const SIGNER = { command: ['node', 'tools/sign.mjs', '{image}', '{digest}'], name: 'stand-in' };
    const signLog = () => join(workspace.root, 'sign-calls.log');
    const calls = () =>
      existsSync(signLog())
        ? readFileSync(signLog(), 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as string[])
        : [];
    beforeAll(() => {
      workspace.write('tools/sign.mjs', readFileSync(join(FIXTURES, 'signer/sign.mjs'), 'utf8'));
    });
    beforeEach(() => rmSync(signLog(), { force: true }));

    test('signs each manifest list once per registry, after the push, by digest', async () => {
      setPublish({
        registries: [`${first.host}/signed`, `${second.host}/signed`],
        tags: ['{version}-{variant}', 'latest-{variant}'],
        sign: SIGNER,
      });
      const run = workspace.nx(['run', 'vision:docker-publish--cpu', '--excludeTaskDependencies'], { ...env, SIGN_LOG: signLog() });
      expectSuccess(run);
      const digest = await first.digest('signed/acme/vision', '1.4.2-cpu');
      expect(digest).toMatch(/^sha256:/);
      expect(await second.digest('signed/acme/vision', '1.4.2-cpu')).toBe(digest);
      expect(calls()).toEqual([
        [`${first.host}/signed/acme/vision`, digest],
        [`${second.host}/signed/acme/vision`, digest],
      ]);
      for (const registry of [first, second])
        expect(await registry.tags('signed/acme/vision')).toContain(`${digest!.replace(':', '-')}.sig`);
      const record = JSON.parse(workspace.read('dist/strata/cpu/publish.json')) as {
        registries: Array<{ manifests: Array<{ signed?: boolean }> }>;
      };
      expect(record.registries.flatMap((entry) => entry.manifests.map((manifest) => manifest.signed))).toEqual([true, true]);
    });

    test('a signer that is not installed fails the publish before anything is pushed', async () => {
      setPublish({ registries: [`${first.host}/nosigner`], tags: ['{version}-{variant}'], sign: 'cosign' });
      const run = workspace.nx(['run', 'vision:docker-publish--cpu', '--excludeTaskDependencies'], {
        ...env,
        PATH: dirname(process.execPath),
      });
      expect(run.exitCode).not.toBe(0);
      expect(run.output).toContain('publish.sign asks cosign to sign every manifest list, and cosign is not installed here');
      expect(run.output).toContain('sigstore/cosign-installer');
      expect(await first.tags('nosigner/acme/vision')).toEqual([]);
    });

    test('a failed signature fails the publish, names what is pushed unsigned, and pushes nothing more', async () => {
      setPublish({ registries: [`${first.host}/badsign`, `${second.host}/badsign`], tags: ['{version}-{variant}'], sign: SIGNER });
      const run = workspace.nx(['run', 'vision:docker-publish--cpu', '--excludeTaskDependencies'], {
        ...env,
        SIGN_LOG: signLog(),
        SIGN_FAIL: '1',
      });
      expect(run.exitCode).not.toBe(0);
      const digest = await first.digest('badsign/acme/vision', '1.4.2-cpu');
      expect(run.output).toContain(`signing ${first.host}/badsign/acme/vision@${digest} with stand-in failed`);
      expect(run.output).toContain('stand-in signer: no signing key');
      expect(run.output).toContain(`Already pushed and not signed: ${first.host}/badsign/acme/vision:{1.4.2-cpu}@${digest}`);
      expect(calls()).toHaveLength(1);
      expect(await second.tags('badsign/acme/vision')).toEqual([]);
    });
  });
});
