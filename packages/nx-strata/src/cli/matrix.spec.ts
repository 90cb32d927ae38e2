import { createTempWorkspace } from '../test-utils/temp-workspace';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { matrix } from './matrix';

const VISION = resolve(__dirname, '../../../../examples/vision');

describe('nx-strata matrix', () => {
  let root: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: root, stdio: 'pipe' });
  beforeEach(() => {
    root = createTempWorkspace({});
    cpSync(VISION, root, { recursive: true, filter: (source) => !/node_modules|[/\\]dist$|[/\\]\.nx$/.test(source) });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'change');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function pairsAfter(change: () => void, extra: { arm64Runner?: string } = {}): Promise<Array<Record<string, unknown>>> {
    change();
    git('add', '-A');
    git('commit', '-qm', 'change');
    const lines: string[] = [];
    expect(await matrix({ cwd: root, base: 'main', out: (text) => lines.push(text), ...extra })).toBe(0);
    return (JSON.parse(lines.join('\n')) as { include: Array<Record<string, unknown>> }).include;
  }

  it('a code change affects every platform, through the app layers only', async () => {
    const include = await pairsAfter(() => appendFileSync(join(root, 'src/vision/main.py'), '# change\n'));
    expect(include.map((entry) => [entry.platform, entry.target, entry.qemu, entry.layers])).toEqual([
      ['linux/amd64', 'docker-build--linux-amd64', false, ['docker-build--cpu--app--linux-amd64', 'docker-build--cuda--app--linux-amd64']],
      ['linux/arm64', 'docker-build--linux-arm64', true, ['docker-build--cpu--app--linux-arm64']],
    ]);
  });

  it('a change to the arm64 base Dockerfile affects only linux/arm64, on the native runner when there is one', async () => {
    const include = await pairsAfter(() => appendFileSync(join(root, 'docker/arm64/Dockerfile.base'), 'RUN true\n'), {
      arm64Runner: 'ubuntu-24.04-arm',
    });
    expect(include).toEqual([
      {
        project: 'vision',
        platform: 'linux/arm64',
        target: 'docker-build--linux-arm64',
        runner: 'ubuntu-24.04-arm',
        qemu: false,
        layers: ['docker-build--cpu--base--linux-arm64', 'docker-build--cpu--ml--linux-arm64', 'docker-build--cpu--app--linux-arm64'],
      },
    ]);
  });

  it('a change no layer reads gives an empty matrix', async () => {
    expect(await pairsAfter(() => appendFileSync(join(root, 'NOTES.md'), 'more notes\n'))).toEqual([]);
  });

  it('says what to do when the base cannot be compared', async () => {
    const lines: string[] = [];
    expect(await matrix({ cwd: root, base: 'no-such-branch', out: (text) => lines.push(text) })).toBe(1);
    expect(lines.join('\n')).toMatch(/git diff --name-only no-such-branch\.\.\.HEAD.*failed[\s\S]*fetch-depth: 0/);
  });
});
