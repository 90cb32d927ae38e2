import { historyChecks } from './history-checks';
import type { FinishedTask } from './history-tasks';

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

  it('says which failed checks and builds of its project and variant stopped a publish', () => {
    const { publishes } = historyChecks(
      [
        finished('docker-test--cpu--app--linux-arm64', 'failure'),
        finished('docker-scan--cuda--app--linux-amd64', 'failure'),
        finished('docker-build--cuda--app--linux-amd64', 'success'),
        finished('docker-lint', 'failure'),
        finished('docker-lint', 'failure', 'web'),
        finished('docker-publish--cpu', 'skipped'),
        finished('docker-publish--cuda', 'skipped'),
        finished('docker-publish--gpu', 'success'),
        // the aggregate of the per-variant publishes: they speak for it
        finished('docker-publish', 'skipped'),
      ],
      names,
    );
    expect(publishes).toEqual([
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
        stoppedBy: ['vision:docker-lint', 'vision:docker-scan--cuda--app--linux-amd64'],
      },
      { project: 'vision', target: 'docker-publish--gpu', variant: 'gpu', outcome: 'published' },
    ]);
  });

  it('names every failed task of the run when none of the publish’s own failed (a dependency in another project)', () => {
    const { publishes } = historyChecks(
      [finished('build', 'failure', 'api'), finished('docker-publish', 'skipped', 'web'), finished('docker-publish', 'failure', 'other')],
      names,
    );
    expect(publishes).toEqual([
      {
        project: 'web',
        target: 'docker-publish',
        variant: 'default',
        outcome: 'stopped',
        stoppedBy: ['api:build', 'other:docker-publish'],
      },
      { project: 'other', target: 'docker-publish', variant: 'default', outcome: 'failed' },
    ]);
  });
});
