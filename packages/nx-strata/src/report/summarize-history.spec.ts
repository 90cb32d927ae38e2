import { join } from 'node:path';
import type { HistoryCheck, HistoryRun } from './history-types';
import { chartData } from './render-html';
import { renderMarkdown, renderTerminal } from './render-text';
import { readHistory } from './run-history';
import { summarizeHistory } from './summarize-history';

// Four runs: cold (4 built), no-op (4 hits), an ml change (2 built, 2 hits), then 2 hits, 1 failure, 1 skip; and a torn line.
const history = readHistory(join(__dirname, 'fixtures'));

describe('summarizeHistory on the fixture history', () => {
  const summary = summarizeHistory(history);

  it('reads the four whole runs and skips the torn line', () => {
    expect(history.map((run) => run.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('counts outcomes and the hit rate over tasks that finished', () => {
    expect(summary.runs).toBe(4);
    expect(summary.tasks).toBe(16);
    expect(summary.outcomes).toEqual({ built: 6, 'registry-hit': 1, 'local-cache': 5, 'remote-cache': 2, failed: 1, skipped: 1 });
    expect(summary.hitRate).toBeCloseTo(8 / 14, 10);
  });

  it("prices each hit at its target's last real build before it", () => {
    expect(summary.timeSpentMs).toBe(357_500);
    // r2: 10 + 60 + 120 + 5 s; r3: 10 + 5 s; r4: 10 + 50 s (ml's build in r3, not r1)
    expect(summary.timeSavedMs).toBe(270_000);
    expect(summary.hitsWithoutBuildTime).toBe(0);
  });

  it('lists the slowest targets by their last real build', () => {
    expect(
      summary.slowest.map((target) => [target.name, target.platform, target.lastBuildMs, target.sizeBytes, target.layerCount]),
    ).toEqual([
      ['cpu/ml', 'linux/arm64', 110_000, 1_500_000_000, 9],
      ['cpu/ml', 'linux/amd64', 50_000, 1_600_000_000, 9],
      ['cpu/base', 'linux/amd64', 10_000, 100_000_000, 3],
      ['hello', 'linux/amd64', 5_000, 2_000_000, null],
    ]);
  });

  it('breaks the figures down by platform and by variant', () => {
    expect(summary.byPlatform).toEqual([
      { name: 'linux/amd64', tasks: 12, built: 4, hits: 7, hitRate: 7 / 11, timeSpentMs: 126_200, timeSavedMs: 150_000 },
      { name: 'linux/arm64', tasks: 4, built: 2, hits: 1, hitRate: 1 / 3, timeSpentMs: 231_300, timeSavedMs: 120_000 },
    ]);
    expect(summary.byVariant).toEqual([
      { name: 'cpu', tasks: 12, built: 5, hits: 6, hitRate: 6 / 11, timeSpentMs: 352_400, timeSavedMs: 260_000 },
    ]);
  });

  it('gives the hit rate of each run', () => {
    expect(summary.perRun.map((run) => [run.id, run.built, run.hits, run.hitRate])).toEqual([
      ['r1', 4, 0, 0],
      ['r2', 0, 4, 1],
      ['r3', 2, 2, 0.5],
      ['r4', 0, 2, 1],
    ]);
  });

  it('over the last runs only, still prices hits with builds from before the window', () => {
    const recent = summarizeHistory(history, { lastRuns: 2 });
    expect(recent.runs).toBe(2);
    expect(recent.timeSavedMs).toBe(75_000);
    expect(recent.outcomes.built).toBe(2);
  });

  it('feeds the charts the expected series', () => {
    expect(chartData(summary)).toEqual({
      time: {
        categories: ['vision cpu/base', 'vision cpu/ml', 'vision hello'],
        series: [
          { name: 'linux/amd64', values: [10, 50, 5] },
          { name: 'linux/arm64', values: [null, 110, null] },
        ],
      },
      hitRate: { runs: history.map((run) => run.startedAt), values: [0, 100, 50, 100] },
      size: {
        categories: ['vision cpu/base', 'vision cpu/ml', 'vision hello'],
        series: [
          { name: 'linux/amd64', values: [100, 1600, 2] },
          { name: 'linux/arm64', values: [null, 1500, null] },
        ],
      },
    });
  });

  it('prints the same figures for a terminal and as Markdown', () => {
    const text = renderTerminal(summary, '.nx/strata-history');
    expect(text).toContain('hit rate    57% (8 hits: 5 local cache, 2 remote cache, 1 registry; 6 built; 1 failed, 1 skipped)');
    expect(text).toContain('time spent  5 min 58 s');
    expect(text).toContain('time saved  4 min 30 s by hits');
    expect(text).toMatch(/linux\/arm64\s+4\s+2\s+1\s+33%\s+3 min 51 s\s+2 min 00 s/);
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain('| **hit rate** | 57% (8 hits');
    expect(markdown).toContain('| vision | cpu/ml | linux/arm64 | 1 min 50 s | 1.50 GB | 9 |');
    expect(markdown).toContain('| cpu | 12 | 5 | 6 | 55% | 5 min 52 s | 4 min 20 s |');
  });
});

describe('verification in the report', () => {
  const run = (id: string, startedAt: string, extra: Partial<HistoryRun>): HistoryRun => ({
    schemaVersion: 1,
    id,
    startedAt,
    durationMs: 1000,
    command: 'nx run web:docker-publish',
    tasks: [],
    ...extra,
  });
  const check = (kind: HistoryCheck['kind'], outcome: HistoryCheck['outcome']): HistoryCheck => ({
    kind,
    project: 'web',
    target: kind === 'lint' ? 'docker-lint' : `docker-${kind}--app--linux-amd64`,
    outcome,
    durationMs: 100,
  });
  const runs = [
    run('v1', '2026-11-30T10:00:00.000Z', {
      checks: [check('lint', 'failed'), check('test', 'failed'), check('test', 'passed'), check('scan', 'passed')],
      publishes: [
        {
          project: 'web',
          target: 'docker-publish',
          variant: 'default',
          outcome: 'stopped',
          stoppedBy: ['web:docker-lint', 'web:docker-test--app--linux-amd64'],
        },
      ],
    }),
    run('v2', '2026-11-30T11:00:00.000Z', {
      checks: [check('lint', 'cached'), check('test', 'passed'), check('scan', 'failed')],
      publishes: [
        {
          project: 'web',
          target: 'docker-publish',
          variant: 'default',
          outcome: 'stopped',
          stoppedBy: ['web:docker-scan--app--linux-amd64'],
        },
      ],
    }),
    run('v3', '2026-11-30T12:00:00.000Z', {
      checks: [check('lint', 'cached'), check('test', 'cached'), check('scan', 'cached')],
      publishes: [{ project: 'web', target: 'docker-publish', variant: 'default', outcome: 'published' }],
    }),
  ];

  it('counts checks and publishes, and lists the stopped publishes most recent first with what stopped them', () => {
    const summary = summarizeHistory([...history, ...runs]);
    expect(summary.verification).toEqual({
      checks: {
        test: { passed: 2, cached: 1, failed: 1, skipped: 0 },
        scan: { passed: 1, cached: 1, failed: 1, skipped: 0 },
        lint: { passed: 0, cached: 2, failed: 1, skipped: 0 },
        'binary-check': { passed: 0, cached: 0, failed: 0, skipped: 0 },
      },
      published: 1,
      stopped: 2,
      failed: 0,
      recentStops: [
        {
          startedAt: '2026-11-30T11:00:00.000Z',
          command: 'nx run web:docker-publish',
          project: 'web',
          target: 'docker-publish',
          stoppedBy: ['web:docker-scan--app--linux-amd64'],
        },
        {
          startedAt: '2026-11-30T10:00:00.000Z',
          command: 'nx run web:docker-publish',
          project: 'web',
          target: 'docker-publish',
          stoppedBy: ['web:docker-lint', 'web:docker-test--app--linux-amd64'],
        },
      ],
    });
    const text = renderTerminal(summary, '.nx/strata-history');
    expect(text).toContain(
      'verified    tests 2 passed, 1 cached, 1 failed; scans 1 passed, 1 cached, 1 failed; lint 2 cached, 1 failed; publishes 1 done, 2 stopped by a failed check, 0 failed',
    );
    expect(text).toContain('publishes stopped by a failed check (most recent first)');
    expect(text).toMatch(
      /web:docker-publish\s+web:docker-lint, web:docker-test--app--linux-amd64\s+2026-11-30 10:00 nx run web:docker-publish/,
    );
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain('| **verified** | tests 2 passed');
    expect(markdown).toContain('| web:docker-publish | web:docker-scan--app--linux-amd64 | 2026-11-30 11:00 nx run web:docker-publish |');
  });

  it('says nothing about verification when no check ran', () => {
    expect(renderTerminal(summarizeHistory(history), '.nx/strata-history')).not.toContain('verified');
  });
});
