import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import createIgnore from '@balena/dockerignore';
import { readWorkspaceTextFile } from '../config/workspace-paths';

/** .dockerignore rules of one build, with Docker's semantics (by @balena/dockerignore). */
export interface DockerignoreRules {
  /** Workspace-relative path of the file the rules came from, or undefined when there is none. */
  file?: string;
  /** Whether a context-relative path is left out of the build context. */
  ignores(path: string): boolean;
  /** Whether some `!` rule might bring back a path at or below `dir` (so an ignored dir must still be walked). */
  mayReinclude(dir: string): boolean;
}

/**
 * BuildKit reads `<Dockerfile>.dockerignore` next to the Dockerfile when it exists, and `<context>/.dockerignore`
 * otherwise. Returns the file that applies, or undefined.
 */
export function findDockerignore(dockerfileAbsolute: string, contextAbsolute: string): string | undefined {
  const perDockerfile = join(dirname(dockerfileAbsolute), `${basename(dockerfileAbsolute)}.dockerignore`);
  if (existsSync(perDockerfile)) return perDockerfile;
  const root = join(contextAbsolute, '.dockerignore');
  return existsSync(root) ? root : undefined;
}

/** Reads the rules of a workspace-relative .dockerignore (a regular file inside the workspace), or none. */
export function loadDockerignore(workspaceRoot: string, file: string | undefined): DockerignoreRules {
  const patterns = file ? parseDockerignore(readWorkspaceTextFile(workspaceRoot, file, { file, what: '.dockerignore' })) : [];
  const matcher = createIgnore().add(patterns);
  const reincludePrefixes = patterns.filter((p) => p.startsWith('!')).map((p) => literalPrefix(cleanPattern(p.slice(1))));
  return {
    file,
    ignores: (path) => patterns.length > 0 && matcher.ignores(path),
    mayReinclude: (dir) =>
      reincludePrefixes.some((prefix) => prefix === '' || `${dir}/`.startsWith(prefix) || prefix.startsWith(`${dir}/`)),
  };
}

/** Lines of a .dockerignore: comments and blank lines dropped, whitespace trimmed. */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function cleanPattern(pattern: string): string {
  return pattern.replace(/^\/+/, '').replace(/^\.\//, '');
}

/** The part of a pattern before its first wildcard: a re-include can only reach paths that start with it. */
function literalPrefix(pattern: string): string {
  const wildcard = pattern.search(/[*?[\\]/);
  return wildcard === -1 ? pattern : pattern.slice(0, wildcard);
}
