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
export function asksForDryRun(argv: readonly string[] | undefined): boolean {
  // Nx before 21 gives its hooks no argv: no dry run can be seen there.
  return (argv ?? []).some((arg) => /^--(dryRun|dry-run)(=true)?$/.test(arg));
}

/**
 * Set by the hook for a dry run whose command keeps Nx's cache on: `nx release` reads NX_SKIP_NX_CACHE before the
 * hook runs, so its dry tasks' results are stored. Every cacheable nx-strata target takes it as an input
 * (DRY_RUN_INPUT): those results are stored under other hashes than a real run's, which then never replays a dry run's
 * "would build" as a build. Other dry runs leave it unset, so a dry task has the hash its real run would have (a dry
 * run can tell whether Nx's cache would replay it) and the cache is skipped instead.
 */
export const STRATA_DRY_RUN_SALT = 'STRATA_DRY_RUN_SALT';

export const DRY_RUN_INPUT = { env: STRATA_DRY_RUN_SALT } as const;
