/**
 * The environment variable the `preTasksExecution` hook sets for every task of a command that asks for a dry run. Nx
 * hands `--dry-run` only to the tasks it was asked for (an aggregate, one layer); the layers, tests and scans they
 * depend on run too, and must be dry as well.
 */
export const STRATA_DRY_RUN = 'STRATA_DRY_RUN';

/** Whether a task is a dry run: its own `--dryRun`, or a task of a command that asked for one. */
export function isDryRun(options: { dryRun?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return options.dryRun === true || env[STRATA_DRY_RUN] === 'true';
}

/** Whether a command line passes `--dryRun` / `--dry-run` (alone or `=true`), as Nx hands it to the executors. */
export function asksForDryRun(argv: readonly string[]): boolean {
  return argv.some((arg) => /^--(dryRun|dry-run)(=true)?$/.test(arg));
}

/**
 * The Nx input every cacheable nx-strata target carries: a dry task's success is stored under another hash than a real
 * one's, so a real run never replays a dry run's "would build" as a build, whatever cache the command kept on.
 */
export const DRY_RUN_INPUT = { env: STRATA_DRY_RUN } as const;
