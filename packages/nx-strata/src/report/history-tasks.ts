import { IMPLICIT_VARIANT } from '../config/strata-config';
import { binaryRecordPath, layerRecordPath, parseTargetName, type TargetNaming } from '../model/target-names';
import type { HistoryTask, TaskOutcome } from './history-types';

/** The parts of Nx's TaskResult this reads. */
export interface FinishedTask {
  task: {
    target: { project: string; target: string };
    projectRoot?: string;
    startTime?: number;
    endTime?: number;
    /** The options given on the command line (`--dryRun`). */
    overrides?: Record<string, unknown>;
  };
  status: string;
}

interface Names extends TargetNaming {
  recordsDir: string;
}

interface RecordFields {
  result?: string;
  builtAt?: string;
  durationMs?: number;
  sizeBytes?: number | null;
  layerCount?: number | null;
  platform?: string;
}

/**
 * The layer (`docker-build--<variant>--<layer>--<os>-<arch>`) and binary (`binary-build--<name>--<os>-<arch>`) tasks of
 * a run, with what became of each: Nx's status for cache hits, failures and skips; the record the executor wrote in
 * this run to tell a build from a registry hit. `readRecord` reads a workspace-relative JSON file (undefined if none).
 */
export function historyTasks(results: FinishedTask[], names: Names, readRecord: (path: string) => RecordFields | undefined): HistoryTask[] {
  const tasks: HistoryTask[] = [];
  for (const result of results) {
    const { project, target } = result.task.target;
    const parsed = parseTargetName(names, target);
    const projectRoot = result.task.projectRoot ?? '.';
    const durationMs = taskDurationMs(result);
    let entry: Omit<HistoryTask, 'outcome' | 'durationMs'>;
    let record: RecordFields | undefined;
    if (parsed?.kind === 'layer') {
      const variant = parsed.variant ?? IMPLICIT_VARIANT;
      record = readRecord(layerRecordPath(names.recordsDir, projectRoot, variant, parsed.layer, parsed.platform));
      entry = { kind: 'layer', project, target, platform: record?.platform ?? parsed.platform, variant, layer: parsed.layer };
    } else if (parsed?.kind === 'binary-build') {
      record = readRecord(binaryRecordPath(projectRoot, parsed.binary, parsed.platform));
      entry = { kind: 'binary', project, target, platform: record?.platform ?? parsed.platform, binary: parsed.binary };
    } else {
      continue;
    }
    const fresh = record?.builtAt !== undefined && Date.parse(record.builtAt) >= (result.task.startTime ?? 0) - 1000;
    tasks.push({
      ...entry,
      outcome: outcomeOf(result.status, fresh ? record?.result : undefined),
      durationMs,
      ...(typeof record?.durationMs === 'number' && record.result !== 'registry-hit' ? { buildMs: record.durationMs } : {}),
      ...(record && 'sizeBytes' in record ? { sizeBytes: record.sizeBytes ?? null } : {}),
      ...(record && 'layerCount' in record ? { layerCount: record.layerCount ?? null } : {}),
    });
  }
  return tasks;
}

/** Whether the task was a dry run (`--dryRun` / `--dry-run`): it built, pushed and published nothing. */
export function isDryRun(result: FinishedTask): boolean {
  const overrides = result.task.overrides ?? {};
  return [overrides.dryRun, overrides['dry-run']].some((value) => value === true || value === 'true');
}

/** A task's wall time in this run, from Nx's start and end times. */
export function taskDurationMs(result: FinishedTask): number {
  return Math.max(0, (result.task.endTime ?? 0) - (result.task.startTime ?? 0));
}

function outcomeOf(status: string, freshResult: string | undefined): TaskOutcome {
  switch (status) {
    case 'success':
      return freshResult === 'registry-hit' ? 'registry-hit' : freshResult === 'skipped' ? 'skipped' : 'built';
    case 'local-cache':
    case 'local-cache-kept-existing':
      return 'local-cache';
    case 'remote-cache':
      return 'remote-cache';
    case 'failure':
      return 'failed';
    default:
      return 'skipped';
  }
}
