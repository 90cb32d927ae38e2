import { logger } from '@nx/devkit';

/** What every nx-strata executor returns to Nx. */
export interface ExecutorResult {
  success: boolean;
}

/** Logs `nx-strata: <message>` as an error and reports failure: the one way an executor gives up. */
export function failed(message: string): ExecutorResult & { success: false } {
  logger.error(`nx-strata: ${message}`);
  return { success: false };
}
