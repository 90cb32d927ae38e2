import { closeSync, existsSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { isInside, realPathAllowingMissing, realWorkspaceRoot } from './workspace-paths';

/** A kind of file a command writes, and how to tell one of its own from any other file. */
export interface OutputKind {
  /** `SARIF log`, `Markdown report`. */
  what: string;
  /** Whether the first bytes of an existing file show it is one of these (then it may be replaced). */
  isOwn: (head: string) => boolean;
}

/** Directories no output goes into, at any depth: git's, npm's and Nx's own. */
const PROTECTED_DIRECTORIES = ['.git', 'node_modules', '.nx'];

export type OutputPathCheck = { ok: true; absolute: string } | { ok: false; problem: string; hint: string };

/**
 * Where a command may write `path` (relative to `cwd`): strictly inside the workspace after following symlinks, in no
 * `.git`, `node_modules` or `.nx` directory, and either new or a regular file of the same kind (`kind.isOwn`), so a
 * mistyped path never replaces nx.json, a source file or a directory. Never writes; reads at most 4 KiB.
 */
export function checkOutputPath(workspaceRoot: string, cwd: string, path: string, kind: OutputKind): OutputPathCheck {
  const inside = 'give a path inside the workspace, e.g. dist/strata-sarif/<project>.sarif';
  const lexical = resolve(cwd, path);
  if (lexical === workspaceRoot || !isInside(workspaceRoot, lexical))
    return { ok: false, problem: `${path} is not a file inside the workspace`, hint: inside };
  const real = realPathAllowingMissing(lexical);
  const realRoot = realWorkspaceRoot(workspaceRoot);
  if (real === realRoot || !isInside(realRoot, real))
    return { ok: false, problem: `${path} leads outside the workspace through a symlink`, hint: inside };
  for (const segments of [relative(workspaceRoot, lexical), relative(realRoot, real)].map((rel) => rel.split(sep))) {
    const refused = segments.find((segment) => PROTECTED_DIRECTORIES.includes(segment));
    if (refused) return { ok: false, problem: `${path} is inside ${refused}/, which nx-strata never writes`, hint: inside };
  }
  let stats;
  try {
    stats = lstatSync(lexical);
  } catch {
    const blocking = nearestExisting(dirname(lexical));
    if (blocking && !statSync(blocking).isDirectory())
      return {
        ok: false,
        problem: `${path} would need ${relative(workspaceRoot, blocking)} to be a directory, and it is not one`,
        hint: inside,
      };
    return { ok: true, absolute: lexical };
  }
  const replace = `choose a new file name, or delete ${path} first if it is yours`;
  if (stats.isSymbolicLink())
    return { ok: false, problem: `${path} is a symlink; a ${kind.what} is only ever written as a regular file`, hint: replace };
  if (!stats.isFile()) return { ok: false, problem: `${path} exists and is not a regular file`, hint: replace };
  if (!kind.isOwn(readHead(lexical)))
    return { ok: false, problem: `${path} exists and is not a ${kind.what}, so it is not replaced`, hint: replace };
  return { ok: true, absolute: lexical };
}

function nearestExisting(path: string): string | undefined {
  for (let current = path; ; current = dirname(current)) {
    if (existsSync(current)) return current;
    if (dirname(current) === current) return undefined;
  }
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
