import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import type { DockerignoreRules } from './dockerignore';

export interface ContextReads {
  /** Every file the build reads from the context, context-relative, sorted. */
  files: string[];
  /**
   * The smallest description of `files` that stays exact: directories whose every file is read (as globs catch
   * files added or deleted later) and single files elsewhere. Context-relative; '.' is the whole context.
   */
  cover: { directories: string[]; files: string[] };
  /** Sources that match nothing in the context (docker will fail on them). */
  missing: string[];
}

interface WalkedDirectory {
  path: string;
  /** Every file at or below this directory is read (nothing ignored, nothing pruned). */
  complete: boolean;
  files: string[];
  children: WalkedDirectory[];
}

const WILDCARD = /[*?[]/;

/**
 * Lists the files that COPY/ADD/bind-mount sources read from a build context, filtered by .dockerignore.
 * Directories excluded by .dockerignore (with no `!` rule reaching inside) are not walked.
 */
export function listContextReads(contextAbsolute: string, sources: string[], ignore: DockerignoreRules): ContextReads {
  const files = new Set<string>();
  const coverDirectories = new Set<string>();
  const coverFiles = new Set<string>();
  const missing: string[] = [];

  for (const source of [...new Set(sources)]) {
    const matches = WILDCARD.test(source) ? expandWildcard(contextAbsolute, source) : [source];
    let matchedSomething = false;
    for (const match of matches) {
      const kind = entryKind(join(contextAbsolute, match));
      if (kind === 'missing') continue;
      if (kind === 'file') {
        if (ignore.ignores(match)) continue;
        matchedSomething = true;
        files.add(match);
        coverFiles.add(match);
        continue;
      }
      const walked = walkDirectory(contextAbsolute, match, ignore);
      if (walked === undefined) continue;
      matchedSomething = true;
      collectFiles(walked, files);
      collectCover(walked, coverDirectories, coverFiles);
    }
    if (!matchedSomething) missing.push(source);
  }

  return {
    files: [...files].sort(),
    cover: minimizeCover(coverDirectories, coverFiles),
    missing,
  };
}

function expandWildcard(contextAbsolute: string, pattern: string): string[] {
  // COPY wildcards follow Go's filepath.Match: `*` never crosses `/`, hidden files match.
  return fg.sync(pattern, { cwd: contextAbsolute, dot: true, onlyFiles: false, followSymbolicLinks: false, unique: true }).sort();
}

function entryKind(path: string): 'file' | 'directory' | 'missing' {
  try {
    return lstatSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

function walkDirectory(contextAbsolute: string, relative: string, ignore: DockerignoreRules): WalkedDirectory | undefined {
  const path = relative;
  if (path !== '.' && ignore.ignores(path) && !ignore.mayReinclude(path)) return undefined;
  const node: WalkedDirectory = { path, complete: true, files: [], children: [] };
  let entries: Dirent[];
  try {
    entries = readdirSync(join(contextAbsolute, relative), { withFileTypes: true });
  } catch {
    return undefined;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path === '.' ? entry.name : `${path}/${entry.name}`;
    if (entry.isDirectory()) {
      const walked = walkDirectory(contextAbsolute, child, ignore);
      if (walked === undefined) {
        node.complete = false;
        continue;
      }
      node.children.push(walked);
      if (!walked.complete) node.complete = false;
    } else if (ignore.ignores(child)) {
      node.complete = false;
    } else {
      node.files.push(child);
    }
  }
  return node;
}

function collectFiles(node: WalkedDirectory, into: Set<string>): void {
  node.files.forEach((file) => into.add(file));
  node.children.forEach((child) => collectFiles(child, into));
}

function collectCover(node: WalkedDirectory, directories: Set<string>, files: Set<string>): void {
  if (node.complete) {
    directories.add(node.path);
    return;
  }
  node.files.forEach((file) => files.add(file));
  node.children.forEach((child) => collectCover(child, directories, files));
}

/** Drops directories and files already inside a covered directory. */
function minimizeCover(directories: Set<string>, files: Set<string>): ContextReads['cover'] {
  const sortedDirectories = [...directories].sort();
  const isInside = (path: string, directory: string) => directory === '.' || path === directory || path.startsWith(`${directory}/`);
  const keptDirectories = sortedDirectories.filter(
    (directory) => !sortedDirectories.some((other) => other !== directory && isInside(directory, other)),
  );
  const keptFiles = [...files].filter((file) => !keptDirectories.some((directory) => isInside(file, directory))).sort();
  return { directories: keptDirectories, files: keptFiles };
}
