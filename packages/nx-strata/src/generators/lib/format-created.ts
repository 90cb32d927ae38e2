import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FormattingOptions } from 'jsonc-parser';
import { stringifyLike } from './json-text';

interface Prettier {
  resolveConfig(file: string): Promise<Record<string, unknown> | null> | Record<string, unknown> | null;
  format(text: string, options: Record<string, unknown>): Promise<string> | string;
}

/**
 * A new JSON file's text as the workspace formats its files, what Nx's `formatFiles` does: the workspace's own prettier
 * with its config for that path when the workspace has prettier, else the indentation of a file beside it (`like`).
 */
export async function formatNewJson(workspaceRoot: string, path: string, value: unknown, like: FormattingOptions): Promise<string> {
  const fallback = stringifyLike(value, like);
  let prettier: Prettier;
  try {
    prettier = createRequire(join(workspaceRoot, 'package.json'))('prettier') as Prettier;
  } catch {
    return fallback;
  }
  try {
    const file = join(workspaceRoot, path);
    const config = await prettier.resolveConfig(file);
    if (!config) return fallback;
    return await prettier.format(JSON.stringify(value), { ...config, filepath: file });
  } catch {
    // A prettier that cannot format this (an old major, a plugin missing): the file's neighbours decide.
    return fallback;
  }
}
