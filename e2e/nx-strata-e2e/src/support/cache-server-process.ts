import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface CacheServerProcess {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  log(): string;
  stop(): void;
}

/**
 * Starts `nx-strata cache-server` from a workspace's installed plugin on a free port and waits until it says it
 * listens. Tokens: write `main-token`, read `pr-token` unless `env` says otherwise.
 */
export async function startCacheServer(
  workspaceRoot: string,
  storage: string,
  options: { env?: NodeJS.ProcessEnv; args?: string[] } = {},
): Promise<CacheServerProcess> {
  const port = await freePort();
  let log = '';
  const child = spawn(
    process.execPath,
    [
      join(workspaceRoot, 'node_modules/nx-strata/bin/nx-strata.js'),
      'cache-server',
      '--port',
      String(port),
      '--storage',
      storage,
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, STRATA_CACHE_WRITE_TOKENS: 'main-token', STRATA_CACHE_READ_TOKENS: 'pr-token', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  for (let i = 0; i < 100 && !log.includes('nx-strata cache server on'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!log.includes('nx-strata cache server on')) {
    child.kill('SIGTERM');
    throw new Error(`the cache server did not start on port ${port}:\n${log}`);
  }
  return { base: `http://127.0.0.1:${port}`, child, log: () => log, stop: () => void child.kill('SIGTERM') };
}
