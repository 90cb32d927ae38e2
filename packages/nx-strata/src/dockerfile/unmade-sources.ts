import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { isIgnoredByGit } from '../config/workspace-paths';

/**
 * The COPY/ADD sources of a layer that no checkout has: of its `missing` sources (context-relative, as
 * computeLayerInputs gives them), those whose workspace path exists nowhere and is not a path git ignores (a build
 * output, which inspect and the build warn of). Wildcards and unexpanded variables are left out. Each with its
 * workspace path.
 */
export function unmadeSources(workspaceRoot: string, context: string, missing: string[]): Array<{ source: string; path: string }> {
  return missing.flatMap((source) => {
    if (/[*?[$]/.test(source)) return [];
    const path = posix.normalize(posix.join(context, source));
    return existsSync(join(workspaceRoot, path)) || isIgnoredByGit(workspaceRoot, path) ? [] : [{ source, path }];
  });
}
