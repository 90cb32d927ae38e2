import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { isInside } from '../config/workspace-paths';
import type { DockerignoreRules } from './dockerignore';

/** How a context entry that is not a regular file enters the build: Docker sends links as links, never their targets. */
export type SpecialEntry = { kind: 'symlink'; target: string } | { kind: 'fifo' | 'socket' | 'device' };

export interface ContextReads {
  /** Every entry the build reads from the context (regular files, symlinks, special files), context-relative, sorted. */
  files: string[];
  /** The entries of `files` that are not regular files: hashed by what they are, never opened. */
  special: Record<string, SpecialEntry>;
  /**
   * The smallest description of `files` that stays exact and safe for Nx to hash: directories whose every entry is
   * read and hashable (as globs catch files added or deleted later) and single files elsewhere. Special files and
   * symlinks that lead outside the workspace (or nowhere) are left out: Nx's hasher would follow them.
   * Context-relative; '.' is the whole context.
   */
  cover: { directories: string[]; files: string[] };
  /** Sources that match nothing in the context (docker will fail on them). */
  missing: string[];
  /** Excluded paths (never inputs) that a source reached: Docker still sends them. */
  excludedReached: string[];
}

export interface ContextReadOptions {
  /** Context-relative paths that are never inputs (Nx's cache and workspace data, nx-strata's records). */
  excluded?: string[];
  /** Absolute real path of the workspace: symlinks that resolve outside it are never handed to Nx. */
  workspaceRoot?: string;
}

interface WalkedDirectory {
  path: string;
  /** Every entry at or below this directory is read and safe for Nx to hash. */
  complete: boolean;
  files: string[];
  /** Entries read but not safe to hand to Nx as a file input. */
  unsafe: Set<string>;
  children: WalkedDirectory[];
}

const WILDCARD = /[*?[]/;
const MAX_LINK_HOPS = 255;

/**
 * Lists the entries that COPY/ADD/bind-mount sources read from a build context, filtered by .dockerignore.
 * A source path is resolved as BuildKit does (symlinks on the way followed, but never above the context root); entries
 * inside a copied directory are taken as they are (a symlink is a link). Directories excluded by .dockerignore (with
 * no `!` rule reaching inside) are not walked. Nothing is opened: special files are only named.
 */
export function listContextReads(
  contextAbsolute: string,
  sources: string[],
  ignore: DockerignoreRules,
  options: ContextReadOptions = {},
): ContextReads {
  const files = new Set<string>();
  const special: Record<string, SpecialEntry> = {};
  const coverDirectories = new Set<string>();
  const coverFiles = new Set<string>();
  const missing: string[] = [];
  const excluded = options.excluded ?? [];
  const excludedReached = new Set<string>();
  const isExcluded = (path: string) => {
    const hit = excluded.find((prefix) => prefix === '.' || path === prefix || path.startsWith(`${prefix}/`));
    if (hit !== undefined) excludedReached.add(hit);
    return hit !== undefined;
  };
  const walkOptions: WalkOptions = { contextAbsolute, ignore, isExcluded, special, workspaceRoot: options.workspaceRoot, excluded };

  for (const source of [...new Set(sources)]) {
    const matches = WILDCARD.test(source) ? expandWildcard(contextAbsolute, source) : [source];
    let matchedSomething = false;
    for (const match of matches) {
      const resolved = resolveInContext(contextAbsolute, match);
      if (resolved === undefined) continue;
      const stats = lstatOrUndefined(join(contextAbsolute, resolved));
      if (!stats) continue;
      if (!stats.isDirectory()) {
        if (resolved !== '.' && (ignore.ignores(resolved) || isExcluded(resolved))) continue;
        matchedSomething = true;
        files.add(resolved);
        const entry = specialEntry(contextAbsolute, resolved, stats);
        if (entry) special[resolved] = entry;
        if (!entry || isSafeForNx(walkOptions, resolved, entry)) coverFiles.add(resolved);
        continue;
      }
      const walked = walkDirectory(walkOptions, resolved);
      if (walked === undefined) continue;
      matchedSomething = true;
      collectFiles(walked, files);
      collectCover(walked, coverDirectories, coverFiles);
    }
    if (!matchedSomething) missing.push(source);
  }

  return {
    files: [...files].sort(),
    special,
    cover: minimizeCover(coverDirectories, coverFiles),
    missing,
    excludedReached: [...excludedReached].sort(),
  };
}

/**
 * A context-relative path with every symlink on the way resolved inside the context, as BuildKit resolves COPY sources:
 * an absolute link target starts again at the context root and `..` never climbs above it. Undefined when a link loop
 * goes on for more than 255 hops. The result may not exist.
 */
export function resolveInContext(contextAbsolute: string, path: string): string | undefined {
  const pending = path.split('/').filter((part) => part !== '' && part !== '.');
  let resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    const stats = lstatOrUndefined(join(contextAbsolute, ...candidate));
    if (!stats) return [...candidate, ...pending].join('/');
    if (stats.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) return undefined;
      const target = readlinkSync(join(contextAbsolute, ...candidate), 'utf8')
        .split('\\')
        .join('/');
      if (target.startsWith('/')) resolved = [];
      pending.unshift(...target.split('/').filter((piece) => piece !== '' && piece !== '.'));
      continue;
    }
    resolved = candidate;
  }
  return resolved.length ? resolved.join('/') : '.';
}

