import { execCommand } from '../../../engines/exec-command';

/** What `git <args>` prints in the workspace, trimmed, or undefined when it fails (not a checkout, no such remote). */
export async function gitOutput(cwd: string, args: string[]): Promise<string | undefined> {
  const result = await execCommand('git', args, { cwd, timeoutMs: 30_000 });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
