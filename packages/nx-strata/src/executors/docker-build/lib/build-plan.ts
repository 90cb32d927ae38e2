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
    },
  };
}

/** What a child uses as its parent image: digest-pinned in registry mode, the content tag in local mode. */
export function pinnedRef(plan: BuildPlan, options: Pick<NormalizedDockerBuildOptions, 'registry'>, digest: string): string {
  return options.registry ? `${plan.repository}@${digest}` : plan.tag;
}
