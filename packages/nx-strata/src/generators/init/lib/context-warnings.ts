import { posix } from 'node:path';
import { neverInputs } from '../../../config/never-inputs';
import { normalizePluginOptions } from '../../../config/plugin-options';
import type { StrataConfig } from '../../../config/strata-config';
import type { ContextReads } from '../../../dockerfile/context-files';
import type { DockerfileModel } from '../../../dockerfile/dockerfile-model';
import { computeLayerInputs } from '../../../dockerfile/layer-inputs';
import { unmadeSources } from '../../../dockerfile/unmade-sources';
import { parseDockerfile } from '../../../dockerfile/parse-dockerfile';
import { planLayerTasks } from '../../../model/plan-layer-tasks';

/**
 * What the proposed layers' build contexts send that no image wants (.git, installed dependencies, tools' caches,
 * other images' files), each warning once with its .dockerignore line: `inspect` says the same after init. And the
 * COPY sources that exist nowhere (a context a script assembles, an output nobody has built): the plugin refuses
 * such a layer until a target declares them among its outputs. `walks` carries the context walks across the proposed
 * files (images sharing a whole-repository context walk it once).
 */
export function proposedContextWarnings(
  workspaceRoot: string,
  configFile: string,
  config: StrataConfig,
  read: (path: string) => string | null,
  walks: Map<string, ContextReads> = new Map(),
): { sent: string[]; unmade: string[] } {
  const excluded = neverInputs(workspaceRoot, normalizePluginOptions({}));
  const warnings = new Set<string>();
  const unmade = new Set<string>();
  const models = new Map<string, DockerfileModel>();
  const readDockerfile = (file: string) => {
    if (!models.has(file)) models.set(file, parseDockerfile(read(file) ?? '', file));
    return models.get(file)!;
  };
  const tasks = planLayerTasks({ workspaceRoot, configFile, config, buildTargetName: 'docker-build', readDockerfile });
  // One platform of each layer is enough: the context is the same on every platform.
  const seen = new Set<string>();
  for (const task of tasks) {
    const context = `${task.dockerfile}\0${posix.normalize(task.context)}`;
    if (seen.has(context)) continue;
    seen.add(context);
    const inputs = computeLayerInputs(task, readDockerfile(task.dockerfile), { workspaceRoot, excluded, walks });
    for (const warning of inputs.warnings) if (warning.startsWith('build context')) warnings.add(warning);
    for (const { source, path } of unmadeSources(workspaceRoot, task.context, inputs.missing))
      unmade.add(
        `${configFile}: layer "${task.layer}" copies "${source}" from context "${task.context}", and ${path} exists nowhere: the plugin refuses the layer until the target that writes it declares ${path} among its outputs and the layer names that target in "uses"`,
      );
  }
  return { sent: [...warnings], unmade: [...unmade] };
}
