import type { PostTasksExecution } from 'nx/src/devkit-exports';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPluginOptionPaths, normalizePluginOptions, type StrataPluginOptions } from '../config/plugin-options';
import { asksForDryRun } from '../config/dry-run';
import { checkTargetNaming } from '../model/target-names';
import { historyTasks, isDryRun, type FinishedTask } from './history-tasks';
import { historyChecks, type PublishTarget } from './history-checks';
import { requestedTargets } from './requested-targets';
import { appendRun } from './run-history';

/**
 * Nx's `postTasksExecution` hook: after every run, appends its layer and binary tasks (built, registry hit, local or
 * remote cache hit, failed, skipped; duration, size, layer count), its checks (tests, scans, lint, binary checks) and its publishes
 * (with the failed tasks that stopped them) to the build history. Dry runs are left out. Never fails the run.
 */
export const postTasksExecution: PostTasksExecution<StrataPluginOptions> = async (options, context) => {
  const normalized = normalizePluginOptions(options);
  // A dry run built, pushed and published nothing, in any of its tasks: it is no part of the history.
  if (!normalized.recordHistory || asksForDryRun(context.argv)) return;
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
    // A dry run built, pushed and published nothing: it is no part of the history.
    const results = (Object.values(context.taskResults) as FinishedTask[]).filter((result) => !isDryRun(result));
    const tasks = historyTasks(results, normalized, readRecord);
    const { checks, publishes } = historyChecks(
      results,
      normalized,
      results.some((result) => result.status === 'failure') ? await publishTargetsOfGraph() : [],
      requestedTargets(context.argv),
    );
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
    // Nx's devkit exports are loaded only to say this: every plugin worker would pay for it otherwise.
    const { logger } = await import('nx/src/devkit-exports');
    logger.warn(`nx-strata: this run was not added to the build history (${(error as Error).message}); the run itself is unaffected`);
  }
};

/**
 * The docker-publish and nx-release-publish targets of the project graph Nx cached for this run, with the targets of their project they
 * depend on: Nx hands the hook only the tasks that ran, so a publish it skipped is found here. None without a graph.
 */
async function publishTargetsOfGraph(): Promise<PublishTarget[]> {
  try {
    const { readCachedProjectGraph } = await import('nx/src/devkit-exports');
    const graph = readCachedProjectGraph();
    return Object.values(graph.nodes).flatMap((node) =>
      Object.entries(node.data.targets ?? {})
        .filter(([, target]) => target.executor === 'nx-strata:docker-publish' || target.executor === 'nx-strata:release-publish')
        .map(([target, config]) => ({
          project: node.name,
          target,
          dependsOn: (config.dependsOn ?? []).flatMap((dependency) =>
            typeof dependency === 'string'
              ? dependency.startsWith('^')
                ? []
                : [dependency]
              : dependency.target && !dependency.projects && !dependency.dependencies
                ? [dependency.target]
                : [],
          ),
        })),
    );
  } catch {
    return [];
  }
}
