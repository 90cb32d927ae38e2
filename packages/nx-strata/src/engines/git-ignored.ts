import { execCommand } from './exec-command';

/**
 * Which of these workspace-relative paths git ignores (one `git check-ignore --stdin` for all of them). A tracked path
 * is never reported; outside a git repository, or without git, the answer is empty.
 */
export async function gitIgnoredPaths(workspaceRoot: string, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const result = await execCommand('git', ['check-ignore', '--stdin'], {
    cwd: workspaceRoot,
    input: `${paths.join('\n')}\n`,
    timeoutMs: 30_000,
  });
  if (result.exitCode !== 0) return new Set();
  return new Set(result.stdout.split('\n').filter(Boolean));
}
