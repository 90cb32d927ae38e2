import { isAbsolute, resolve } from 'node:path';
import type { CacheStorage } from './cache-storage';
import { FileStorage } from './file-storage';
import { OciStorage } from './oci-storage';

/**
 * `file:///var/cache/nx` (or a plain path) or `oci://registry:5000/team/nx-cache`. Throws with what to write instead.
 * `log` receives what the backend repairs (an artifact moved aside after failing verification).
 */
export function openStorage(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): CacheStorage {
  if (url.startsWith('oci://')) {
    const rest = url.slice('oci://'.length).replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1)
      throw new Error(`--storage ${url}: an OCI backend needs a repository: oci://<host[:port]>/<repository>`);
    return new OciStorage(rest.slice(0, slash), rest.slice(slash + 1), env, undefined, log);
  }
  if (url.startsWith('file:')) {
    // file://relstore reads as host "relstore" and path "/": refuse it rather than store under "/".
    const parsed = /^file:\/\/([^/]*)(\/.*)?$/.exec(url);
    if (!parsed || (parsed[1] !== '' && parsed[1] !== 'localhost') || !parsed[2]) {
      throw new Error(
        `--storage ${url}: a file URL needs an absolute path: file:///absolute/path (three slashes), or give a plain path such as ./cache`,
      );
    }
    return new FileStorage(decodeURIComponent(parsed[2]), log);
  }
  if (!url.includes('://')) return new FileStorage(isAbsolute(url) ? url : resolve(url), log);
  throw new Error(`--storage ${url}: use file:///path/to/dir or oci://<host[:port]>/<repository>`);
}
