import { failAtConfigPath } from '../config/load-strata-config';
import type { ImageFamily } from '../model/image-family';
import { layersAtImageRepository, publishedLayers, publishSettings } from '../model/published-layers';
import { defaultTagTemplates } from '../publish/tag-templates';

/**
 * Refuses, with the strata.json position, a family where two variants publish to the same repository under the same
 * tag (custom `publish.tags` without `{variant}`): the second publish would silently replace the first.
 */
export function checkPublishedReferences(family: Pick<ImageFamily, 'config' | 'tasks' | 'configFile'>): void {
  const variants = [...new Set(family.tasks.map((task) => task.variant))];
  const explicit = family.tasks[0]?.explicitVariant ?? false;
  const owners = new Map<string, string>();
  for (const variant of variants) {
    const atImage = layersAtImageRepository(family, variant);
    const tags = publishSettings(family, variant).tags ?? defaultTagTemplates(explicit);
    for (const layer of publishedLayers(family, variant)) {
      const repository = atImage.includes(layer) ? family.config.image : `${family.config.image}/${layer}`;
      for (const tag of tags) {
        const reference = `${repository}:${tag.replace(/\{variant\}/g, variant)}`;
        const other = owners.get(reference);
        if (other !== undefined && other !== variant) {
          const own = family.config.variants?.[variant]?.publish?.tags !== undefined;
          failAtConfigPath(
            family.config as never,
            family.configFile,
            own ? ['variants', variant, 'publish', 'tags'] : ['publish', 'tags'],
            `variants "${other}" and "${variant}" both publish ${reference}: the second would replace the first`,
            'put {variant} in the tag templates (e.g. "{version}-{variant}"), or give each variant its own "publish.tags"',
          );
        }
        owners.set(reference, variant);
      }
    }
  }
}
