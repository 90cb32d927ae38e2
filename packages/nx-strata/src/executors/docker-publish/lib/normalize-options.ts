import { buildRegistry } from '../../../engines/registry/registry-address';
import { buildNamespaces, type BuildNamespaces } from '../../../engines/registry/trust';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { PublishRegistry } from '../../../config/strata-config';
import type { DockerPublishExecutorOptions } from '../schema';

export interface NormalizedPublishOptions extends Required<
  Omit<DockerPublishExecutorOptions, 'registry' | 'version' | 'registries' | 'untrustedRegistry' | 'trustedBranches'>
> {
  /** The trusted build registry after STRATA_REGISTRY, or null (local mode: nothing to publish from). */
  registry: string | null;
  /** What this run trusts: a record whose digest lies elsewhere is never published. */
  namespaces: BuildNamespaces;
  registries: PublishRegistry[];
  version?: string;
  workspaceRoot: string;
}

/** Every default of the docker-publish executor lives here. */
export function normalizePublishOptions(
  options: DockerPublishExecutorOptions,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): NormalizedPublishOptions {
  const registry = buildRegistry(options.registry, env);
  const namespaces = buildNamespaces(options, env);
  const normalized = { ...options, registry, namespaces, workspaceRoot } as NormalizedPublishOptions;
  normalized.registries ??= registry ? [registry] : [];
  normalized.version ??= env.STRATA_VERSION || projectVersion(workspaceRoot, options.configFile);
  normalized.dryRun ??= false;
  return normalized;
}

/** The version nx release (or npm version) wrote into the project's package.json, if any. */
function projectVersion(workspaceRoot: string, configFile: string): string | undefined {
  const packageJson = join(workspaceRoot, posix.dirname(configFile), 'package.json');
  if (!existsSync(packageJson)) return undefined;
  try {
    const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' && version !== '0.0.0' ? version : undefined;
  } catch {
    return undefined;
  }
}
