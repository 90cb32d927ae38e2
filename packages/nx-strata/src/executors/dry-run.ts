import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export { isDryRun } from '../config/dry-run';

/**
 * What Nx's cache would do with this task in a real run, as far as this machine can tell: Nx hashes every task before
 * it runs (`NX_TASK_HASH` for one task, `task.hash` in a batch), and a local cache entry under that hash would be
 * replayed. The remote cache is not asked.
 */
export function localNxCacheEntry(
  workspaceRoot: string,
  hash: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): 'hit' | 'miss' | 'unknown' {
  if (!hash || !/^[A-Za-z0-9_-]+$/.test(hash)) return 'unknown';
  return existsSync(join(nxCacheDirectory(workspaceRoot, env), hash)) ? 'hit' : 'miss';
}

/**
 * Nx's local cache directory, as the workspace's own Nx computes it (Nx 24 may keep it under `~/.nx/<workspace>/cache`;
 * Nx 22 under `.nx/cache` or nx.json's cacheDirectory); NX_CACHE_DIRECTORY when given, else that, else `.nx/cache`.
 */
function nxCacheDirectory(workspaceRoot: string, env: NodeJS.ProcessEnv): string {
  const configured = env.NX_CACHE_DIRECTORY;
  if (configured) return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { cacheDir } = require('nx/src/utils/cache-directory') as { cacheDir?: string };
    if (cacheDir) return cacheDir;
  } catch {
    // an Nx without this module: the usual place
  }
  try {
    const fromNxJson = (JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { cacheDirectory?: string }).cacheDirectory;
    if (fromNxJson) return isAbsolute(fromNxJson) ? fromNxJson : join(workspaceRoot, fromNxJson);
  } catch {
    // no readable nx.json
  }
  return join(workspaceRoot, '.nx', 'cache');
}

/** The dry-run line about Nx's cache, or '' when nothing is known. */
export function describeNxCache(workspaceRoot: string, hash: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const entry = localNxCacheEntry(workspaceRoot, hash, env);
  if (entry === 'hit') return "Nx cache: this task's hash has a local cache entry, so a real run would replay it and run nothing";
  if (entry === 'miss') return "Nx cache: no local entry for this task's hash (a remote cache may still have one)";
  return '';
}
