import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { report } from './report';

describe('nx-strata report output files', () => {
  let root: string;
  let out: string[];
  const run = (flags: { markdown?: string; html?: string }) => report({ cwd: root, ...flags, out: (text) => void out.push(text) });
  beforeEach(() => {
    root = createTempWorkspace({ 'nx.json': '{}\n', 'package.json': '{ "name": "ws" }\n' });
    mkdirSync(join(root, '.nx/strata-history'), { recursive: true });
    copyFileSync(join(__dirname, '../report/fixtures/runs.jsonl'), join(root, '.nx/strata-history/runs.jsonl'));
    out = [];
  });
  afterEach(() => removeTempWorkspace(root));

  it('refuses to replace a file that is not a report of its own, and writes nothing', async () => {
    expect(await run({ markdown: 'package.json', html: 'tmp/report.html' })).toBe(2);
    expect(out.at(-1)).toContain('--markdown package.json exists and is not a Markdown report of nx-strata');
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe('{ "name": "ws" }\n');
    expect(await run({ html: '../report.html' })).toBe(2);
    expect(out.at(-1)).toContain('--html ../report.html is not a file inside the workspace');
  });

  it('writes its reports inside the workspace and replaces them on the next run', async () => {
    expect(await run({ markdown: 'tmp/report.md', html: 'tmp/report.html' })).toBe(0);
    expect(await run({ markdown: 'tmp/report.md', html: 'tmp/report.html' })).toBe(0);
    expect(readFileSync(join(root, 'tmp/report.md'), 'utf8')).toMatch(/^### nx-strata build report\n\n4 runs/);
    expect(readFileSync(join(root, 'tmp/report.html'), 'utf8')).toContain('<title>nx-strata build report</title>');
  });

  it('prints only the Markdown with --markdown - (for >> "$GITHUB_STEP_SUMMARY")', async () => {
    expect(await run({ markdown: '-' })).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^### nx-strata build report\n/);
  });
});
