import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryRun } from './history-types';

export const HISTORY_FILE = 'runs.jsonl';

/**
 * Appends a run as one JSON line. When the file grows past `maxBytes`, the oldest runs are dropped until it is back
 * under three quarters of it (rewritten through a temp file and a rename, so a reader never sees half a history).
 */
export function appendRun(directory: string, run: HistoryRun, maxBytes: number): void {
  mkdirSync(directory, { recursive: true });
  // The history is this machine's: git never shows it, whatever the repository ignores (as pytest and ruff do).
  const ignore = join(directory, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# nx-strata build history: local to this machine\n*\n');
  const file = join(directory, HISTORY_FILE);
  appendFileSync(file, `${JSON.stringify(run)}\n`);
  if (statSync(file).size <= maxBytes) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  let size = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  while (lines.length > 1 && size > maxBytes * 0.75) size -= Buffer.byteLength(lines.shift()!) + 1;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, lines.map((line) => `${line}\n`).join(''));
  renameSync(temporary, file);
}

/** Every run in the history, oldest first; lines that are not runs of this format are skipped. */
export function readHistory(directory: string): HistoryRun[] {
  const file = join(directory, HISTORY_FILE);
  if (!existsSync(file)) return [];
  const runs: HistoryRun[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const run = JSON.parse(line) as HistoryRun;
      if (run.schemaVersion === 1 && Array.isArray(run.tasks)) runs.push(run);
    } catch {
      // a torn or foreign line: the rest of the history is still good
    }
  }
  return runs;
}
