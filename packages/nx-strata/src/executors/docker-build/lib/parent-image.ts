import { localImageExists } from '../../../engines/buildx';
import { describeDockerHost } from '../../../engines/docker-host';
import { placeReference } from '../../../engines/registry/trust';
import { readRecord } from '../../../model/layer-record';
import { describeLayer } from '../../../model/layer-task';
import type { NormalizedDockerBuildOptions } from './normalize-options';

export interface ParentImage {
  target: string;
  key: string;
  /** What the child passes as its parent arg: `repo@sha256:...` or a local tag. */
  ref: string;
  /** The namespace the parent image is in (one this run trusts), or undefined for a local image. */
  namespace?: string;
}

export class ParentImageError extends Error {
  override name = 'ParentImageError';
}

/**
 * Reads the parent's record (written by the parent's task or restored by Nx from cache) and checks its image
 * can be used in the current mode. Returns null for a root layer.
 */
export async function resolveParentImage(options: NormalizedDockerBuildOptions, project: string): Promise<ParentImage | null> {
  if (!options.parentRecord) return null;
  const target = options.parentTarget ?? 'the parent layer';
  const record = readRecord(`${options.workspaceRoot}/${options.parentRecord}`);
  const rerun = `npx nx run ${project}:${target} --skip-nx-cache`;
  if (!record) {
    throw new ParentImageError(
      `${describeLayer(options)}: the parent layer's record ${options.parentRecord} is missing or unreadable, so there is no parent image to build on.\n  → build the parent first: ${rerun}`,
    );
  }
  if (record.mode === 'registry') {
    // Where the digest really is, from the reference itself (a record restored from a cache is not taken at its word).
    const { namespaces } = options;
    const place = placeReference(namespaces, record.parentRef);
    if (!place.trusted) {
      const reads = namespaces.read.length ? namespaces.read.join(', ') : 'no registry (local mode)';
      throw new ParentImageError(
        `${describeLayer(options)}: the parent ${target} is ${record.parentRef} in ${place.where}, which this ${namespaces.level} run does not build on (it reads ${reads}; ${namespaces.reason}). Its record came from a run that wrote elsewhere, or from a cache such a run filled.\n  → rebuild the parent in this run: ${rerun}`,
      );
    }
    return { target, key: record.key, ref: record.parentRef, namespace: place.namespace };
  }
  if (options.registry) {
    throw new ParentImageError(
      `${describeLayer(options)}: the parent ${target} was built in local mode, but this build pushes to ${options.registry}.\n  → rebuild the parent in this mode: ${rerun}`,
    );
  }
  if (!(await localImageExists(record.parentRef, options.host))) {
    throw new ParentImageError(
      `${describeLayer(options)}: the parent image ${record.parentRef} is not in ${describeDockerHost(options.host)} (its record probably came from a cache on another machine, or the image was removed).\n` +
        `  → rebuild it here: ${rerun}\n  → or set a registry (plugin option "registry" or STRATA_REGISTRY) so layers are shared by digest`,
    );
  }
  return { target, key: record.key, ref: record.parentRef };
}
