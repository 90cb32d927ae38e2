import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { LINT_RULES } from '../../lint/lint-rules';
import type { TaskLog } from '../task-log';
import { createTempWorkspace, removeTempWorkspace } from '../../test-utils/temp-workspace';
import dockerLintExecutor from './executor';
import type { DockerLintExecutorOptions } from './schema';

describe('docker-lint executor --sarif', () => {
  let root: string;
  let lines: string[];
  const log = {
    info: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
    error: (line: string) => lines.push(line),
    childOutput: () => undefined,
  } as unknown as TaskLog;
  const options = (sarif: string): DockerLintExecutorOptions => ({
    image: 'acme/shop',
    sarif,
    units: [
      {
        dockerfile: 'Dockerfile',
        args: {},
        final: false,
        layers: ['app (linux/amd64)'],
        severities: Object.fromEntries(LINT_RULES.map((rule) => [rule.id, 'off'])) as never,
        allowImages: [],
      },
    ],
  });
  beforeEach(() => {
    root = createTempWorkspace({ 'nx.json': '{ "plugins": ["nx-strata"] }\n', Dockerfile: 'FROM scratch\n' });
    lines = [];
  });
  afterEach(() => removeTempWorkspace(root));
  const run = (sarif: string) => dockerLintExecutor(options(sarif), { root } as ExecutorContext, log);

  it('refuses to overwrite nx.json, says why, and leaves it as it was', async () => {
    expect(await run('nx.json')).toEqual({ success: false });
    expect(lines.join('\n')).toContain('--sarif nx.json exists and is not a SARIF log, so it is not replaced');
    expect(readFileSync(join(root, 'nx.json'), 'utf8')).toBe('{ "plugins": ["nx-strata"] }\n');
  });

  it('writes a new SARIF log, then replaces its own log on the next run', async () => {
    expect(await run('dist/lint.sarif')).toEqual({ success: true });
    expect(JSON.parse(readFileSync(join(root, 'dist/lint.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(await run('dist/lint.sarif')).toEqual({ success: true });
    expect(existsSync(join(root, 'dist/lint.sarif'))).toBe(true);
  });
});
