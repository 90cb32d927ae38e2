import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';

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
});
