import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerTask } from '../config/layer-task';
import { loadStrataConfig } from '../config/load-strata-config';
import { planLayerTasks } from '../config/plan-layer-tasks';
import { platformSlug } from '../config/platforms';
import type { StrataConfig } from '../config/strata-config';
import type { DockerfileModel } from '../dockerfile/dockerfile-model';
import { computeLayerInputs, type LayerInputs } from '../dockerfile/layer-inputs';
import { parseDockerfile } from '../dockerfile/parse-dockerfile';
import { recordPath } from '../executors/docker-build/lib/layer-record';
import type { NormalizedPluginOptions } from './plugin-options';

/** One strata.json read, planned and with every layer's inputs computed: what the plugin and `inspect` both need. */
export interface ImageFamily {
  configFile: string;
  config: StrataConfig;
  tasks: LayerTask[];
  inputsOf(task: LayerTask): LayerInputs;
  /** The task and its ancestors, child first. */
  chainOf(task: LayerTask): LayerTask[];
  parentOf(task: LayerTask): LayerTask | undefined;
  recordOf(task: LayerTask): string;
}

export function readImageFamily(configFile: string, workspaceRoot: string, options: NormalizedPluginOptions): ImageFamily {
  const config = loadStrataConfig(join(workspaceRoot, configFile), configFile);
  const models = new Map<string, DockerfileModel>();
  const readDockerfile = (file: string) => {
    if (!models.has(file)) models.set(file, parseDockerfile(readFileSync(join(workspaceRoot, file), 'utf8'), file));
    return models.get(file)!;
  };
  const tasks = config.layers ? planLayerTasks({ workspaceRoot, configFile, config, buildTargetName: options.buildTargetName, readDockerfile }) : [];
  const inputs = new Map(
    tasks.map((task) => [task.targetName, computeLayerInputs(task, readDockerfile(task.dockerfile), { workspaceRoot, excluded: [options.recordsDir] })]),
  );
  const byTarget = new Map(tasks.map((task) => [task.targetName, task]));
  const parentOf = (task: LayerTask) => (task.parent ? byTarget.get(task.parent.targetName) : undefined);
  return {
    configFile,
    config,
    tasks,
    inputsOf: (task) => inputs.get(task.targetName)!,
    parentOf,
    chainOf: (task) => {
      const chain: LayerTask[] = [];
      for (let current: LayerTask | undefined = task; current; current = parentOf(current)) chain.push(current);
      return chain;
    },
    recordOf: (task) => recordPath(options.recordsDir, task.project, task.variant, task.layer, platformSlug(task.platform)),
  };
}
