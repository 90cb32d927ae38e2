/** Options of the `nx-strata:docker-build` executor. Inferred targets fill the layer fields; users add the rest. */
export interface DockerBuildExecutorOptions {
  /** Workspace-relative strata.json this layer comes from. */
  configFile: string;
  /** Image repository path without registry, e.g. `acme/vision`. */
  image: string;
  variant: string;
  /** False when the strata.json declares no variants: messages then leave the variant out. */
  explicitVariant?: boolean;
  layer: string;
  /** Target platform, e.g. `linux/arm64`. */
  platform: string;
  /** Workspace-relative Dockerfile. */
  dockerfile: string;
  /** Workspace-relative build context. @default "." */
  context?: string;
  /** Build args. */
  args?: Record<string, string>;
  /** Multi-stage `--target`. */
  target?: string;
  /** Build arg that receives the parent image. @default "BASE_IMAGE" */
  parentArg?: string;
  /** Workspace-relative record of the parent layer's build, when there is a parent. */
  parentRecord?: string;
  /** Target name of the parent layer (for messages). */
  parentTarget?: string;
  /** Workspace-relative path of this layer's record (the target's output). */
  record: string;
  /** The trusted build namespace, e.g. `localhost:5000/acme`: trusted runs push here. `STRATA_REGISTRY` overrides it; empty means local mode. */
  registry?: string;
  /** Where untrusted runs (pull requests, developer machines) push. `STRATA_UNTRUSTED_REGISTRY` overrides it; empty: they push nowhere. @default "<registry>/untrusted" */
  untrustedRegistry?: string;
  /** Branches whose CI pushes are trusted runs (`STRATA_TRUST` decides instead when set). @default ["main"] */
  trustedBranches?: string[];
  /** buildx builder to use (`--builder`), e.g. a native arm64 node. */
  builder?: string;
  /** Docker context every docker call of this task goes to (`docker --context <name>`): a second engine, a native arm64 host. */
  dockerContext?: string;
  /** Daemon address every docker call of this task goes to (`DOCKER_HOST`), e.g. `unix:///run/arm64.sock`, `ssh://builder@arm64`. */
  dockerHost?: string;
  /** `--cache-from` entries, passed through. */
  cacheFrom?: string[];
  /** `--cache-to` entries, passed through (the docker driver supports only `type=inline`). */
  cacheTo?: string[];
  /** `--secret` specs such as `id=npmrc,src=.npmrc`. Never written to records or logs. */
  secrets?: string[];
  /** Provenance attestations: `true` (= `min`), `min` or `max`. Needs a docker-container, kubernetes or remote builder; with the docker driver the build goes on without them and says so. @default false */
  provenance?: boolean | 'min' | 'max';
  /** SBOM attestation (same builders as provenance). @default false */
  sbom?: boolean;
  /** Always pull newer base images (`--pull`). @default false */
  pull?: boolean;
  /** Build without the BuildKit cache (`--no-cache`). @default false */
  noCache?: boolean;
  /** buildx progress output. @default "plain" */
  progress?: 'auto' | 'plain' | 'tty' | 'quiet';
  /** Registry mode: skip the build when `<repo>:strata-<key>` is already in the registry (a registry hit). @default true */
  registryCache?: boolean;
  /** Resolve external base images given by tag to digests, key on them, and build with `--pull`. @default false */
  pinBaseImages?: boolean;
  /** Print the exact docker command and stop: nothing is built and no record is written. @default false */
  dryRun?: boolean;
  /** Workspace-relative paths that are never inputs (the records directory). */
  excludedInputs?: string[];
}
