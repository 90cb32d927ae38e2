import type { PublishConfig } from '../config/strata-config';
import type { ImageFamily } from './image-family';
import type { LayerTask } from './layer-task';

/** A variant's publish settings: its own over the top-level ones. */
export function publishSettings(family: Pick<ImageFamily, 'config'>, variant: string): PublishConfig {
  return { ...family.config.publish, ...family.config.variants?.[variant]?.publish };
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
