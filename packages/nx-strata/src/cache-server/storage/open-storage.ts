import { isAbsolute, resolve } from 'node:path';
import type { CacheStorage } from './cache-storage';
import { FileStorage } from './file-storage';
import { OciStorage } from './oci-storage';

/** `file:///var/cache/nx` (or a plain path) or `oci://registry:5000/team/nx-cache`. Throws with what to write instead. */
export function openStorage(url: string, env: NodeJS.ProcessEnv = process.env): CacheStorage {
  if (url.startsWith('oci://')) {
    const rest = url.slice('oci://'.length).replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) throw new Error(`--storage ${url}: an OCI backend needs a repository: oci://<host[:port]>/<repository>`);
    return new OciStorage(rest.slice(0, slash), rest.slice(slash + 1), env);
  }
  if (url.startsWith('file://')) return new FileStorage(decodeURIComponent(new URL(url).pathname));
  if (!url.includes('://')) return new FileStorage(isAbsolute(url) ? url : resolve(url));
  throw new Error(`--storage ${url}: use file:///path/to/dir or oci://<host[:port]>/<repository>`);
}
