import { NX_TASK_LOG, type TaskLog } from './task-log';

/** What every nx-strata executor returns to Nx. */
export interface ExecutorResult {
  success: boolean;
}

/** Logs `nx-strata: <message>` as an error and reports failure: the one way an executor gives up. */
export function failed(message: string, log: TaskLog = NX_TASK_LOG): ExecutorResult & { success: false } {
  log.error(`nx-strata: ${message}`);
  return { success: false };
}
