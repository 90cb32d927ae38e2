import type { ContainerTestConfig } from '../config/strata-config';

/** One (variant, layer, platform) of an image family, fully resolved: what one atomized target builds. */
export interface LayerTask {
  /** Nx project name. */
  project: string;
  /** Workspace-relative directory of strata.json. */
  projectRoot: string;
  /** Workspace-relative path of strata.json. */
  configFile: string;
  image: string;
  variant: string;
  /** False when the strata.json declares no variants (target names then omit the variant). */
  explicitVariant: boolean;
  layer: string;
  platform: string;
  targetName: string;
  /** Workspace-relative. */
  dockerfile: string;
  /** Workspace-relative; '.' is the workspace root. */
  context: string;
  args: Record<string, string>;
  target?: string;
  parentArg: string;
  parent: { layer: string; targetName: string } | null;
  /** Tasks of other projects this layer packages the results of (`uses` in strata.json). */
  uses: Array<{ project: string; target: string }>;
  /** `test` of strata.json for this (variant, platform), merged key by key; undefined when none is set. */
  test?: ContainerTestConfig;
}

/**
 * How every message names one layer task: `layer "app" (variant cpu, linux/arm64)`, or `layer "app" (linux/arm64)` for
 * a strata.json without variants (`explicitVariant: false`; left out, a variant is named).
 */
export function describeLayer(task: Pick<LayerTask, 'layer' | 'variant' | 'platform'> & { explicitVariant?: boolean }): string {
  return `layer "${task.layer}" (${variantAndPlatform(task)})`;
}

/** `variant cpu, linux/arm64`, or just `linux/arm64` when the strata.json declares no variants. */
export function variantAndPlatform(task: { variant: string; platform: string; explicitVariant?: boolean }): string {
  return task.explicitVariant === false ? task.platform : `variant ${task.variant}, ${task.platform}`;
}
