import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerTask } from '../config/layer-task';
import { computeLayerInputs, type LayerInputs } from '../dockerfile/layer-inputs';
import { parseDockerfile } from '../dockerfile/parse-dockerfile';
import type { FileHasher } from './file-hasher';
import { computeLayerKey, type LayerKey } from './layer-key';

export type KeyedTask = Pick<LayerTask, 'variant' | 'layer' | 'platform' | 'dockerfile' | 'context' | 'args' | 'target' | 'parentArg'>;

/** Inputs and key of one layer task, from the files as they are now. Used by the executor and by `inspect`. */
export function computeTaskKey(
  task: KeyedTask,
  options: { workspaceRoot: string; parentKey: string | null; hasher: FileHasher; excluded?: string[]; extra?: string[] },
): { inputs: LayerInputs; key: LayerKey } {
  const dockerfileAbsolute = join(options.workspaceRoot, task.dockerfile);
  const model = parseDockerfile(readFileSync(dockerfileAbsolute, 'utf8'), task.dockerfile);
  const inputs = computeLayerInputs(task, model, { workspaceRoot: options.workspaceRoot, excluded: options.excluded });
  const args = { ...task.args };
  delete args[task.parentArg];
  const key = computeLayerKey(
    {
      variant: task.variant,
      layer: task.layer,
      platform: task.platform,
      target: task.target,
      args,
      dockerfileAbsolute,
      contextAbsolute: join(options.workspaceRoot, task.context),
      contextFiles: inputs.contextFiles,
      parentKey: options.parentKey,
      extra: options.extra,
    },
    options.hasher,
  );
  return { inputs, key };
}
