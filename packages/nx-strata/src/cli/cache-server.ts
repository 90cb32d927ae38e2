import { tokensFromEnv } from '../cache-server/auth';
import { createCacheServer, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_PORT } from '../cache-server/cache-server';
import { openStorage } from '../cache-server/storage/open-storage';

export interface CacheServerCommand {
  port?: string;
  host?: string;
  storage?: string;
  maxUploadMb?: string;
  out: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** `nx-strata cache-server`: runs until SIGINT or SIGTERM. Tokens come from the environment, never from flags. */
export async function cacheServer(command: CacheServerCommand): Promise<number> {
  const env = command.env ?? process.env;
  if (!command.storage) {
    command.out('nx-strata cache-server needs --storage file:///path/to/dir or --storage oci://<host[:port]>/<repository>');
    return 2;
  }
  const tokens = tokensFromEnv(env);
  if (tokens.read.length + tokens.write.length === 0) {
    command.out(
      'nx-strata cache-server: no tokens. Set STRATA_CACHE_WRITE_TOKENS (for trusted branches) and/or STRATA_CACHE_READ_TOKENS (for pull requests), comma-separated',
    );
    return 2;
  }
  const port = command.port === undefined ? DEFAULT_PORT : Number(command.port);
  const maxUploadBytes = command.maxUploadMb === undefined ? DEFAULT_MAX_UPLOAD_BYTES : Number(command.maxUploadMb) * 1024 * 1024;
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(maxUploadBytes) || maxUploadBytes <= 0) {
    command.out('nx-strata cache-server: --port must be 0-65535 and --max-upload-mb a positive number');
    return 2;
  }
  let storage: ReturnType<typeof openStorage>;
  try {
    storage = openStorage(command.storage, env, command.out);
  } catch (error) {
    command.out(`nx-strata cache-server: ${(error as Error).message}`);
    return 2;
  }
  const server = createCacheServer({ storage, tokens, maxUploadBytes, log: command.out });
  const address = await server.listen(port, command.host ?? '127.0.0.1');
  const health = await storage.health();
  command.out(
    `nx-strata cache server on http://${address.address}:${address.port} (storage ${storage.url}: ${health.detail}; ${tokens.write.length} write and ${tokens.read.length} read token${tokens.read.length === 1 ? '' : 's'}; uploads up to ${Math.round(maxUploadBytes / 1024 / 1024)} MiB)`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
