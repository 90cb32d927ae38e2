/** Options of the nx-strata plugin entry in nx.json (`{ "plugin": "nx-strata", "options": { ... } }`). */
export interface StrataPluginOptions {
  /** Name of the aggregate build target; atomized targets are `<name>--...`. @default "docker-build" */
  buildTargetName?: string;
  /** Name of the publish target(s): `<name>--<variant>` and the aggregate `<name>`. @default "docker-publish" */
  publishTargetName?: string;
  /** More targets `docker-publish` must wait for (e.g. container tests or scans of the same digests). @default [] */
  publishDependsOn?: string[];
  /** Registry (and namespace) layers are pushed to, e.g. `localhost:5000/acme`. `STRATA_REGISTRY` overrides it. Unset: local mode. */
  registry?: string;
  /** Workspace-relative directory for build records (the targets' outputs). @default "dist/strata" */
  recordsDir?: string;
  /** buildx builder per platform, e.g. `{ "linux/arm64": "arm64-native" }`. */
  builders?: Record<string, string>;
  /** Registry mode: skip a layer's build when its content tag is already in the registry (a registry hit). @default true */
  registryCache?: boolean;
  /**
   * Resolve external base images given by tag (`FROM python:3.11-slim`) to digests on every run and make them part of
   * the task hash and layer key, so an upstream security fix rebuilds the layers on it (builds then use `--pull`). @default false
   */
  pinBaseImages?: boolean;
}

export type NormalizedPluginOptions = Required<Omit<StrataPluginOptions, 'registry'>> & Pick<StrataPluginOptions, 'registry'>;

/** Every default of the plugin lives here. */
export function normalizePluginOptions(options: StrataPluginOptions | undefined): NormalizedPluginOptions {
  const normalized = { ...options } as NormalizedPluginOptions;
  normalized.buildTargetName ??= 'docker-build';
  normalized.publishTargetName ??= 'docker-publish';
  normalized.publishDependsOn ??= [];
  normalized.recordsDir ??= 'dist/strata';
  normalized.recordsDir = normalized.recordsDir.replace(/\/+$/, '');
  normalized.builders ??= {};
  normalized.registryCache ??= true;
  normalized.pinBaseImages ??= false;
  return normalized;
}
