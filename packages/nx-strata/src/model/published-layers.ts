import type { PublishConfig, ScanConfig } from '../config/strata-config';
import type { ImageFamily } from './image-family';
import type { LayerTask } from './layer-task';

/** A variant's publish settings: its own over the top-level ones. */
export function publishSettings(family: Pick<ImageFamily, 'config'>, variant: string): PublishConfig {
  const top = family.config.publish;
  const own = family.config.variants?.[variant]?.publish;
  const merged: PublishConfig = { ...top, ...own };
  if (top?.annotations || own?.annotations) merged.annotations = { ...top?.annotations, ...own?.annotations };
  return merged;
}

/** The layers a variant publishes: `publish.layers`, else its top layers (no other layer builds on them). */
export function publishedLayers(family: Pick<ImageFamily, 'config' | 'tasks'>, variant: string): string[] {
  const tasks = family.tasks.filter((task) => task.variant === variant);
  return publishSettings(family, variant).layers ?? topLayers(tasks);
}

/** Layers no other layer of the variant builds on. */
export function topLayers(tasks: LayerTask[]): string[] {
  const parents = new Set(tasks.map((task) => task.parent?.layer).filter(Boolean));
  return [...new Set(tasks.map((task) => task.layer))].filter((layer) => !parents.has(layer));
}

/**
 * Whether `docker-test` checks this layer task: a published layer unless its `test.enabled` is false, and any other
 * layer that has `test` settings (not disabled).
 */
export function isTestedLayer(family: Pick<ImageFamily, 'config' | 'tasks'>, task: LayerTask): boolean {
  if (task.test?.enabled === false) return false;
  return task.test !== undefined || publishedLayers(family, task.variant).includes(task.layer);
}

/**
 * The `docker-scan` settings of a layer task (the layer's `scan` merged key by key over the top-level one), or
 * undefined when it is not scanned: a published layer is, when a scanner is configured; any other layer only with its
 * own `scan` settings; never with `enabled: false`.
 */
export function scanSettingsOf(family: Pick<ImageFamily, 'config' | 'tasks'>, task: LayerTask): Omit<ScanConfig, 'enabled'> | undefined {
  const own = family.config.layers[task.layer]?.scan;
  const { enabled, ...settings } = { ...family.config.scan, ...own };
  if (enabled === false || settings.scanner === undefined) return undefined;
  if (own === undefined && !publishedLayers(family, task.variant).includes(task.layer)) return undefined;
  return settings as Omit<ScanConfig, 'enabled'>;
}

/**
 * The layers of a variant published to the image's own repository (`<registry>/<image>`): its one published top layer.
 * Every other published layer goes to `<registry>/<image>/<layer>`, and so do several published top layers (a
 * multi-stage Dockerfile shipped as `web` and `celery`): under one repository they would overwrite each other's tags.
 */
export function layersAtImageRepository(family: Pick<ImageFamily, 'config' | 'tasks'>, variant: string): string[] {
  const tasks = family.tasks.filter((task) => task.variant === variant);
  const tops = new Set(topLayers(tasks));
  const publishedTops = publishedLayers(family, variant).filter((layer) => tops.has(layer));
  return publishedTops.length === 1 ? publishedTops : [];
}
