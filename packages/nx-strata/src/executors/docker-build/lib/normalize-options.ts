import type { DockerHost } from '../../../engines/docker-host';
import { buildNamespaces, type BuildNamespaces } from '../../../engines/registry/trust';
import { join } from 'node:path';
import { DEFAULT_PARENT_ARG } from '../../../model/plan-layer-tasks';
import type { DockerBuildExecutorOptions } from '../schema';
import { rejoinCsvEntries } from './csv-entries';

export interface NormalizedDockerBuildOptions extends Required<
  Omit<
    DockerBuildExecutorOptions,
    | 'target'
    | 'parentRecord'
    | 'parentTarget'
    | 'registry'
    | 'untrustedRegistry'
    | 'trustedBranches'
    | 'builder'
    | 'dockerContext'
    | 'dockerHost'
  >
> {
  target?: string;
  parentRecord?: string;
  parentTarget?: string;
  builder?: string;
  dockerContext?: string;
  dockerHost?: string;
  /** Where every docker call of this task goes (builder, context or daemon address). */
  host: DockerHost;
  /**
   * Where this run pushes what it builds: the trusted namespace on a trusted run, the untrusted one otherwise (after
   * STRATA_REGISTRY / STRATA_UNTRUSTED_REGISTRY); null: it builds into the local engine.
   */
  registry: string | null;
  /** What this run writes and reads (see engines/registry/trust.ts). */
  namespaces: BuildNamespaces;
  workspaceRoot: string;
  recordAbsolute: string;
}

/** Every default of the docker-build executor lives here. */
export function normalizeOptions(
  options: DockerBuildExecutorOptions,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): NormalizedDockerBuildOptions {
  const namespaces = buildNamespaces(options, env);
  const normalized = {
    ...options,
    namespaces,
    registry: namespaces.write,
    workspaceRoot,
    recordAbsolute: join(workspaceRoot, options.record),
    host: { builder: options.builder, context: options.dockerContext, host: options.dockerHost },
  } as NormalizedDockerBuildOptions;
  normalized.context ??= '.';
  normalized.args ??= {};
  normalized.parentArg ??= DEFAULT_PARENT_ARG;
  // Given on the command line, Nx splits these at every comma: each comes back whole.
  normalized.cacheFrom = rejoinCsvEntries(options.cacheFrom);
  normalized.cacheTo = rejoinCsvEntries(options.cacheTo);
  normalized.secrets = rejoinCsvEntries(options.secrets);
  normalized.provenance ??= false;
  normalized.sbom ??= false;
  normalized.pull ??= false;
  normalized.noCache ??= false;
  normalized.progress ??= 'plain';
  normalized.registryCache ??= true;
  normalized.pinBaseImages ??= false;
  normalized.pull ||= normalized.pinBaseImages;
  normalized.dryRun ??= false;
  normalized.excludedInputs ??= [];
  return normalized;
}
