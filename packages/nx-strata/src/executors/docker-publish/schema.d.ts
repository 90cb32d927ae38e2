import type { PublishRegistry, SignerConfig } from '../../config/strata-config';

/** One published layer of a variant and where its per-platform images come from. */
export interface PublishedLayer {
  layer: string;
  /** The variant's one published top layer goes to `<registry>/<image>`; other layers (and several published tops) to `<registry>/<image>/<layer>`. */
  top: boolean;
  platforms: Array<{ platform: string; record: string; target: string }>;
}

/** Options of the `nx-strata:docker-publish` executor. Inferred targets fill everything but `version` and `dryRun`. */
export interface DockerPublishExecutorOptions {
  configFile: string;
  image: string;
  variant: string;
  /** False when the strata.json declares no variants: messages then name the image, not the variant. */
  explicitVariant?: boolean;
  layers: PublishedLayer[];
  /** Where to copy the manifest lists. @default the build registry */
  registries?: PublishRegistry[];
  /** strata.json's `publish.sign`: sign each pushed manifest list (once per registry). */
  sign?: 'cosign' | SignerConfig;
  /** strata.json's `publish.annotations`: over the OCI annotations docker-publish reads from the workspace. */
  annotations?: Record<string, string>;
  /** Tag templates: `{version}`, `{sha}`, `{variant}`, `{platform}`. */
  tags: string[];
  /** The trusted build registry (`STRATA_REGISTRY` overrides it). */
  registry?: string;
  /** Where untrusted runs push (`STRATA_UNTRUSTED_REGISTRY` overrides it). @default "<registry>/untrusted" */
  untrustedRegistry?: string;
  /** Branches whose CI pushes are trusted runs (`STRATA_TRUST` decides instead when set). @default ["main"] */
  trustedBranches?: string[];
  /** Value of `{version}`. @default STRATA_VERSION, else the project's package.json version (nx release writes it) */
  version?: string;
  /** Workspace-relative path of the publish record (the target's output). */
  record: string;
  /** Print the imagetools commands and stop. @default false */
  dryRun?: boolean;
}
