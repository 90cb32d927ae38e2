import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Nx majors nx-strata serves (package.json's peer range says the same; the nx-majors e2e proves each). */
export const SUPPORTED_NX_MAJORS = { first: 21, last: 24 } as const;

/** The version of the `nx` package the workspace at `workspaceRoot` resolves, or undefined when it has none. Never throws. */
export function workspaceNxVersion(workspaceRoot: string): string | undefined {
  // Node's own lookup: node_modules/nx in the workspace or a directory above it.
  for (let directory = workspaceRoot; ; directory = dirname(directory)) {
    try {
      const version = (JSON.parse(readFileSync(join(directory, 'node_modules/nx/package.json'), 'utf8')) as { version?: unknown }).version;
      return typeof version === 'string' ? version : undefined;
    } catch {
      if (dirname(directory) === directory) return undefined;
    }
  }
}

/**
 * Why nx-strata cannot serve an Nx of this version, as one sentence with what to do, or undefined when it can (or the
 * version is unknown: then Nx itself decides). Pure.
 */
export function unsupportedNxProblem(version: string | undefined): string | undefined {
  const major = Number(/^(\d+)\./.exec(version ?? '')?.[1]);
  if (!Number.isInteger(major)) return undefined;
  const { first, last } = SUPPORTED_NX_MAJORS;
  if (major >= first && major <= last) return undefined;
  return major < first
    ? `nx-strata supports Nx ${first} to ${last}, and this workspace has Nx ${version}: upgrade Nx first (\`npx nx migrate ${first}\`, or \`npx nx migrate latest\`), or remove nx-strata from nx.json's plugins`
    : `nx-strata supports Nx ${first} to ${last}, and this workspace has Nx ${version}: install an nx-strata release that supports Nx ${major}, or stay on Nx ${last}`;
}
