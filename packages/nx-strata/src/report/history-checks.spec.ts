import { historyChecks } from './history-checks';
import type { FinishedTask } from './history-tasks';
import { renderTerminal } from './render-text';
import { summarizeHistory } from './summarize-history';

const names = { buildTargetName: 'docker-build', publishTargetName: 'docker-publish' };
const started = Date.parse('2026-11-30T10:00:00.000Z');
const finished = (target: string, status: string, project = 'vision'): FinishedTask => ({
  task: { target: { project, target }, projectRoot: 'apps/vision', startTime: started, endTime: started + 700 },
  status,
});

describe('historyChecks', () => {
  it('keeps each test, scan and lint with its outcome, and leaves other targets out', () => {
    const { checks } = historyChecks(
      [
        finished('docker-test--cpu--app--linux-arm64', 'success'),
        finished('docker-scan--app--linux-amd64', 'failure'),
        finished('docker-lint', 'local-cache'),
        finished('docker-test--cpu--base--linux-amd64', 'skipped'),
        finished('docker-build--cpu--app--linux-arm64', 'success'),
        finished('docker-test--linux-arm64', 'success'),
        finished('build', 'success'),
      ],
      names,
    );
    expect(checks).toEqual([
      {
        kind: 'test',
        project: 'vision',
        target: 'docker-test--cpu--app--linux-arm64',
        variant: 'cpu',
        layer: 'app',
        platform: 'linux/arm64',
        outcome: 'passed',
        durationMs: 700,
      },
      {
        kind: 'scan',
        project: 'vision',
        target: 'docker-scan--app--linux-amd64',
        variant: 'default',
        layer: 'app',
        platform: 'linux/amd64',
        outcome: 'failed',
        durationMs: 700,
      },
      { kind: 'lint', project: 'vision', target: 'docker-lint', outcome: 'cached', durationMs: 700 },
      {
        kind: 'test',
        project: 'vision',
        target: 'docker-test--cpu--base--linux-amd64',
        variant: 'cpu',
        layer: 'base',
        platform: 'linux/amd64',
        outcome: 'skipped',
        durationMs: 700,
      },
    ]);
  });

  const publishTargets = [
    {
      project: 'vision',
      target: 'docker-publish--cpu',
      dependsOn: [
        'docker-build--cpu--app--linux-arm64',
        'docker-test--cpu--app--linux-arm64',
        'docker-scan--cpu--app--linux-arm64',
        'docker-lint',
      ],
    },
    {
      project: 'vision',
      target: 'docker-publish--cuda',
      dependsOn: ['docker-build--cuda--app--linux-amd64', 'docker-test--cuda--app--linux-amd64', 'docker-lint'],
    },
    { project: 'vision', target: 'docker-publish--gpu', dependsOn: ['docker-lint-gpu'] },
    { project: 'web', target: 'docker-publish', dependsOn: ['docker-build--app--linux-amd64', 'docker-lint'] },
  ];

  it('keeps a failed binary check, which the report then counts (issue 20 item 16)', () => {
    const { checks } = historyChecks(
      [finished('binary-check--strata-cli--linux-arm64', 'failure', 'cli'), finished('binary-check', 'success', 'cli')],
      names,
    );
    expect(checks).toEqual([
      {
        kind: 'binary-check',
        project: 'cli',
        target: 'binary-check--strata-cli--linux-arm64',
        binary: 'strata-cli',
        platform: 'linux/arm64',
        outcome: 'failed',
        durationMs: 700,
      },
    ]);
    const summary = summarizeHistory([
      {
        schemaVersion: 1,
        id: '1',
        startedAt: '2026-11-30T10:00:00.000Z',
        durationMs: 700,
        command: 'nx run cli:binary-check',
        tasks: [],
        checks,
      },
    ]);
    expect(renderTerminal(summary, 'h')).toContain('binary checks 1 failed');
  });

  it('says which failed tasks a publish depends on stopped it (Nx hands the hook only the tasks that ran)', () => {
    const { publishes } = historyChecks(
      [
        finished('docker-test--cpu--app--linux-arm64', 'failure'),
        finished('docker-scan--cpu--app--linux-arm64', 'success'),
        finished('docker-build--cuda--app--linux-amd64', 'failure'),
        finished('docker-lint', 'failure'),
        finished('docker-lint-gpu', 'success'),
        finished('docker-publish--gpu', 'success'),
        finished('docker-build--app--linux-amd64', 'success', 'web'),
      ],
      names,
      publishTargets,
      ['docker-publish'],
    );
    // The publishes that ran first, then those Nx skipped.
    expect(publishes).toEqual([
      { project: 'vision', target: 'docker-publish--gpu', variant: 'gpu', outcome: 'published' },
      {
        project: 'vision',
        target: 'docker-publish--cpu',
        variant: 'cpu',
        outcome: 'stopped',
        stoppedBy: ['vision:docker-lint', 'vision:docker-test--cpu--app--linux-arm64'],
      },
      {
        project: 'vision',
        target: 'docker-publish--cuda',
        variant: 'cuda',
        outcome: 'stopped',
        stoppedBy: ['vision:docker-build--cuda--app--linux-amd64', 'vision:docker-lint'],
      },
    ]);
  });

  it('records no stopped publish when the command did not ask for one', () => {
    const results = [finished('docker-test--cpu--app--linux-arm64', 'failure')];
    expect(historyChecks(results, names, publishTargets, ['docker-test']).publishes).toEqual([]);
    expect(historyChecks(results, names, publishTargets, ['docker-publish--cpu']).publishes).toHaveLength(1);
  });

  it('counts what `nx release publish` published (nx-release-publish: every variant of its project in one task)', () => {
    const { publishes } = historyChecks(
      [
        finished('nx-release-publish', 'success'),
        finished('nx-release-publish', 'failure', 'web'),
        finished('docker-build--app--linux-amd64', 'success', 'web'),
      ],
      names,
      [{ project: 'api', target: 'nx-release-publish', dependsOn: ['docker-test--linux-amd64'] }],
      ['nx-release-publish'],
    );
    expect(publishes).toEqual([
      { project: 'vision', target: 'nx-release-publish', variant: '*', outcome: 'published' },
      { project: 'web', target: 'nx-release-publish', variant: '*', outcome: 'failed' },
    ]);
    const stopped = historyChecks(
      [finished('docker-test--linux-amd64', 'failure', 'api')],
      names,
      [{ project: 'api', target: 'nx-release-publish', dependsOn: ['docker-test--linux-amd64'] }],
      ['nx-release-publish'],
    ).publishes;
    expect(stopped).toEqual([
      { project: 'api', target: 'nx-release-publish', variant: '*', outcome: 'stopped', stoppedBy: ['api:docker-test--linux-amd64'] },
    ]);
    const run = {
      schemaVersion: 1 as const,
      id: 'r',
      startedAt: '2026-11-30T10:00:00.000Z',
      durationMs: 1000,
      command: 'nx release publish',
      tasks: [],
      publishes,
    };
    expect(renderTerminal(summarizeHistory([run], { lastRuns: 1 }), 'h')).toContain('publishes 1 done');
  });

  it('without a graph, keeps the publishes that ran as Nx reports them, their aggregate left out', () => {
    const { publishes } = historyChecks(
      [
        finished('docker-publish--cpu', 'success'),
        finished('docker-publish--cuda', 'failure'),
        finished('docker-publish', 'success'),
        finished('docker-publish', 'success', 'web'),
      ],
      names,
    );
    expect(publishes).toEqual([
      { project: 'vision', target: 'docker-publish--cpu', variant: 'cpu', outcome: 'published' },
      { project: 'vision', target: 'docker-publish--cuda', variant: 'cuda', outcome: 'failed' },
      { project: 'web', target: 'docker-publish', variant: 'default', outcome: 'published' },
    ]);
  });
});
