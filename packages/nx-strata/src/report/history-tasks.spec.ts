import { historyTasks, type FinishedTask } from './history-tasks';

const names = { buildTargetName: 'docker-build', publishTargetName: 'docker-publish', recordsDir: 'dist/strata' };
const started = Date.parse('2026-11-22T10:00:00.000Z');
const finished = (target: string, status: string, projectRoot = 'apps/vision'): FinishedTask => ({
  task: { target: { project: 'vision', target }, projectRoot, startTime: started, endTime: started + 1500 },
  status,
});

describe('historyTasks', () => {
  const records: Record<string, object> = {
    'dist/strata/apps/vision/cpu/base/linux-amd64.json': {
      result: 'built',
      builtAt: '2026-11-22T10:00:01.000Z',
      durationMs: 1400,
      sizeBytes: 10,
      layerCount: 2,
      platform: 'linux/amd64',
    },
    'dist/strata/apps/vision/cpu/ml/linux-amd64.json': {
      result: 'registry-hit',
      builtAt: '2026-11-22T10:00:01.000Z',
      durationMs: 60,
      sizeBytes: 20,
      layerCount: 5,
      platform: 'linux/amd64',
    },
    // restored from the cache: written by an older run
    'dist/strata/apps/vision/cpu/app/linux-arm64.json': {
      result: 'built',
      builtAt: '2026-11-01T08:00:00.000Z',
      durationMs: 9000,
      sizeBytes: 30,
      layerCount: 9,
      platform: 'linux/arm64',
    },
    'dist/strata/apps/vision/default/api/linux-amd64.json': {
      result: 'built',
      builtAt: '2026-11-22T10:00:01.000Z',
      durationMs: 800,
      sizeBytes: 5,
      layerCount: 4,
      platform: 'linux/amd64',
    },
    'apps/vision/dist/bin/.records/hello-darwin-arm64.json': {
      result: 'skipped',
      builtAt: '2026-11-22T10:00:01.000Z',
      platform: 'darwin/arm64',
    },
  };
  const read = (path: string) => records[path] as never;

  it('tells builds, registry hits, cache hits, failures and skips apart, and leaves other targets out', () => {
    const tasks = historyTasks(
      [
        finished('docker-build--cpu--base--linux-amd64', 'success'),
        finished('docker-build--cpu--ml--linux-amd64', 'success'),
        finished('docker-build--cpu--app--linux-arm64', 'remote-cache'),
        finished('docker-build--api--linux-amd64', 'local-cache-kept-existing'),
        finished('binary-build--hello--darwin-arm64', 'success'),
        finished('binary-build--hello--linux-amd64', 'failure'),
        finished('docker-build--linux-amd64', 'success'),
        finished('docker-build', 'success'),
        finished('lint', 'success'),
      ],
      names,
      read,
    );
    expect(
      tasks.map((task) => [
        task.target,
        task.kind,
        task.variant ?? task.binary,
        task.layer,
        task.platform,
        task.outcome,
        task.durationMs,
        task.buildMs,
        task.sizeBytes,
        task.layerCount,
      ]),
    ).toEqual([
      ['docker-build--cpu--base--linux-amd64', 'layer', 'cpu', 'base', 'linux/amd64', 'built', 1500, 1400, 10, 2],
      ['docker-build--cpu--ml--linux-amd64', 'layer', 'cpu', 'ml', 'linux/amd64', 'registry-hit', 1500, undefined, 20, 5],
      ['docker-build--cpu--app--linux-arm64', 'layer', 'cpu', 'app', 'linux/arm64', 'remote-cache', 1500, 9000, 30, 9],
      ['docker-build--api--linux-amd64', 'layer', 'default', 'api', 'linux/amd64', 'local-cache', 1500, 800, 5, 4],
      ['binary-build--hello--darwin-arm64', 'binary', 'hello', undefined, 'darwin/arm64', 'skipped', 1500, undefined, undefined, undefined],
      ['binary-build--hello--linux-amd64', 'binary', 'hello', undefined, 'linux/amd64', 'failed', 1500, undefined, undefined, undefined],
    ]);
  });

  it('counts a success whose record is older than the task (not written by it) as a build', () => {
    const [task] = historyTasks([finished('docker-build--cpu--app--linux-arm64', 'success')], names, read);
    expect(task.outcome).toBe('built');
  });
});
