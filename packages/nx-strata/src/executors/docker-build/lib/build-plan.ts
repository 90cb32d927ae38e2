import type { ExternalImage } from '../../../dockerfile/analyze-dockerfile';
import type { BuildxBuildOptions } from '../../../engines/buildx';
import type { Attestations } from './attestations';
import type { NormalizedDockerBuildOptions } from './normalize-options';
import type { ParentImage } from './parent-image';

export interface BuildPlan {
  repository: string;
  /** `<repository>:strata-<key>`: the content-addressed tag. */
  tag: string;
  buildx: BuildxBuildOptions;
}

/** What to run for one layer build, as data. Pure. */
export function planBuild(
  options: NormalizedDockerBuildOptions,
  key: string,
  parent: ParentImage | null,
  metadataFile: string,
  attestations: Attestations = { provenance: false, sbom: false },
  externalBase?: ExternalImage,
): BuildPlan {
  const repository = options.registry ? `${options.registry}/${options.image}/${options.layer}` : `${options.image}/${options.layer}`;
  const tag = `${repository}:strata-${key}`;
  return {
    repository,
    tag,
    buildx: {
      dockerfile: options.dockerfile,
      context: options.context,
      platform: options.platform,
      tags: [tag],
      buildArgs: parent ? { ...options.args, [options.parentArg]: parent.ref } : options.args,
      target: options.target,
      builder: options.builder,
      output: options.registry ? 'push' : 'load',
      metadataFile,
      cacheFrom: options.cacheFrom,
      cacheTo: options.cacheTo,
      secrets: options.secrets,
      provenance: attestations.provenance,
      sbom: attestations.sbom,
      pull: options.pull,
      noCache: options.noCache,
      progress: options.progress,
      manifestAnnotations: parent ? baseAnnotations(parent) : externalBase && externalBaseAnnotations(externalBase),
    },
  };
}

/**
 * The OCI base-image annotations of a layer built on its parent (what rebase tools and update bots read): the parent's
 * content-addressed tag and, in registry mode, its digest. Both follow from the parent's key, so they never change a
 * layer whose parent is unchanged. Pure.
 */
export function baseAnnotations(parent: ParentImage): Record<string, string> {
  const { name, digest } = splitPinned(parent.ref);
  return digest ? annotateBase(`${name}:strata-${parent.key}`, digest) : annotateBase(parent.ref);
}

/**
 * The base annotations of a root layer, from the external image its Dockerfile starts from: the reference as written
 * (after ARG expansion) and, when the FROM line pins it, its digest. An image named by tag alone gets no digest: the
 * engine's local ID is not a registry digest, and asking the registry would make the image depend on when it was built.
 * Pure.
 */
export function externalBaseAnnotations(image: ExternalImage): Record<string, string> {
  const { name, digest } = splitPinned(image.ref);
  return annotateBase(name, digest);
}

/** `name@sha256:<hex>` into its parts; a reference without a digest is all name. */
function splitPinned(ref: string): { name: string; digest?: string } {
  const pinned = /^(.+)@(sha256:[0-9a-f]{64})$/.exec(ref);
  return pinned ? { name: pinned[1], digest: pinned[2] } : { name: ref };
}

function annotateBase(name: string, digest?: string): Record<string, string> {
  return { 'org.opencontainers.image.base.name': name, ...(digest ? { 'org.opencontainers.image.base.digest': digest } : {}) };
}

/** What a child uses as its parent image: digest-pinned in registry mode, the content tag in local mode. */
export function pinnedRef(plan: BuildPlan, options: Pick<NormalizedDockerBuildOptions, 'registry'>, digest: string): string {
  return options.registry ? `${plan.repository}@${digest}` : plan.tag;
}
