import type { PostTasksExecution } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPluginOptionPaths, normalizePluginOptions, type StrataPluginOptions } from '../config/plugin-options';
import { checkTargetNaming } from '../model/target-names';
import { historyChecks } from './history-checks';
import { historyTasks, type FinishedTask } from './history-tasks';
import { appendRun } from './run-history';

/**
 * Nx's `postTasksExecution` hook: after every run, appends its layer and binary tasks (built, registry hit, local or
 * remote cache hit, failed, skipped; duration, size, layer count), its checks (tests, scans, lint) and its publishes
 * (with the failed tasks that stopped them) to the build history. Never fails the run.
 */
export const postTasksExecution: PostTasksExecution<StrataPluginOptions> = async (options, context) => {
  const normalized = normalizePluginOptions(options);
  if (!normalized.recordHistory) return;
  try {
    checkPluginOptionPaths(normalized, context.workspaceRoot);
    checkTargetNaming(normalized);
    const readRecord = (path: string) => {
      try {
        return JSON.parse(readFileSync(join(context.workspaceRoot, path), 'utf8'));
      } catch {
        return undefined;
      }
    };
    const results = Object.values(context.taskResults) as FinishedTask[];
    const tasks = historyTasks(results, normalized, readRecord);
    const { checks, publishes } = historyChecks(results, normalized);
    if (tasks.length === 0 && checks.length === 0 && publishes.length === 0) return;
    appendRun(
      join(context.workspaceRoot, normalized.historyDir),
      {
        schemaVersion: 1,
        id: context.id,
        startedAt: new Date(context.startTime).toISOString(),
        durationMs: Math.max(0, context.endTime - context.startTime),
        command: ['nx', ...context.argv.slice(2)].join(' '),
        tasks,
        ...(checks.length ? { checks } : {}),
        ...(publishes.length ? { publishes } : {}),
      },
      normalized.historyMaxBytes,
    );
  } catch (error) {
    // @nx/devkit is loaded only to say this: every plugin worker would pay for it otherwise.
    const { logger } = await import('@nx/devkit');
    logger.warn(`nx-strata: this run was not added to the build history (${(error as Error).message}); the run itself is unaffected`);
  }
};
