import { gitIgnoredPaths } from '../../../engines/git-ignored';
import { unproducedSources, type DeclaredOutput } from '../../../model/task-links';
import { computeLayerInputs, type LayerInputs } from '../../../dockerfile/layer-inputs';
import { readDockerfileModel } from '../../../dockerfile/read-dockerfile';
import { keyForInputs } from '../../../hash/compute-task-key';
import { FileHasher } from '../../../hash/file-hasher';
import type { LayerKey } from '../../../hash/layer-key';
import { NX_TASK_LOG, type TaskLog } from '../../task-log';
import { baseImageKeyLines } from './base-images';
import type { NormalizedDockerBuildOptions } from './normalize-options';
import { resolveParentImage, type ParentImage } from './parent-image';

export type PreparedLayer = { ok: true; parent: ParentImage | null; inputs: LayerInputs; key: LayerKey } | { ok: false; message: string };

/**
 * Everything known before asking a registry or an engine: the parent image (from its record), the exact inputs (the
 * Dockerfile read and analysed once) and the layer key. Warnings go to the build log, once per task.
 */
export async function prepareLayer(
  options: NormalizedDockerBuildOptions,
  project: string,
  label: string,
  declared: DeclaredOutput[] = [],
  log: TaskLog = NX_TASK_LOG,
  /** The parent image: its record (a real run), or what a real run would build on (a dry run, see planned-parent.ts). */
  resolveParent: (options: NormalizedDockerBuildOptions) => Promise<ParentImage | null> = (own) => resolveParentImage(own, project),
): Promise<PreparedLayer> {
  const parent = await resolveParent(options);
  const model = readDockerfileModel(options.workspaceRoot, options.dockerfile);
  const inputs = computeLayerInputs(options, model, { workspaceRoot: options.workspaceRoot, excluded: options.excludedInputs });
  const ignored = await gitIgnoredPaths(
    options.workspaceRoot,
    inputs.sources.filter((source) => source !== '.'),
  );
  const unproduced = unproducedSources(inputs.sources, ignored, declared);
  [...inputs.warnings, ...unproduced].forEach((warning) => log.warn(`nx-strata: ${label}: ${warning}`));
  if (inputs.missing.length) {
    const sources = inputs.missing.map((path) => `"${path}"`).join(', ');
    return {
      ok: false,
      message: `${label}: ${options.dockerfile} reads ${sources} from the build context "${options.context}", which has no such file (or .dockerignore excludes it).\n  → add the file, fix the COPY/ADD source, or fix "context" in ${options.configFile}`,
    };
  }
  const key = keyForInputs(options, inputs, {
    workspaceRoot: options.workspaceRoot,
    parentKey: parent?.key ?? null,
    hasher: await FileHasher.create(),
    extra: await baseImageKeyLines(options, inputs.externalImages, log),
  });
  return { ok: true, parent, inputs, key };
}
