import { createTempWorkspace } from '../test-utils/temp-workspace';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryRun } from './history-types';
import { appendRun, HISTORY_FILE, readHistory } from './run-history';

const run = (id: string): HistoryRun => ({
  schemaVersion: 1,
  id,
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 1,
  command: 'nx run-many -t docker-build',
  tasks: [],
});

describe('run history', () => {
  let directory: string;
  beforeEach(() => (directory = createTempWorkspace({})));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('appends runs and reads them back oldest first', () => {
    appendRun(join(directory, 'nested'), run('a'), 1e6);
    appendRun(join(directory, 'nested'), run('b'), 1e6);
    expect(readHistory(join(directory, 'nested')).map((entry) => entry.id)).toEqual(['a', 'b']);
  });

  it('stays within its size bound by dropping the oldest runs', () => {
    const lineBytes = JSON.stringify(run('r00')).length + 1;
    for (let i = 0; i < 40; i++) appendRun(directory, run(`r${String(i).padStart(2, '0')}`), lineBytes * 10);
    expect(statSync(join(directory, HISTORY_FILE)).size).toBeLessThanOrEqual(lineBytes * 10);
    const ids = readHistory(directory).map((entry) => entry.id);
    expect(ids[ids.length - 1]).toBe('r39');
    expect(ids.length).toBeGreaterThanOrEqual(7);
    expect(ids).toEqual([...ids].sort());
    expect(readFileSync(join(directory, HISTORY_FILE), 'utf8').endsWith('\n')).toBe(true);
  });

  it('is empty when nothing was recorded', () => {
    expect(readHistory(join(directory, 'none'))).toEqual([]);
  });
});
