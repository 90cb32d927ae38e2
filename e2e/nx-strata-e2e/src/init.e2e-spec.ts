import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { VISION_EXAMPLE } from './support/paths';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };

/** A workspace as a user has it before nx-strata, with nx-strata installed the way they would: `npm i <tgz>`. */
function userWorkspace(tarball: string, files: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-init-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'team-repo', private: true, devDependencies: { nx: '24.0.6' } }, null, 2),
  );
  writeFileSync(join(root, 'nx.json'), '{}\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
  files(root);
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: root, env, stdio: 'pipe' });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  return root;
}

function nx(root: string, args: string[]): { status: number; output: string } {
  const run = spawnSync(join(root, 'node_modules/.bin/nx'), args, { cwd: root, env, encoding: 'utf8' });
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}

/** Fails with the command's own output when it did not succeed. */
function expectOk(run: { status: number; output: string }): void {
  if (run.status !== 0) throw new Error(`nx exited with ${run.status}:\n${run.output.slice(-4000)}`);
}

function commitAll(root: string): void {
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@nx-strata.invalid', 'commit', '-qm', 'snapshot'], { cwd: root });
}

const gitStatus = (root: string) => execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim();

describe('nx g nx-strata:init, installed from the packed tarball', () => {
  let tarball: string;
  const roots: string[] = [];
  beforeAll(() => {
    tarball = process.env.STRATA_E2E_TARBALL ?? '';
    expect(tarball).toMatch(/nx-strata-.*\.tgz$/); // packed by the e2e global setup
  });
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  test('the real-project layout: dry run shows the files, the run proposes the chains, a second run changes nothing', () => {
    const root = userWorkspace(tarball, (dir) => {
      for (const entry of ['docker', 'requirements', 'src', 'Makefile', '.dockerignore'])
        cpSync(join(VISION_EXAMPLE, entry), join(dir, entry), { recursive: true });
    });
    roots.push(root);
    commitAll(root);

    const dry = nx(root, ['g', 'nx-strata:init', '--dry-run']);
    expectOk(dry);
    expect(dry.output).toContain('UPDATE nx.json');
    expect(dry.output).toContain('CREATE strata.json');
    expect(dry.output).toContain('docker/app/Dockerfile builds on docker/cuda/Dockerfile.ml (Makefile:18 passes');
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
    expect(gitStatus(root)).toBe('');

    const run = nx(root, ['g', 'nx-strata:init']);
    expectOk(run);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual([{ plugin: 'nx-strata', options: {} }]);
    const shown = nx(root, ['show', 'project', 'vision', '--json']);
    expectOk(shown);
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

    const ci = nx(root, ['g', 'nx-strata:ci', '--provider=github', '--arm64Runner=ubuntu-24.04-arm']);
    expectOk(ci);
    expect(ci.output).toContain('CREATE .github/workflows/nx-strata.yml');
    const workflow = parse(readFileSync(join(root, '.github/workflows/nx-strata.yml'), 'utf8')) as { jobs: Record<string, unknown> };
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build', 'publish', 'summary']);

    commitAll(root);
    const again = nx(root, ['g', 'nx-strata:init']);
    expectOk(again);
    expect(again.output).toContain('already registered');
    expect(again.output).not.toMatch(/^(CREATE|UPDATE) /m);
    expect(gitStatus(root)).toBe('');
  });

  test('a workspace with no Dockerfiles: the plugin is registered, nothing else is written', () => {
    const root = userWorkspace(tarball, (dir) => writeFileSync(join(dir, 'index.js'), 'console.log("no images here")\n'));
    roots.push(root);
    commitAll(root);
    const run = nx(root, ['g', 'nx-strata:init']);
    expectOk(run);
    expect(run.output).toContain('no Dockerfiles found');
    expect(gitStatus(root)).toBe('M nx.json');
    expect(existsSync(join(root, 'strata.json'))).toBe(false);
    expectOk(nx(root, ['show', 'projects']));
  });
});
