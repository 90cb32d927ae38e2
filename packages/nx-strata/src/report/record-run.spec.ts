import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace } from '../test-utils/temp-workspace';
import { postTasksExecution } from './record-run';
import { readHistory } from './run-history';

const LAYER = 'docker-build--app--linux-amd64';

function context(workspaceRoot: string, overrides: Record<string, unknown>) {
  const task = { target: { project: 'web', target: LAYER }, projectRoot: 'apps/web', startTime: 1000, endTime: 1600, overrides };
  return {
    id: 'run-1',
    workspaceRoot,
    nxJsonConfiguration: {},
    argv: ['node', 'nx', 'run', `web:${LAYER}`, ...Object.keys(overrides).map((key) => `--${key}`)],
    startTime: 1000,
    endTime: 1600,
    taskResults: { [`web:${LAYER}`]: { task, status: 'success', code: 0 } },
  } as unknown as Parameters<typeof postTasksExecution>[1];
}

describe('postTasksExecution (the build history)', () => {
  let root: string;
  beforeEach(() => (root = createTempWorkspace({})));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('records a layer task that ran', async () => {
    await postTasksExecution({}, context(root, {}));
    expect(readHistory(join(root, '.nx/strata-history')).flatMap((run) => run.tasks.map((task) => task.outcome))).toEqual(['built']);
  });

  it('leaves a dry run out: it built nothing', async () => {
    await postTasksExecution({}, context(root, { dryRun: true }));
    expect(readHistory(join(root, '.nx/strata-history'))).toEqual([]);
  });

  it('leaves out a dry-run command whose dependency tasks carry no --dryRun of their own (nx affected -t docker-build --dry-run)', async () => {
    const run = context(root, {});
    await postTasksExecution({}, { ...run, argv: ['node', 'nx', 'affected', '-t', 'docker-build', '--dry-run'] });
    expect(readHistory(join(root, '.nx/strata-history'))).toEqual([]);
  });
});
