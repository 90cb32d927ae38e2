import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderedDom, seriesValues } from './support/chromium';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { REPO_ROOT, VISION_EXAMPLE } from './support/paths';

const READY = 'data-report-ready="true"';

/** The build history the plugin records, and the report over it, opened in a real headless Chromium. */
describe('build report', () => {
  const local = { STRATA_REGISTRY: '' };
  let workspace: E2EWorkspace;
  const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-report-'));
  afterAll(() => {
    workspace?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('records every run of the real nx and reports it: terminal, Markdown, and an HTML page whose charts render', () => {
    workspace = E2EWorkspace.create(VISION_EXAMPLE);
    expect(workspace.buildAll(local)).toHaveLength(9);
    expectSuccess(workspace.nx(['run-many', '-t', 'docker-build'], local));

    const history = readFileSync(join(workspace.root, '.nx/strata-history/runs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(history).toHaveLength(2);
    expect(history[0].tasks.map((task: { outcome: string }) => task.outcome).sort()).toEqual(Array(9).fill('built'));
    expect(history[1].tasks.map((task: { outcome: string }) => task.outcome)).toEqual(Array(9).fill('local-cache'));
    expect(history[0].tasks.every((task: { sizeBytes: number; layerCount: number }) => task.sizeBytes > 0 && task.layerCount > 0)).toBe(
      true,
    );

    const report = workspace.cli(['report', '--markdown', 'tmp/report.md', '--html', 'tmp/report.html']);
    expect(report.exitCode).toBe(0);
    expect(report.output).toContain('hit rate    50% (9 hits: 9 local cache, 0 remote cache, 0 registry; 9 built; 0 failed, 0 skipped)');
    expect(readFileSync(join(workspace.root, 'tmp/report.md'), 'utf8')).toContain('| linux/arm64 | 6 | 3 | 3 | 50% |');

    const dom = renderedDom(join(workspace.root, 'tmp/report.html'), READY);
    expect(seriesValues(dom, 'chart-time', 'linux/amd64')).toHaveLength(6);
    expect(seriesValues(dom, 'chart-time', 'linux/arm64')).toHaveLength(3);
    expect(seriesValues(dom, 'chart-hit-rate', 'hit rate')).toEqual(['0', '100']);
    expect(seriesValues(dom, 'chart-size', 'linux/amd64')).toHaveLength(6);
  });

  test('the fixture history renders with exactly its series', () => {
    const directory = join(scratch, 'history');
    mkdirSync(directory, { recursive: true });
    copyFileSync(join(REPO_ROOT, 'packages/nx-strata/src/report/fixtures/runs.jsonl'), join(directory, 'runs.jsonl'));
    const report = workspace.cli(['report', '--history-dir', directory, '--html', 'tmp/fixture.html']);
    expect(report.exitCode).toBe(0);
    const dom = renderedDom(join(workspace.root, 'tmp/fixture.html'), READY);
    expect(seriesValues(dom, 'chart-time', 'linux/amd64')).toEqual(['10', '50', '5']);
    expect(seriesValues(dom, 'chart-time', 'linux/arm64')).toEqual(['110']);
    expect(seriesValues(dom, 'chart-hit-rate', 'hit rate')).toEqual(['0', '100', '50', '100']);
    expect(seriesValues(dom, 'chart-size', 'linux/amd64')).toEqual(['100', '1600', '2']);
    expect(dom).toContain('<b>57%</b>hit rate');
  });
});
