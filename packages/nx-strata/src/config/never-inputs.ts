import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

export interface NeverInputsOptions {
  /** nx-strata's build records (plugin option `recordsDir`). */
  recordsDir: string;
  /** nx-strata's build history (plugin option `historyDir`). */
  historyDir: string;
}

/**
 * Workspace-relative paths that are never inputs of a layer key or an Nx target, whatever a build context sends:
 * `.nx/` (Nx's workspace data and default cache), nx.json's `cacheDirectory`, `NX_CACHE_DIRECTORY`,
 * `NX_WORKSPACE_DATA_DIRECTORY`, and nx-strata's own history and records. They change on every Nx run: as inputs, a
 * `COPY . .` layer would never hit the cache. Paths outside the workspace are dropped (no context reaches them).
 */
export function neverInputs(workspaceRoot: string, options: NeverInputsOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [
    '.nx',
    nxJsonCacheDirectory(workspaceRoot),
    env.NX_CACHE_DIRECTORY,
    env.NX_WORKSPACE_DATA_DIRECTORY,
    options.historyDir,
    options.recordsDir,
  ];
  const paths: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const inside = relative(workspaceRoot, isAbsolute(candidate) ? candidate : join(workspaceRoot, candidate))
      .split('\\')
      .join('/');
    if (inside === '' || inside === '..' || inside.startsWith('../') || isAbsolute(inside)) continue;
    if (!paths.includes(inside)) paths.push(inside);
  }
  // A path inside another one adds nothing (.nx/cache inside .nx).
  return paths.filter((path) => !paths.some((other) => other !== path && path.startsWith(`${other}/`)));
}

/** nx.json's cacheDirectory, read again only when nx.json changes (every family of a graph computation asks). */
const cacheDirectories = new Map<string, { mtimeMs: number; value: string | undefined }>();

function nxJsonCacheDirectory(workspaceRoot: string): string | undefined {
  const file = join(workspaceRoot, 'nx.json');
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const known = cacheDirectories.get(file);
  if (known?.mtimeMs === mtimeMs) return known.value;
  let value: string | undefined;
  try {
    const nxJson = JSON.parse(readFileSync(file, 'utf8')) as { cacheDirectory?: unknown };
    value = typeof nxJson.cacheDirectory === 'string' ? nxJson.cacheDirectory : undefined;
  } catch {
    value = undefined;
  }
  cacheDirectories.set(file, { mtimeMs, value });
  return value;
}
