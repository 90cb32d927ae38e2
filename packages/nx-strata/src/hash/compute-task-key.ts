import { join } from 'node:path';
import type { LayerBuildSettings, LayerInputs } from '../dockerfile/layer-inputs';
import type { FileHasher } from './file-hasher';
import { computeLayerKey, type LayerKey } from './layer-key';

/** What a layer key is computed from, besides its files: a LayerTask has all of it. */
export interface KeyedTask extends LayerBuildSettings {
  variant: string;
  layer: string;
}

export interface TaskKeyOptions {
  workspaceRoot: string;
  parentKey: string | null;
  hasher: FileHasher;
  /** Extra key material (pinned base image digests). */
  extra?: string[];
}

/** The key of a layer task whose inputs are already known. Used by the executor and by `inspect`. */
export function keyForInputs(task: KeyedTask, inputs: LayerInputs, options: TaskKeyOptions): LayerKey {
  const args = { ...task.args };
  delete args[task.parentArg];
  return computeLayerKey(
    {
      variant: task.variant,
      layer: task.layer,
      platform: task.platform,
      target: task.target,
      args,
      dockerfileAbsolute: join(options.workspaceRoot, task.dockerfile),
      contextAbsolute: join(options.workspaceRoot, task.context),
      contextFiles: inputs.contextFiles,
      special: inputs.special,
      parentKey: options.parentKey,
      extra: options.extra,
    },
    options.hasher,
  );
}
