import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
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
    expect(run.output).toMatch(
      new RegExp(
        `would run:\\ndocker buildx imagetools create (?:--annotation (?:'[^']*'|\\S+) )*--tag ${first.host}/acme/acme/vision:1\\.2\\.0-cpu ${build.host}/builds/acme/vision/app@sha256:[0-9a-f]{64} `,
      ),
    );
    expect(await first.tags(repository(first))).toEqual([]);
    expect(workspace.git('tag', '--list').trim()).toBe('');
  });

  test('nx release 1.2.0 versions, writes the changelog and tags; nx release publish then publishes that version to both registries with no build', async () => {
    expectSuccess(workspace.nx(['release', '1.2.0', '--first-release', '--skip-publish'], env));
    expect(workspace.git('tag', '--points-at', 'HEAD').trim()).toBe('v1.2.0');
    expect(workspace.read('CHANGELOG.md')).toContain('## 1.2.0');

    const started = Date.now();
    const publish = workspace.nx(['release', 'publish'], env);
    expectSuccess(publish);
    // The builds and tests the dry run made are cache hits: nothing is built to publish.
    expect(workspace.builtSince(started)).toEqual([]);
    expect(publishPart(publish.output)).toContain(
      'nx-strata: nx release publish: vision 1.2.0 (release tag at HEAD) through docker-publish--cpu',
    );
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
 * What the nx-release-publish task printed, and the run's summary after it; when Nx showed no output of that task, the
 * end of the run. A failed expectation then shows that part, not the version, changelog and build output before it.
 */
function publishPart(output: string): string {
  const start = output.lastIndexOf('nx run vision:nx-release-publish');
  return start === -1 ? `(no output of vision:nx-release-publish; the run ends with:)\n${output.slice(-5000)}` : output.slice(start);
}
