import type { PreTasksExecution } from 'nx/src/devkit-exports';
import type { StrataPluginOptions } from '../config/plugin-options';
import { asksForDryRun, STRATA_DRY_RUN, STRATA_DRY_RUN_SALT } from '../config/dry-run';

/**
 * Nx's `preTasksExecution` hook: a command that asks for a dry run (`--dryRun`, `--dry-run`: `nx run`, `run-many`,
 * `affected`, `nx release`) runs every nx-strata task dry. Nx hands the flag only to the tasks it was asked for (an
 * aggregate, one layer, the nx-release-publish targets); the layers, tests, scans and publishes they depend on run
 * too, so the hook tells them (STRATA_DRY_RUN): nothing is built, pushed, run or recorded, each says what it would do.
 * The run reads and writes no Nx cache: a dry run's answer depends on what the registry holds now, which no input
 * captures, and a dry task's success must never be replayed as a real one. Nx reads NX_SKIP_NX_CACHE after this hook.
 */
export const preTasksExecution: PreTasksExecution<StrataPluginOptions> = (_options, context) => {
  if (!asksForDryRun(context.argv)) return;
  process.env.NX_SKIP_NX_CACHE = 'true';
  process.env[STRATA_DRY_RUN] = 'true';
  // nx release reads the cache setting before this hook: its dry results are stored, so under hashes of their own.
  if (isReleaseCommand(context.argv)) process.env[STRATA_DRY_RUN_SALT] = 'dry-run';
  // One process per task: Nx hands each its hash (what the dry run checks Nx's cache for), which a batch's tasks lack
  // until the tasks they depend on have run. A dry run builds nothing, so the batch saves nothing here.
  if (process.env.NX_BATCH_MODE !== 'true') process.env.NX_BATCH_MODE = 'false';
};

/** Whether the command is `nx release` (its first word after the binary, options aside). */
export function isReleaseCommand(argv: readonly string[]): boolean {
  return argv.slice(2).find((arg) => !arg.startsWith('-')) === 'release';
}
