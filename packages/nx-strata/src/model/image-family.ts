import type { LayerTask } from './layer-task';
import { loadStrataConfig } from '../config/load-strata-config';
import { neverInputs } from '../config/never-inputs';
import { planLayerTasks } from './plan-layer-tasks';
import { checkTargetNaming, layerRecordPath } from './target-names';
import type { StrataConfig } from '../config/strata-config';
import type { DockerfileModel } from '../dockerfile/dockerfile-model';
import { computeLayerInputs, type LayerInputs } from '../dockerfile/layer-inputs';
import { readDockerfileModel } from '../dockerfile/read-dockerfile';
import type { ContextReads } from '../dockerfile/context-files';
import { checkPluginOptionPaths, type NormalizedPluginOptions } from '../config/plugin-options';

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
  /** Workspace-relative paths that are never inputs (see `neverInputs`). */
  excludedInputs: string[];
}

/**
 * Reads, plans and computes the inputs of one strata.json. `walks` carries the context walks of one graph computation
 * across the families read in it (see `LayerInputsOptions.walks`).
 */
export function readImageFamily(
  configFile: string,
  workspaceRoot: string,
  options: NormalizedPluginOptions,
  walks: Map<string, ContextReads> = new Map(),
): ImageFamily {
  checkPluginOptionPaths(options, workspaceRoot);
  checkTargetNaming(options);
  const config = loadStrataConfig(workspaceRoot, configFile);
  const excludedInputs = neverInputs(workspaceRoot, options);
  const models = new Map<string, DockerfileModel>();
  const readDockerfile = (file: string) => {
    if (!models.has(file)) models.set(file, readDockerfileModel(workspaceRoot, file));
    return models.get(file)!;
  };
  const tasks = config.layers
    ? planLayerTasks({ workspaceRoot, configFile, config, buildTargetName: options.buildTargetName, readDockerfile })
    : [];
  const inputs = new Map(
    tasks.map((task) => [
      task.targetName,
      computeLayerInputs(task, readDockerfile(task.dockerfile), { workspaceRoot, excluded: excludedInputs, walks }),
    ]),
  );
  const byTarget = new Map(tasks.map((task) => [task.targetName, task]));
  const parentOf = (task: LayerTask) => (task.parent ? byTarget.get(task.parent.targetName) : undefined);
  return {
    configFile,
    config,
    tasks,
    excludedInputs,
    inputsOf: (task) => inputs.get(task.targetName)!,
    parentOf,
    chainOf: (task) => {
      const chain: LayerTask[] = [];
      for (let current: LayerTask | undefined = task; current; current = parentOf(current)) chain.push(current);
      return chain;
    },
    recordOf: (task) => layerRecordPath(options.recordsDir, task.projectRoot, task.variant, task.layer, task.platform),
  };
}