function expandWildcard(contextAbsolute: string, pattern: string): string[] {
  // COPY wildcards follow Go's filepath.Match: `*` never crosses `/`, hidden files match.
  return fg.sync(pattern, { cwd: contextAbsolute, dot: true, onlyFiles: false, followSymbolicLinks: false, unique: true }).sort();
}

interface WalkOptions {
  contextAbsolute: string;
  ignore: DockerignoreRules;
  isExcluded: (path: string) => boolean;
  special: Record<string, SpecialEntry>;
  workspaceRoot?: string;
  excluded: string[];
}

function walkDirectory(options: WalkOptions, path: string): WalkedDirectory | undefined {
  const { contextAbsolute, ignore } = options;
  if (path !== '.' && ignore.ignores(path) && !ignore.mayReinclude(path)) return undefined;
  if (path !== '.' && options.isExcluded(path)) return undefined;
  const node: WalkedDirectory = { path, complete: true, files: [], unsafe: new Set(), children: [] };
  let entries: Dirent[];
  try {
    entries = readdirSync(join(contextAbsolute, path), { withFileTypes: true });
  } catch {
    return undefined;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path === '.' ? entry.name : `${path}/${entry.name}`;
    if (entry.isDirectory()) {
      const walked = walkDirectory(options, child);
      if (walked === undefined) {
        node.complete = false;
        continue;
      }
      node.children.push(walked);
      if (!walked.complete) node.complete = false;
      continue;
    }
    if (ignore.ignores(child) || options.isExcluded(child)) {
      node.complete = false;
      continue;
    }
    node.files.push(child);
    if (entry.isFile()) continue;
    const stats = lstatOrUndefined(join(contextAbsolute, child));
    const special = stats ? specialEntry(contextAbsolute, child, stats) : undefined;
    if (!special) continue;
    options.special[child] = special;
    if (!isSafeForNx(options, child, special)) {
      node.unsafe.add(child);
      node.complete = false;
    }
  }
  return node;
}

function specialEntry(contextAbsolute: string, path: string, stats: Stats): SpecialEntry | undefined {
  if (stats.isFile() || stats.isDirectory()) return undefined;
  if (stats.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(join(contextAbsolute, path), 'utf8') };
  if (stats.isFIFO()) return { kind: 'fifo' };
  if (stats.isSocket()) return { kind: 'socket' };
  return { kind: 'device' };
}

/**
 * Whether Nx may hash this entry as a file input. Nx follows symlinks: only a link to a regular file or directory inside
 * the workspace (and not into an excluded path such as .nx/) is safe; a special file never is.
 */
function isSafeForNx(options: WalkOptions, path: string, entry: SpecialEntry): boolean {
  if (entry.kind !== 'symlink' || !options.workspaceRoot) return false;
  try {
    const real = realpathSync.native(join(options.contextAbsolute, path));
    if (!isInside(options.workspaceRoot, real)) return false;
    const stats = statSync(real);
    if (!stats.isFile() && !stats.isDirectory()) return false;
    const contextReal = realpathSync.native(options.contextAbsolute);
    if (isInside(contextReal, real)) {
      const relative = real
        .slice(contextReal.length + 1)
        .split('\\')
        .join('/');
      if (options.excluded.some((prefix) => relative === prefix || relative.startsWith(`${prefix}/`))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
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
  node.files.filter((file) => !node.unsafe.has(file)).forEach((file) => files.add(file));
  node.children.forEach((child) => collectCover(child, directories, files));
}

/** Drops directories and files already inside a covered directory. */
function minimizeCover(directories: Set<string>, files: Set<string>): ContextReads['cover'] {
  if (directories.has('.')) return { directories: ['.'], files: [] };
  const kept = new Set<string>();
  const insideKept = (path: string) => {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) if (kept.has(path.slice(0, slash))) return true;
    return kept.has(path);
  };
  // Shallowest first: a directory is kept unless one above it already is.
  const byDepth = [...directories].sort((a, b) => a.split('/').length - b.split('/').length);
  for (const directory of byDepth) if (!insideKept(directory)) kept.add(directory);
  return { directories: [...kept].sort(), files: [...files].filter((file) => !insideKept(file)).sort() };
}
