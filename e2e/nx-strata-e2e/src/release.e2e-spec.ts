import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { NpmRegistryStandIn } from './support/npm-registry-stand-in';
import { platformOf, rawManifest } from './support/oci-manifest';
import { FIXTURES, VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * nx release drives image releases: the image project is versioned without a package.json (git tags), the changelog
 * covers it, and `nx release publish` publishes its manifest lists with that version's tags to every registry,
 * behind the same gates as docker-publish and with no build of its own.
 */
describe('nx release', () => {
  let build: TestRegistry;
  let first: TestRegistry;
  let second: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const repository = (registry: TestRegistry) => (registry === first ? 'acme/acme/vision' : 'mirror/acme/vision');

  beforeAll(async () => {
    [build, first, second] = await Promise.all([TestRegistry.start(), TestRegistry.start(), TestRegistry.start()]);
    // A trusted release job (a run on main in CI): its builds and publishes use the trusted namespace.
    env = { STRATA_REGISTRY: `${build.host}/builds`, STRATA_TRUST: 'trusted', STRATA_VERSION: '' };
    workspace = E2EWorkspace.create(VISION_EXAMPLE);
    const nxJson = JSON.parse(workspace.read('nx.json'));
    nxJson.release = {
      projects: ['vision'],
      releaseTag: { pattern: 'v{version}' },
      version: { currentVersionResolver: 'git-tag' },
      changelog: { workspaceChangelog: { createRelease: false } },
    };
    workspace.write('nx.json', JSON.stringify(nxJson, null, 2));
    const config = JSON.parse(workspace.read('strata.json'));
    config.publish = {
      registries: [`${first.host}/acme`, `${second.host}/mirror`],
      tags: ['{version}-{variant}', '{major}.{minor}-{variant}', '{major}-{variant}', 'latest-{variant}'],
    };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    workspace.commitAll('release settings');
  });
  afterAll(async () => {
    workspace?.remove();
    await Promise.all([build, first, second].map((registry) => registry?.destroy()));
  });

  test('nx release --dry-run versions, previews the changelog and prints what publish would push: nothing is pushed or tagged', async () => {
    const run = workspace.nx(['release', '1.2.0', '--first-release', '--dry-run', '--yes'], env);
    expectSuccess(run);
    expect(run.output).toContain('vision ✍️  No manifest to write: vision is published as 1.2.0 by nx release publish');
    expect(publishPart(run.output)).toContain(
      'nx-strata: nx release publish: vision 1.2.0 (from nx release) through docker-publish--cpu, dry run',
    );
    // A dry run builds nothing either (issue 26 item 1): the sources are the images the layers' builds would give.
    expect(run.output).toMatch(
      new RegExp(
        `would run:\\ndocker buildx imagetools create (?:--annotation (?:'[^']*'|\\S+) )*--tag ${first.host}/acme/acme/vision:1\\.2\\.0-cpu '<the image docker-build--cpu--app--linux-amd64 would give>' `,
      ),
    );
    expect(run.output).toContain('nx-strata: dry run for layer "app" (variant cpu, linux/arm64)');
    expect(workspace.records()).toEqual([]);
    expect(await build.tags('builds/acme/vision/app')).toEqual([]);
    expect(await first.tags(repository(first))).toEqual([]);
    expect(workspace.git('tag', '--list').trim()).toBe('');
  });

  test('nx release 1.2.0 versions, writes the changelog and tags; nx release publish then publishes that version to both registries with no build', async () => {
    expectSuccess(workspace.nx(['release', '1.2.0', '--first-release', '--skip-publish'], env));
    expect(workspace.git('tag', '--points-at', 'HEAD').trim()).toBe('v1.2.0');
    expect(workspace.read('CHANGELOG.md')).toContain('## 1.2.0');

    // The build jobs of the release pipeline: then publish builds nothing.
    expectSuccess(workspace.nx(['run-many', '-t', 'docker-build,docker-test,docker-lint'], env));
    const started = Date.now();
    const publish = workspace.nx(['release', 'publish'], env);
    expectSuccess(publish);
    // The builds and tests that ran before are cache hits: nothing is built to publish.
    expect(workspace.builtSince(started)).toEqual([]);
    expect(publishPart(publish.output)).toContain(
      'nx-strata: nx release publish: vision 1.2.0 (release tag at HEAD) through docker-publish--cpu',
    );
    // The history counts the release's publish (one nx-release-publish task for every variant), as it counts docker-publish.
    expect(workspace.cli(['report', '--last', '1']).output).toContain('publishes 1 done');
    for (const variant of ['cpu', 'cuda']) {
      const digest = await first.digest(repository(first), `1.2.0-${variant}`);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      for (const registry of [first, second])
        for (const tag of ['1.2.0', '1.2', '1', 'latest'].map((version) => `${version}-${variant}`))
          expect({ tag, digest: await registry.digest(repository(registry), tag) }).toEqual({ tag, digest });
    }
  });

  test('a pre-release through nx release moves neither 1.2 nor 1 nor latest', async () => {
    const released = await first.digest(repository(first), '1.2-cpu');
    workspace.append('src/vision/__init__.py', '# the next release\n');
    workspace.commitAll('feat: the next release');
    const run = workspace.nx(['release', '1.3.0-rc.1', '--yes'], env);
    expectSuccess(run);
    expect(publishPart(run.output)).toContain(
      'nx-strata: nx release publish: vision 1.3.0-rc.1 (from nx release) through docker-publish--cpu',
    );
    const candidate = await first.digest(repository(first), '1.3.0-rc.1-cpu');
    expect(candidate).toMatch(/^sha256:/);
    expect(candidate).not.toBe(released);
    for (const tag of ['1.2-cpu', '1-cpu', 'latest-cpu'])
      expect({ tag, digest: await first.digest(repository(first), tag) }).toEqual({ tag, digest: released });
    expect(workspace.git('tag', '--list').trim().split('\n').sort()).toEqual(['v1.2.0', 'v1.3.0-rc.1']);
  });
});

/**
 * A mixed release group as teams have it: the image and a JS package versioned together (one fixed group, one tag),
 * on Nx 23 with @nx/js (whose version actions and publish the JS package gets, as ours go to the image). The package
 * publishes to a stand-in npm registry (its scope's registry in .npmrc, with a token for that host only).
 */
const CONTAINERD = process.env.STRATA_E2E_ENGINE === 'containerd';

describe('nx release: an image and a JS package in one release group (Nx 23, @nx/js)', () => {
  let build: TestRegistry;
  let first: TestRegistry;
  let second: TestRegistry;
  let npm: NpmRegistryStandIn;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const signLog = () => join(workspace.root, 'sign-calls.log');

  beforeAll(async () => {
    [build, first, second] = await Promise.all([TestRegistry.start(), TestRegistry.start(), TestRegistry.start()]);
    npm = await NpmRegistryStandIn.start('e2e-npm-token');
    workspace = E2EWorkspace.forUser(
      (root) => {
        cpSync(VISION_EXAMPLE, root, {
          recursive: true,
          filter: (source) => !/[/\\](node_modules|dist|\.nx|package\.json|nx\.json|\.gitignore)$/.test(source),
        });
        const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
        manifest.workspaces = ['packages/*'];
        manifest.devDependencies['@nx/js'] = '23.3.1';
        writeFileSync(join(root, 'package.json'), JSON.stringify(manifest, null, 2));
        mkdirSync(join(root, 'packages/client'), { recursive: true });
        writeFileSync(
          join(root, 'packages/client/package.json'),
          JSON.stringify({ name: '@acme/vision-client', version: '1.0.0', main: 'index.js' }, null, 2),
        );
        writeFileSync(join(root, 'packages/client/index.js'), 'module.exports = { model: "vision" };\n');
        const host = npm.url.replace(/^http:/, '');
        writeFileSync(join(root, '.npmrc'), `@acme:registry=${npm.url}\n${host}:_authToken=e2e-npm-token\n`);
        writeFileSync(
          join(root, 'nx.json'),
          JSON.stringify(
            {
              plugins: [{ plugin: 'nx-strata', options: {} }],
              // Docker 26 (containerd store) pushes each layer as an index with its provenance; the classic store cannot.
              ...(CONTAINERD ? { targetDefaults: { 'nx-strata:docker-build': { options: { provenance: 'min' } } } } : {}),
              release: {
                groups: {
                  shipped: {
                    projects: ['vision', '@acme/vision-client'],
                    projectsRelationship: 'fixed',
                    releaseTag: { pattern: 'v{version}' },
                  },
                },
                version: { currentVersionResolver: 'git-tag', fallbackCurrentVersionResolver: 'disk' },
                changelog: { workspaceChangelog: { createRelease: false } },
              },
            },
            null,
            2,
          ),
        );
        const config = JSON.parse(readFileSync(join(root, 'strata.json'), 'utf8'));
        config.publish = {
          registries: [`${first.host}/acme`, `${second.host}/mirror`],
          tags: ['{version}-{variant}', '{major}.{minor}-{variant}', '{major}-{variant}', 'latest-{variant}'],
          sign: { command: ['node', 'tools/sign.mjs', '{image}', '{digest}'], name: 'stand-in' },
          annotations: { 'org.opencontainers.image.description': 'Vision inference, layered' },
        };
        writeFileSync(join(root, 'strata.json'), JSON.stringify(config, null, 2));
        mkdirSync(join(root, 'tools'), { recursive: true });
        writeFileSync(join(root, 'tools/sign.mjs'), readFileSync(join(FIXTURES, 'signer/sign.mjs'), 'utf8'));
      },
      { nx: '23.3.1' },
    );
    // As create-nx-workspace writes it: .nx/version-plans is committed.
    writeFileSync(join(workspace.root, '.gitignore'), 'node_modules\n.nx/cache\n.nx/workspace-data\ndist\nsign-calls.log\n');
    workspace.commitAll('an image and a JS package, released together');
    env = { STRATA_REGISTRY: `${build.host}/builds`, STRATA_TRUST: 'trusted', STRATA_VERSION: '', SIGN_LOG: signLog() };
  });
  afterAll(async () => {
    workspace?.remove();
    await Promise.all([build, first, second].map((registry) => registry?.destroy()));
    npm?.close();
  });

  test('nx release --dry-run versions both, runs both publish steps as dry runs: nothing pushed, signed, written or tagged', async () => {
    const run = workspace.nx(['release', '1.2.0', '--first-release', '--dry-run', '--yes'], env);
    expectSuccess(run);
    expect(run.output).toContain('@acme/vision-client ✍️  New version 1.2.0 written to manifest: packages/client/package.json');
    expect(publishPart(run.output)).toContain(
      'nx-strata: nx release publish: vision 1.2.0 (from nx release) through docker-publish--cuda, dry run',
    );
    expect(run.output).toMatch(/> nx run @acme\/vision-client:nx-release-publish[\s\S]*@acme\/vision-client@X\.X\.X-dry-run/);
    expect(await first.tags('acme/acme/vision')).toEqual([]);
    expect(npm.published()).toEqual([]);
    expect(existsSync(signLog())).toBe(false);
    expect(JSON.parse(workspace.read('packages/client/package.json')).version).toBe('1.0.0');
    expect(workspace.git('tag', '--list').trim()).toBe('');
  });

  test('nx release 1.2.0 versions the package and the image under one tag; nx release publish publishes both, and builds nothing', async () => {
    expectSuccess(workspace.nx(['release', '1.2.0', '--first-release', '--skip-publish'], env));
    expect(workspace.git('tag', '--points-at', 'HEAD').trim()).toBe('v1.2.0');
    expect(JSON.parse(workspace.read('packages/client/package.json')).version).toBe('1.2.0');
    expect(workspace.read('CHANGELOG.md')).toContain('## 1.2.0');

    rmSync(signLog(), { force: true });
    // The build jobs of the release pipeline (the dry run before built nothing): then publish builds nothing.
    expectSuccess(workspace.nx(['run-many', '-t', 'docker-build,docker-test,docker-lint', '--projects=vision'], env));
    const started = Date.now();
    const publish = workspace.nx(['release', 'publish'], env);
    expectSuccess(publish);
    expect(npm.published()).toEqual([
      { name: '@acme/vision-client', versions: ['1.2.0'], distTags: { latest: '1.2.0' }, authorized: true },
    ]);
    expect(workspace.builtSince(started)).toEqual([]);
    expect(publishPart(publish.output)).toContain(
      'nx-strata: nx release publish: vision 1.2.0 (release tag at HEAD) through docker-publish--cpu',
    );
    const signed: string[][] = [];
    for (const variant of ['cpu', 'cuda']) {
      const digest = await first.digest('acme/acme/vision', `1.2.0-${variant}`);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      for (const [registry, repository] of [
        [first, 'acme/acme/vision'],
        [second, 'mirror/acme/vision'],
      ] as const) {
        for (const tag of ['1.2.0', '1.2', '1', 'latest'].map((version) => `${version}-${variant}`))
          expect({ tag, digest: await registry.digest(repository, tag) }).toEqual({ tag, digest });
        signed.push([`${registry.host}/${repository}`, digest!]);
      }
    }
    // The stand-in signer ran once per manifest list per registry, with the list's digest.
    const calls = readFileSync(signLog(), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
    expect(calls.sort()).toEqual(signed.sort());
  });

  test('each registry holds the same list for 1.2.0: both platforms, the release annotations, each platform names its base, with its provenance (Docker 26)', () => {
    const refs = [`${first.host}/acme/acme/vision:1.2.0-cpu`, `${second.host}/mirror/acme/vision:1.2.0-cpu`];
    const [list, mirrored] = refs.map(rawManifest);
    expect(mirrored).toEqual(list);
    const images = list.manifests!.filter((entry) => platformOf(entry) !== 'unknown/unknown');
    expect(images.map(platformOf).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    if (!CONTAINERD) {
      // The classic store pushes plain Docker manifests: the list is a Docker manifest list, which has no annotations.
      expect(list.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
      return;
    }
    expect(list.annotations).toMatchObject({
      'org.opencontainers.image.version': '1.2.0',
      'org.opencontainers.image.revision': workspace.git('rev-parse', 'HEAD').trim(),
      'org.opencontainers.image.title': 'vision',
      'org.opencontainers.image.description': 'Vision inference, layered',
    });
    for (const image of images) {
      const platform = platformOf(image).replace('/', '-');
      const ml = workspace.record('cpu', 'ml', platform)!;
      expect({ platform, annotations: rawManifest(`${first.host}/acme/acme/vision@${image.digest}`).annotations }).toEqual({
        platform,
        annotations: {
          'org.opencontainers.image.base.name': `${build.host}/builds/acme/vision/ml:strata-${ml.key}`,
          'org.opencontainers.image.base.digest': ml.digest,
        },
      });
      const attestation = list.manifests!.find((entry) => entry.annotations?.['vnd.docker.reference.digest'] === image.digest);
      expect({ platform, attestation: attestation && platformOf(attestation) }).toEqual({ platform, attestation: 'unknown/unknown' });
    }
    for (const ref of refs) {
      const provenance = JSON.parse(
        execFileSync('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Provenance}}'], { encoding: 'utf8' }),
      ) as Record<string, { SLSA?: unknown }>;
      expect({ ref, platforms: Object.keys(provenance).sort() }).toEqual({ ref, platforms: ['linux/amd64', 'linux/arm64'] });
    }
  });

  test('with version plans, nx release takes the bump from the plan: 1.3.0 for both, published with no build, latest moved', async () => {
    const nxJson = JSON.parse(workspace.read('nx.json'));
    nxJson.release.groups.shipped.versionPlans = true;
    workspace.write('nx.json', JSON.stringify(nxJson, null, 2));
    workspace.write('.nx/version-plans/faster-model.md', '---\nshipped: minor\n---\n\nA faster model.\n');
    workspace.commitAll('chore: version plans, and a plan for the next release');

    const started = Date.now();
    const run = workspace.nx(['release', '--yes'], env);
    expectSuccess(run);
    expect(workspace.git('tag', '--points-at', 'HEAD').trim()).toBe('v1.3.0');
    expect(JSON.parse(workspace.read('packages/client/package.json')).version).toBe('1.3.0');
    expect(workspace.read('CHANGELOG.md')).toContain('A faster model.');
    expect(existsSync(join(workspace.root, '.nx/version-plans/faster-model.md'))).toBe(false);
    expect(publishPart(run.output)).toContain('nx-strata: nx release publish: vision 1.3.0 (from nx release) through docker-publish--cpu');
    expect(workspace.builtSince(started)).toEqual([]);
    expect(npm.published().map((entry) => entry.versions)).toEqual([['1.2.0'], ['1.3.0']]);
    const released = await first.digest('acme/acme/vision', '1.3.0-cpu');
    expect(released).toMatch(/^sha256:/);
    for (const tag of ['1.3-cpu', '1-cpu', 'latest-cpu'])
      expect({ tag, digest: await second.digest('mirror/acme/vision', tag) }).toEqual({ tag, digest: released });
    // 1.2 stays on 1.2.0 (on the classic store both lists are the same bytes: Docker manifest lists carry no version).
    expect(await first.digest('acme/acme/vision', '1.2-cpu')).toBe(await first.digest('acme/acme/vision', '1.2.0-cpu'));
  });
});

/**
 * What the nx-release-publish task printed, and the run's summary after it; when Nx showed no output of that task, the
 * end of the run. A failed expectation then shows that part, not the version, changelog and build output before it.
 */
function publishPart(output: string): string {
  // Nx's task header, else the task's own first line: a run whose output lost the header still shows what publish did.
  const header = output.lastIndexOf('nx run vision:nx-release-publish');
  const start = header === -1 ? output.indexOf('nx-strata: nx release publish:') : header;
  return start === -1 ? `(no output of vision:nx-release-publish; the run ends with:)\n${output.slice(-5000)}` : output.slice(start);
}
