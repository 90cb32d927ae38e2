import type { PreTasksExecution } from 'nx/src/devkit-exports';
import type { StrataPluginOptions } from '../config/plugin-options';

/**
 * Nx's `preTasksExecution` hook: a run that asks for a dry run (`--dryRun`, `--dry-run`) reads and writes no Nx cache.
 * A dry run's answer depends on what the registry holds now, which no input captures: from the cache it would replay
 * an old plan ("would run ..." for a layer that has since been pushed). Nx reads NX_SKIP_NX_CACHE after this hook.
 */
export const preTasksExecution: PreTasksExecution<StrataPluginOptions> = (_options, context) => {
  if (asksForDryRun(context.argv) && !isReleaseCommand(context.argv)) process.env.NX_SKIP_NX_CACHE = 'true';
};

/**
 * `nx release ... --dry-run` hands the dry run to the nx-release-publish targets only (never cached); the builds and
 * tests they wait for run for real and should hit the cache, so the cache stays on.
 */
export function isReleaseCommand(argv: readonly string[]): boolean {
  return argv.slice(2).find((arg) => !arg.startsWith('-')) === 'release';
}

/** Whether a command line passes `--dryRun` / `--dry-run` (alone or `=true`), as Nx hands it to the executors. */
export function asksForDryRun(argv: readonly string[]): boolean {
  return argv.some((arg) => /^--(dryRun|dry-run)(=true)?$/.test(arg));
}
