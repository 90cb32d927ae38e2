import type { PublishRegistry } from '../../../config/strata-config';
import { imagetoolsCreateArgs } from '../../../engines/buildx';
import { isPerPlatform, renderTag, type TagValues } from '../../../publish/tag-templates';

/** One layer's per-platform images, pinned by digest in the build registry. */
export interface PublishSource {
  layer: string;
  top: boolean;
  platforms: Array<{ platform: string; ref: string }>;
}

/** One `docker buildx imagetools create`: these sources under these tags of one repository of one registry. */
export interface PublishOperation {
  registry: string;
  optional: boolean;
  layer: string;
  /** `<registry>/<image>` for the top layer, `<registry>/<image>/<layer>` otherwise. */
  repository: string;
  tags: string[];
  sources: string[];
  /** The platforms these sources hold: all of the layer's for shared tags, one for a per-platform tag. */
  platforms: string[];
  /** OCI annotations of the manifest list the shared tags name (per-platform tags copy a platform's own image). */
  annotations?: Record<string, string>;
}

/**
 * The `docker buildx imagetools create` commands that perform one operation. Pure. The sources are copied under the
 * first tag alone; the other tags are then made from that manifest list (same digest). Pushing several tags at once
 * copies the same blobs concurrently, which distribution 2.8 can answer with 400 on a manifest PUT.
 */
export function operationCommands(op: PublishOperation): string[][] {
  const [first, ...rest] = op.tags.map((tag) => `${op.repository}:${tag}`);
  const copy = imagetoolsCreateArgs({ tags: [first], sources: op.sources, ...(op.annotations ? { annotations: op.annotations } : {}) });
  return rest.length ? [copy, imagetoolsCreateArgs({ tags: rest, sources: [first] })] : [copy];
}

/** Every copy a publish makes, as data. Pure; throws TagTemplateError for a tag it cannot render. */
export function planPublish(input: {
  image: string;
  registries: PublishRegistry[];
  sources: PublishSource[];
  tags: string[];
  values: TagValues;
  annotations?: Record<string, string>;
}): PublishOperation[] {
  const operations: PublishOperation[] = [];
  for (const entry of input.registries) {
    const { url, optional } =
      typeof entry === 'string' ? { url: entry, optional: false } : { url: entry.url, optional: entry.optional ?? false };
    const registry = url.replace(/\/+$/, '');
    for (const source of input.sources) {
      const repository = source.top ? `${registry}/${input.image}` : `${registry}/${input.image}/${source.layer}`;
      const shared = input.tags.filter((template) => !isPerPlatform(template)).map((template) => renderTag(template, input.values));
      if (shared.length) {
        operations.push({
          registry,
          optional,
          layer: source.layer,
          repository,
          tags: shared,
          sources: source.platforms.map((platform) => platform.ref),
          platforms: source.platforms.map((platform) => platform.platform),
          ...(input.annotations && Object.keys(input.annotations).length ? { annotations: input.annotations } : {}),
        });
      }
      for (const platform of source.platforms) {
        const own = input.tags.filter(isPerPlatform).map((template) => renderTag(template, input.values, platform.platform));
        if (own.length)
          operations.push({
            registry,
            optional,
            layer: source.layer,
            repository,
            tags: own,
            sources: [platform.ref],
            platforms: [platform.platform],
          });
      }
    }
  }
  return operations;
}
