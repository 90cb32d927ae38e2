import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * Branch names as CI systems give them: `main`, never `origin/main`. nx.json's `defaultBase` is a git ref that
 * `nx affected` compares against (`origin/main` is common and right there), but a workflow trigger, a GitLab rule and
 * the trust check compare branch names, which carry no remote.
 */

/** The remotes whose prefix is stripped when no repository says otherwise. */
export const WELL_KNOWN_REMOTES = ['origin', 'upstream'];

/**
 * The branch a ref names: `refs/heads/main`, `refs/remotes/origin/main`, `remotes/origin/main` and `origin/main`
 * (`origin` one of `remotes`) all give `main`; `release/1.x` stays as it is (its first segment is no remote). Pure.
 */
export function branchName(ref: string, remotes: string[] = WELL_KNOWN_REMOTES): string {
  const trimmed = ref.trim();
  if (trimmed.startsWith('refs/heads/')) return trimmed.slice('refs/heads/'.length);
  const remoteRef = /^(?:refs\/)?remotes\/[^/]+\/(.+)$/.exec(trimmed);
  if (remoteRef) return remoteRef[1];
  const slash = trimmed.indexOf('/');
  if (slash > 0 && remotes.includes(trimmed.slice(0, slash)) && slash < trimmed.length - 1) return trimmed.slice(slash + 1);
  return trimmed;
}

/**
 * The remotes of the git repository at `workspaceRoot` (`[remote "name"]` sections of its config, a worktree's
 * `.git` file followed to its common directory) with the well-known ones; the well-known ones alone when there is no
 * readable repository. Never throws.
 */
export function gitRemoteNames(workspaceRoot: string): string[] {
  const names = new Set(WELL_KNOWN_REMOTES);
  try {
    for (const match of readFileSync(join(gitCommonDir(workspaceRoot), 'config'), 'utf8').matchAll(/^\s*\[remote\s+"([^"\n]+)"\]/gm))
      names.add(match[1]);
  } catch {
    // no repository, or one we cannot read: the well-known names still apply
  }
  return [...names];
}

/** The URL of a remote (`[remote "origin"]` → `url = ...`) of the repository at `workspaceRoot`, or undefined. Never throws. */
export function gitRemoteUrl(workspaceRoot: string, remote = 'origin'): string | undefined {
  try {
    const config = readFileSync(join(gitCommonDir(workspaceRoot), 'config'), 'utf8');
    let inRemote = false;
    for (const line of config.split('\n')) {
      const section = /^\s*\[([^\]]*)\]/.exec(line);
      if (section) inRemote = section[1].trim() === `remote "${remote}"`;
      else if (inRemote) {
        const url = /^\s*url\s*=\s*(.+?)\s*$/.exec(line);
        if (url) return url[1];
      }
    }
  } catch {
    // no repository, or one we cannot read
  }
  return undefined;
}

/**
 * The remote's default branch as the clone recorded it (`refs/remotes/origin/HEAD` → `ref: refs/remotes/origin/next`
 * gives `next`), or undefined. Never throws.
 */
export function remoteDefaultBranch(workspaceRoot: string, remote = 'origin'): string | undefined {
  try {
    const head = readFileSync(join(gitCommonDir(workspaceRoot), 'refs', 'remotes', remote, 'HEAD'), 'utf8');
    const ref = /^ref:\s*refs\/remotes\/[^/]+\/(.+?)\s*$/m.exec(head)?.[1];
    return ref || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directory that holds the repository's config: the nearest `.git` at or above the workspace, or for a worktree
 * the common directory its `.git` file leads to. Throws when there is none.
 */
function gitCommonDir(workspaceRoot: string): string {
  let directory = workspaceRoot;
  while (!existsSync(join(directory, '.git'))) {
    if (dirname(directory) === directory) throw new Error('not in a git repository');
    directory = dirname(directory);
  }
  const dotGit = join(directory, '.git');
  if (statSync(dotGit).isDirectory()) return dotGit;
  const gitdir = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (!gitdir) return dotGit;
  const worktreeDir = isAbsolute(gitdir) ? gitdir : join(directory, gitdir);
  try {
    const common = readFileSync(join(worktreeDir, 'commondir'), 'utf8').trim();
    return isAbsolute(common) ? common : join(worktreeDir, common);
  } catch {
    return worktreeDir;
  }
}
