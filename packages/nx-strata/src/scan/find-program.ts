import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Where `program` would be run from: a path (with a `/`) resolved against `cwd`, else the first executable file of
 * that name on `PATH`. Undefined when there is none, so a missing scanner is named before any image is pulled.
 */
export function findProgram(program: string, cwd: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : join(cwd, program)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
