import type { ProjectGraph } from 'nx/src/devkit-exports';
import { localImageExists } from '../../../engines/buildx';
import { describeLayer } from '../../../model/layer-task';
import type { DeclaredOutput } from '../../../model/task-links';
import type { TaskLog } from '../../task-log';
import type { DockerBuildExecutorOptions } from '../schema';
import { pinnedRef, planBuild } from './build-plan';
import { normalizeOptions, type NormalizedDockerBuildOptions } from './normalize-options';
import { ParentImageError, resolveParentImage, type ParentImage } from './parent-image';
import { prepareLayer } from './prepare-layer';
import { checkRegistry } from './registry-check';

/** Messages about a parent belong to the parent's own dry run: here they are dropped. */
const QUIET: TaskLog = { info: () => undefined, warn: () => undefined, error: () => undefined, childOutput: () => undefined };

/**
 * The parent a layer would build on in a real run now, for a dry run: a dry run writes no record, and a record left
 * by an earlier run may name an older parent. So the parent's key is worked out from its own target's options in the
 * project graph (and its parent's, up the chain), and its image is the registry hit under that key, or, when the
 * registry does not hold it, the image the parent's real run would build (its key is all the child's key needs).
 * Without the parent's target in the graph, its record answers, as in a real run.
 */
export async function plannedParentImage(
  options: NormalizedDockerBuildOptions,
  project: string,
  graph: ProjectGraph | undefined,
  declared: DeclaredOutput[],
): Promise<ParentImage | null> {
  if (!options.parentRecord) return null;
  const target = options.parentTarget;
  const parentOptions = target
    ? (graph?.nodes[project]?.data.targets?.[target]?.options as DockerBuildExecutorOptions | undefined)
    : undefined;
  if (!target || !parentOptions) return resolveParentImage(options, project);
  const parent = normalizeOptions(parentOptions, options.workspaceRoot);
  const prepared = await prepareLayer(parent, project, describeLayer(parent), declared, QUIET, (grandchild) =>
    plannedParentImage(grandchild, project, graph, declared),
  );
  if (!prepared.ok) throw new ParentImageError(prepared.message);
  const key = prepared.key.key;
  const check = await checkRegistry(parent, key, prepared.parent, project, QUIET);
  if (check.kind === 'hit') {
    const where = { ...parent, registry: check.namespace };
    return { target, key, ref: pinnedRef(planBuild(where, key, prepared.parent, ''), where, check.digest), namespace: check.namespace };
  }
  // Local mode: the image under the parent's content tag, when the engine has it.
  const local = planBuild(parent, key, prepared.parent, '').tag;
  if (!parent.registry && (await localImageExists(local, parent.host))) return { target, key, ref: local };
  return { target, key, ref: `<the image ${target} would build>` };
}
