import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export { isDryRun, STRATA_DRY_RUN } from '../config/dry-run';

/**
 * What Nx's cache would do with this task in a real run, as far as this machine can tell: Nx hashes every task before
 * it runs (`NX_TASK_HASH`), and a local cache entry under that hash would be replayed. The remote cache is not asked.
 */
export function localNxCacheEntry(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): 'hit' | 'miss' | 'unknown' {
  const hash = env.NX_TASK_HASH;
  if (!hash || !/^[A-Za-z0-9_-]+$/.test(hash)) return 'unknown';
  return existsSync(join(nxCacheDirectory(workspaceRoot, env), hash)) ? 'hit' : 'miss';
}

/** Nx's local cache directory: NX_CACHE_DIRECTORY, else nx.json's cacheDirectory, else `.nx/cache`. */
function nxCacheDirectory(workspaceRoot: string, env: NodeJS.ProcessEnv): string {
  let configured = env.NX_CACHE_DIRECTORY;
  if (!configured) {
    try {
      configured = (JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as { cacheDirectory?: string }).cacheDirectory;
    } catch {
      configured = undefined;
    }
  }
  if (!configured) return join(workspaceRoot, '.nx', 'cache');
  return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
}

/** The dry-run line about Nx's cache, or '' when nothing is known. */
export function describeNxCache(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const entry = localNxCacheEntry(workspaceRoot, env);
  if (entry === 'hit') return "Nx cache: this task's hash has a local cache entry, so a real run would replay it and run nothing";
  if (entry === 'miss') return "Nx cache: no local entry for this task's hash (a remote cache may still have one)";
  return '';
}
