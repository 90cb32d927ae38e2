import createIgnore from '@balena/dockerignore';
import { closeSync, fstatSync, lstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { StrataInputError } from './strata-error';

/** Largest text file nx-strata reads as a strata.json, Dockerfile or .dockerignore: anything bigger is not one. */
export const MAX_TEXT_FILE_BYTES = 8 * 1024 * 1024;

export type PathCheck = { ok: true; path: string } | { ok: false; problem: string; hint: string };

/**
 * Checks that `path` (workspace-relative, `/`-separated, as written after joining with the project root) names a
 * regular file or a directory inside the workspace, after following symlinks. Never opens it. Returns the normalised
 * workspace-relative path, or what is wrong with it and what to do.
 */
export function checkWorkspacePath(workspaceRoot: string, path: string, expect: 'file' | 'directory'): PathCheck {
  const normalized = posix.normalize(path.split('\\').join('/')).replace(/\/+$/, '') || '.';
  if (isAbsolute(path) || posix.isAbsolute(normalized)) return absolutePath(path);
  if (normalized === '..' || normalized.startsWith('../')) {
    return {
      ok: false,
      problem: `"${normalized}" is outside the workspace`,
      hint: 'nx-strata reads only files inside the Nx workspace (Nx could not see changes to anything outside it); move the file into the workspace',
    };
  }
  const absolute = join(workspaceRoot, normalized);
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const dangling = isDanglingLink(absolute);
      return {
        ok: false,
        problem: dangling ? `"${normalized}" is a symlink to nothing` : `"${normalized}" does not exist`,
        hint:
          expect === 'file'
            ? 'fix the path (relative to strata.json) or add the file'
            : 'fix the path (relative to strata.json) or create the directory',
      };
    }
    if (code === 'ELOOP')
      return { ok: false, problem: `"${normalized}" is a symlink loop`, hint: 'point the symlink at a real file inside the workspace' };
    return { ok: false, problem: `"${normalized}" cannot be read (${code ?? 'error'})`, hint: 'check its permissions' };
  }
  if (!isInside(realWorkspaceRoot(workspaceRoot), real)) {
    return {
      ok: false,
      problem: `"${normalized}" leads outside the workspace through a symlink`,
      hint: 'nx-strata reads only files inside the Nx workspace; copy the file into it instead of linking',
    };
  }
  const stats = statSync(real);
  if (expect === 'file' && !stats.isFile()) {
    return { ok: false, problem: `"${normalized}" is ${describeKind(stats)}, not a regular file`, hint: 'point it at a file' };
  }
  if (expect === 'directory' && !stats.isDirectory()) {
    return { ok: false, problem: `"${normalized}" is ${describeKind(stats)}, not a directory`, hint: 'point it at a directory' };
  }
  return { ok: true, path: normalized };
}

/**
 * A path as strata.json writes it, relative to the directory that holds strata.json (`projectRoot`): refused when
 * absolute (before joining would hide it), else checked like any workspace path.
 */
export function checkConfigPath(workspaceRoot: string, projectRoot: string, written: string, expect: 'file' | 'directory'): PathCheck {
  if (posix.isAbsolute(written) || /^[A-Za-z]:[\\/]/.test(written)) return absolutePath(written);
  return checkWorkspacePath(workspaceRoot, posix.normalize(posix.join(projectRoot, written)), expect);
}

function absolutePath(path: string): PathCheck {
  return {
    ok: false,
    problem: `"${path}" is an absolute path`,
    hint: 'paths in strata.json are relative to the directory that holds it, and stay inside the workspace',
  };
}

/**
 * Reads a small text file inside the workspace (strata.json, a Dockerfile, a .dockerignore) after checking that it is
 * a regular file there and not larger than MAX_TEXT_FILE_BYTES. Errors name the file and never its content.
 */
export function readWorkspaceTextFile(workspaceRoot: string, path: string, options: { file: string; what: string }): string {
  const check = checkWorkspacePath(workspaceRoot, path, 'file');
  if (!check.ok) throw new StrataInputError({ file: options.file, problem: `${options.what} ${check.problem}`, hint: check.hint });
  const fd = openSync(join(workspaceRoot, check.path), 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_TEXT_FILE_BYTES) {
      throw new StrataInputError({
        file: options.file,
        problem: `${options.what} "${check.path}" is ${size} bytes, more than any ${options.what} should be (limit ${MAX_TEXT_FILE_BYTES})`,
        hint: 'point it at the right file',
      });
    }
    const buffer = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, buffer, offset, size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return buffer.subarray(0, offset).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Whether `path` is `root` or below it (both absolute, already real). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * `path` (absolute) with the symlinks of its longest existing part resolved: a path that may not exist yet, whose
 * existing parents must not lead elsewhere. `path` itself when no part of it resolves.
 */
export function realPathAllowingMissing(path: string): string {
  for (let existing = path, rest = ''; ; rest = join(basename(existing), rest), existing = dirname(existing)) {
    try {
      return join(realpathSync.native(existing), rest);
    } catch {
      if (dirname(existing) === existing) return path;
    }
  }
}

const realRoots = new Map<string, string>();

export function realWorkspaceRoot(workspaceRoot: string): string {
  let real = realRoots.get(workspaceRoot);
  if (!real) {
    real = realpathSync.native(workspaceRoot);
    realRoots.set(workspaceRoot, real);
  }
  return real;
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function describeKind(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFile()) return 'a regular file';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Whether git ignores `path` (workspace-relative) by the workspace root's `.gitignore`, read with Docker's pattern
 * semantics (the common cases: `dist`, `/dist/`, `build/`, `*.log`, `!keep`). Used only to accept a build context
 * that is a build output and does not exist yet; nested `.gitignore` files are not read.
 */
export function isIgnoredByGit(workspaceRoot: string, path: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(workspaceRoot, '.gitignore'), 'utf8');
  } catch {
    return false;
  }
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/\/+$/, ''))
    // An unanchored gitignore pattern matches at any depth.
    .flatMap((line) =>
      line.startsWith('/') || line.startsWith('!') || line.includes('/') ? [line.replace(/^\//, '')] : [line, `**/${line}`],
    );
  const matcher = createIgnore().add(patterns);
  const parts = path.split('/');
  // A path is ignored when it or one of its ancestors is.
  return parts.some((_part, index) => matcher.ignores(parts.slice(0, index + 1).join('/')));
}
