import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawnSync } from 'node:child_process';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

describe('nx g nx-strata:init, installed from the packed tarball', () => {
  const workspaces: E2EWorkspace[] = [];
  afterAll(() => workspaces.forEach((workspace) => workspace.remove()));

  test('the real-project layout: dry run shows the files, the run proposes the chains, a second run changes nothing', () => {
    const workspace = E2EWorkspace.forUser((dir) => {
      for (const entry of ['docker', 'requirements', 'src', 'Makefile', '.dockerignore'])
        cpSync(join(VISION_EXAMPLE, entry), join(dir, entry), { recursive: true });
    });
    workspaces.push(workspace);
    const root = workspace.root;
    workspace.commitAll('before nx-strata');

    const dry = workspace.nx(['g', 'nx-strata:init', '--dry-run']);
    expectSuccess(dry);
    expect(dry.output).toContain('UPDATE nx.json');
    // Its Dockerfiles sit under docker/ at the root: the image gets a directory of its own, never the workspace root.
    expect(dry.output).toContain('CREATE images/vision/strata.json');
    expect(dry.output).toContain('acme/vision: its strata.json goes to images/vision/strata.json, not the workspace root');
    expect(dry.output).toContain('docker/app/Dockerfile builds on docker/cuda/Dockerfile.ml (Makefile:18 passes');
    expect(existsSync(join(root, 'images/vision/strata.json'))).toBe(false);
    expect(workspace.gitStatus()).toBe('');

    const run = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(run);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
    const shown = workspace.nx(['show', 'project', 'vision-image', '--json']);
    expectSuccess(shown);
    const targets = Object.keys(JSON.parse(shown.output.slice(shown.output.indexOf('{'))).targets).filter(
      (name) => name.startsWith('docker-build--') && name.split('--').length === 4,
    );
    expect(targets.sort()).toEqual(
      [
        'cpu--base--linux-amd64',
        'cpu--base--linux-arm64',
        'cpu--ml--linux-amd64',
        'cpu--ml--linux-arm64',
        'cpu--app--linux-amd64',
        'cpu--app--linux-arm64',
        'cuda--base--linux-amd64',
        'cuda--ml--linux-amd64',
        'cuda--app--linux-amd64',
      ]
        .map((name) => `docker-build--${name}`)
        .sort(),
    );
    const arm64Ml = JSON.parse(shown.output.slice(shown.output.indexOf('{'))).targets['docker-build--cpu--ml--linux-arm64'];
    expect(JSON.stringify(arm64Ml)).toContain('docker/arm64/Dockerfile.ml');

    const ci = workspace.nx(['g', 'nx-strata:ci', '--provider=github', '--arm64Runner=ubuntu-24.04-arm']);
    expectSuccess(ci);
    expect(ci.output).toContain('CREATE .github/workflows/nx-strata.yml');
    const workflow = parse(readFileSync(join(root, '.github/workflows/nx-strata.yml'), 'utf8')) as { jobs: Record<string, unknown> };
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build-pr', 'build-main', 'publish', 'summary']);

    workspace.commitAll('after init');
    const again = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(again);
    expect(again.output).toContain('already registered');
    expect(again.output).not.toMatch(/^(CREATE|UPDATE) /m);
    expect(workspace.gitStatus()).toBe('');

    // The proposed image is selected by what its layers read, never by a README (issue 26 item 2).
    const matrix = () => {
      const run = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD']);
      expectSuccess(run);
      return (JSON.parse(run.output) as { include: Array<{ project: string; platform: string; why: string }> }).include;
    };
    writeFileSync(join(root, 'README.md'), '# vision\n');
    workspace.commitAll('a README');
    expect(matrix()).toEqual([]);
    writeFileSync(join(root, 'src/vision/main.py'), `${readFileSync(join(root, 'src/vision/main.py'), 'utf8')}# changed\n`);
    workspace.commitAll('a code change');
    expect(matrix().map((entry) => `${entry.project} ${entry.platform} ${entry.why}`)).toEqual([
      'vision-image linux/amd64 src/vision/main.py',
      'vision-image linux/arm64 src/vision/main.py',
    ]);
  });

  test('a workspace with no Dockerfiles: the plugin is registered, nothing else is written', () => {
    const workspace = E2EWorkspace.forUser((dir) => writeFileSync(join(dir, 'index.js'), 'console.log("no images here")\n'));
    workspaces.push(workspace);
    const root = workspace.root;
    workspace.commitAll('before nx-strata');
    const run = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(run);
    expect(run.output).toContain('no Dockerfiles found');
    expect(workspace.gitStatus()).toBe('M nx.json');
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
    expectSuccess(workspace.nx(['show', 'projects']));
  });
  test('publishes the way the repository does today: its registry and semver tags, on its release tags, by the generated step', async () => {
    const registry = await TestRegistry.start();
    try {
      const workflow = [
        'name: docker',
        'on:',
        '  push:',
        "    tags: ['v*.*.*']",
        'env:',
        `  REGISTRY: ${registry.host}`,
        'jobs:',
        '  publish:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: docker/login-action@v3',
        '        with:',
        '          registry: ${{ env.REGISTRY }}',
        '          username: ${{ vars.LEDGER_REGISTRY_USER }}',
        '          password: ${{ secrets.LEDGER_REGISTRY_TOKEN }}',
        '      - id: meta',
        '        uses: docker/metadata-action@v5',
        '        with:',
        '          images: ${{ env.REGISTRY }}/acme/ledger',
        '          tags: |',
        '            type=semver,pattern={{version}}',
        '            type=semver,pattern={{major}}.{{minor}}',
        '            type=sha',
        '            type=ref,event=pr',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          context: .',
        '          push: true',
        '          tags: ${{ steps.meta.outputs.tags }}',
        '',
      ].join('\n');
      const workspace = E2EWorkspace.forUser((dir) => {
        writeFileSync(join(dir, 'Dockerfile'), 'FROM strata-fixtures/busybox:amd64\nCOPY src /srv/ledger\nUSER 65534\n');
        mkdirSync(join(dir, 'src'));
        writeFileSync(join(dir, 'src/ledger.txt'), 'ledger\n');
        mkdirSync(join(dir, '.github/workflows'), { recursive: true });
        writeFileSync(join(dir, '.github/workflows/docker.yml'), workflow);
      });
      workspaces.push(workspace);
      workspace.commitAll('before nx-strata');

      const init = workspace.nx(['g', 'nx-strata:init']);
      expectSuccess(init);
      const config = JSON.parse(workspace.read('images/ledger/strata.json')) as Record<string, unknown>;
      expect(config).toMatchObject({
        image: 'acme/ledger',
        publish: { registries: [registry.host], tags: ['{version}', '{major}.{minor}', 'sha-{sha}', 'latest'] },
      });
      expect(init.output).toContain('image acme/ledger ← .github/workflows/docker.yml:17 (job publish, step 3) (metadata-action images)');
      expect(init.output).toContain(
        'publish.tags {version}, {major}.{minor}, sha-{sha}, latest ← .github/workflows/docker.yml:17 (job publish, step 3) (metadata-action tags)',
      );
      expect(init.output).toContain('published on tag pushes v*.*.* ← .github/workflows/docker.yml:2');
      // What it cannot map is named once, with its own line.
      expect(init.output.split('.github/workflows/docker.yml:25: tag rule type=ref,event=pr').length).toBe(2);

      const ci = workspace.nx(['g', 'nx-strata:ci', '--provider=github']);
      expectSuccess(ci);
      const generated = parse(workspace.read('.github/workflows/nx-strata.yml')) as {
        on: { push: { tags?: string[] } };
        jobs: Record<
          string,
          { env?: Record<string, string>; steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }
        >;
      };
      expect(generated.on.push.tags).toEqual(['v*.*.*']);
      expect(Object.keys(generated.jobs)).not.toContain('publish');
      const release = generated.jobs['publish-release'];
      // Its own login for its registry, with the repository's own secret names.
      expect(release.steps.filter((step) => step.uses === 'docker/login-action@v3').map((step) => step.with)).toContainEqual({
        registry: registry.host,
        username: '${{ vars.LEDGER_REGISTRY_USER }}',
        password: '${{ secrets.LEDGER_REGISTRY_TOKEN }}',
      });
      workspace.commitAll('nx-strata');
      workspace.git('tag', 'v1.4.2');

      // The release step as GitHub runs it on the tag push, against a real registry: the tags metadata-action gave.
      const script = release.steps.find((step) => step.run?.includes('STRATA_VERSION'))!.run!;
      const published = spawnSync('bash', ['-e', '-c', script], {
        cwd: workspace.root,
        env: {
          ...process.env,
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_TUI: 'false',
          STRATA_REGISTRY: `${registry.host}/builds`,
          STRATA_TRUST: 'trusted',
          RELEASE_TAG: 'v1.4.2',
          TAG_PREFIX: release.env!.TAG_PREFIX,
        },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect({ status: published.status, output: published.status === 0 ? '' : `${published.stdout}\n${published.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
      const sha = workspace.git('rev-parse', '--short', 'HEAD').trim();
      expect(await registry.tags('acme/ledger')).toEqual(['1.4', '1.4.2', 'latest', `sha-${sha}`].sort());
    } finally {
      await registry.destroy();
    }
  });
});
