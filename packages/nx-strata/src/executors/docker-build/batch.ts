import type { ExecutorContext, TaskGraph } from 'nx/src/devkit-exports';
import { BufferedTaskLog } from '../task-log';
import { runLayerTask } from './executor';
import type { DockerBuildExecutorOptions } from './schema';

/** One task's result as a batch executor reports it to Nx (Nx's `BatchExecutorTaskResult`). */
export interface BatchTaskResult {
  task: string;
  result: { success: boolean; status: 'success' | 'failure' | 'skipped'; terminalOutput: string; startTime: number; endTime: number };
}

/** How many layer tasks of one batch run at once: `NX_PARALLEL`, else nx.json's `parallel`, else Nx's default 3. */
export function batchConcurrency(env: NodeJS.ProcessEnv, nxJsonParallel: number | undefined): number {
  const fromEnv = Number.parseInt(env.NX_PARALLEL ?? '', 10);
  const wanted = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : (nxJsonParallel ?? 3);
  return Math.max(1, wanted);
}

/** A task the batch never ran, and why: nothing is recorded for it. */
function skipped(taskId: string, why: string): BatchTaskResult {
  const now = Date.now();
  return {
    task: taskId,
    result: {
      success: false,
      status: 'skipped',
      terminalOutput: `nx-strata: ${taskId} was not run: ${why}.\n`,
      startTime: now,
      endTime: now,
    },
  };
}

/** The batch tasks a task waits for (edges to tasks outside the batch have completed before it was scheduled). */
function batchDependencies(graph: Pick<TaskGraph, 'tasks' | 'dependencies'>, taskId: string): string[] {
  return (graph.dependencies[taskId] ?? [])
    .map((edge) => (typeof edge === 'string' ? edge : (edge as { id: string }).id))
    .filter((id) => id in graph.tasks);
}

/**
 * The docker-build executor for many layer tasks in one process (Nx's batch mode, preferred for this executor): the
 * chains of independent layers run side by side, a child starts when its parent succeeded, and each task's own
 * result and output go to Nx as soon as it ends. A task whose parent failed (or was skipped) is skipped, never run,
 * and nothing is recorded for it. What a fresh runner's no-op costs is then one process, not one per task.
 */
export default function dockerBuildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, DockerBuildExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const limit = batchConcurrency(process.env, (context.nxJsonConfiguration as { parallel?: number } | undefined)?.parallel);
  return runBatch(taskGraph, limit, (taskId, log) => {
    const task = taskGraph.tasks[taskId];
    return runLayerTask(
      inputs[taskId],
      {
        root: context.root,
        projectGraph: context.projectGraph,
        projectName: task.target.project,
        targetName: task.target.target,
        // A batch has one environment: each task's hash (what a dry run checks Nx's cache for) comes from the task graph.
        taskHash: task.hash,
      },
      log,
    );
  });
}

/** Runs a batch's tasks with `runTask`, at most `limit` at once, each after the batch tasks it depends on succeeded. */
export async function* runBatch(
  taskGraph: Pick<TaskGraph, 'tasks' | 'dependencies'>,
  limit: number,
  runTask: (taskId: string, log: BufferedTaskLog) => Promise<{ success: boolean }>,
): AsyncGenerator<BatchTaskResult> {
  const waiting = new Set(Object.keys(taskGraph.tasks));
  const outcome = new Map<string, 'success' | 'failure' | 'skipped'>();
  const running = new Map<string, Promise<BatchTaskResult>>();

  const start = (taskId: string) => {
    const log = new BufferedTaskLog();
    const startTime = Date.now();
    const run = runTask(taskId, log)
      .catch((error: unknown) => {
        log.error(
          `nx-strata: ${taskId} stopped with an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return { success: false };
      })
      .then(({ success }) => ({
        task: taskId,
        result: {
          success,
          status: success ? ('success' as const) : ('failure' as const),
          terminalOutput: log.text(),
          startTime,
          endTime: Date.now(),
        },
      }));
    running.set(taskId, run);
  };

  while (waiting.size > 0 || running.size > 0) {
    for (const taskId of [...waiting]) {
      const dependencies = batchDependencies(taskGraph, taskId);
      const blocked = dependencies.find((id) => outcome.has(id) && outcome.get(id) !== 'success');
      if (blocked) {
        waiting.delete(taskId);
        outcome.set(taskId, 'skipped');
        yield skipped(taskId, `${blocked} did not succeed, so there is no parent image to build on`);
        continue;
      }
      if (running.size >= limit) continue;
      if (dependencies.every((id) => outcome.get(id) === 'success')) {
        waiting.delete(taskId);
        start(taskId);
      }
    }
    if (running.size === 0) {
      if (waiting.size === 0) break;
      // Nothing runs and nothing can start: the rest wait on each other (a cycle Nx would have refused).
      for (const taskId of waiting) {
        outcome.set(taskId, 'skipped');
        yield skipped(taskId, 'its dependencies never finished');
      }
      break;
    }
    const finished = await Promise.race(running.values());
    running.delete(finished.task);
    outcome.set(finished.task, finished.result.status);
    yield finished;
  }
}
