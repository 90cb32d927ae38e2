import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace, VISION_LAYOUT } from '../test-utils/temp-workspace';
import { main } from './main';

describe('nx-strata command line', () => {
  let root: string;
  const cwd = process.cwd();
  afterEach(() => {
    process.chdir(cwd);
    if (root) removeTempWorkspace(root);
  });

  const capture = async (argv: string[]) => {
    const lines: string[] = [];
    const code = await main(argv, (text) => lines.push(text));
    return { code, output: lines.join('\n') };
  };

  it('prints usage for help and an unknown command', async () => {
    expect(await capture(['help'])).toMatchObject({ code: 0, output: expect.stringContaining('inspect [strata.json] [--json]') });
    expect(await capture(['bogus'])).toMatchObject({ code: 2, output: expect.stringContaining('unknown command "bogus"') });
  });

  it('matrix takes --format with its value: json and gitlab, nothing else', async () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'nx.json': JSON.stringify({ plugins: ['nx-strata'] }) });
    process.chdir(root);
    expect(await capture(['matrix', '--format', 'yaml'])).toEqual({
      code: 2,
      output: 'nx-strata matrix: --format "yaml" is not one of json, gitlab',
    });
    // Every revision git accepts is taken (it is quoted where it is written); only what git or GitLab would misread is not.
    expect((await capture(['matrix', '--format=gitlab', '--base', 'HEAD~1'])).output).not.toContain('revision');
    expect(await capture(['matrix', '--format=gitlab', '--base', '--output=/tmp/x'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('the revision "--output=/tmp/x" starts with "-", which git would read as an option'),
    });
    expect(await capture(['matrix', '--format=gitlab', '--head', 'main$CI_JOB_TOKEN'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('holds "$", which GitLab would expand as a variable'),
    });
  });

  it('inspect --json lists every layer task of a workspace with its own inputs', async () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'nx.json': JSON.stringify({ plugins: ['nx-strata'] }) });
    mkdirSync(join(root, 'docker', 'app', 'deep'), { recursive: true });
    process.chdir(join(root, 'docker', 'app', 'deep'));
    const { code, output } = await capture(['inspect', '--json']);
    expect(code).toBe(0);
    const layers = JSON.parse(output) as Array<{
      target: string;
      parent: string | null;
      inputs: string[];
      key: string;
      lastBuild: unknown;
    }>;
    expect(layers).toHaveLength(9);
    const app = layers.find((layer) => layer.target === 'docker-build--cuda--app--linux-amd64')!;
    expect(app.parent).toBe('docker-build--cuda--ml--linux-amd64');
    expect(app.inputs).toEqual(['docker/common/entrypoint.sh', 'requirements/app.txt', 'src/vision/main.py']);
    expect(app.key).toMatch(/^[0-9a-f]{16}$/);
    expect(app.lastBuild).toBeNull();
    const cpuApp = layers.find((layer) => layer.target === 'docker-build--cpu--app--linux-amd64')!;
    expect(cpuApp.key).not.toBe(app.key);
  });

  it('inspect --why says a layer was never built, and rejects an unknown target', async () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'nx.json': '{}' });
    process.chdir(root);
    expect(await capture(['inspect', '--why', 'vision:docker-build--cpu--ml--linux-arm64'])).toMatchObject({
      code: 0,
      output: expect.stringContaining('never built here'),
    });
    expect(await capture(['inspect', '--why=nope'])).toMatchObject({
      code: 1,
      output: expect.stringContaining('no layer target named "nope"'),
    });
  });
});
