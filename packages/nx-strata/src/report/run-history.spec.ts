import { createTempWorkspace } from '../test-utils/temp-workspace';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('never shows in git status, even where the repository ignores only some .nx/ folders', () => {
    execFileSync('git', ['init', '-q'], { cwd: directory });
    writeFileSync(join(directory, '.gitignore'), '.nx/cache\n.nx/workspace-data\n');
    appendRun(join(directory, '.nx/strata-history'), run('a'), 1e6);
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: directory, encoding: 'utf8' })).toBe(
      '?? .gitignore\n',
    );
    expect(readHistory(join(directory, '.nx/strata-history')).map((entry) => entry.id)).toEqual(['a']);
  });

  it('is empty when nothing was recorded', () => {
    expect(readHistory(join(directory, 'none'))).toEqual([]);
  });
});
