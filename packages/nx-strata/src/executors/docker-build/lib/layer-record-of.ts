import type { ImageStats } from '../../../engines/buildx';
import type { LayerKey } from '../../../hash/layer-key';
import { RECORD_SCHEMA_VERSION, type LayerRecord } from '../../../model/layer-record';
import { attestationLabels, type Attestations } from './attestations';
import { pinnedRef, type BuildPlan } from './build-plan';
import type { NormalizedDockerBuildOptions } from './normalize-options';
import type { ParentImage } from './parent-image';

export interface FinishedLayer {
  project: string;
  target: string;
  key: LayerKey;
  plan: BuildPlan;
  parent: ParentImage | null;
  /** A registry hit (nothing built) or a finished build, with the digest it gave. */
  result: 'built' | 'registry-hit';
  digest: string;
  attestations: Attestations;
  stats: ImageStats;
  durationMs: number;
}

/** The record of a layer whose image exists: what a child builds on and what `inspect --why` compares with. */
export function layerRecordOf(options: NormalizedDockerBuildOptions, finished: FinishedLayer): LayerRecord {
  const ref = pinnedRef(finished.plan, options, finished.digest);
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    project: finished.project,
    target: finished.target,
    variant: options.variant,
    layer: options.layer,
    platform: options.platform,
    key: finished.key.key,
    result: finished.result,
    attestations: finished.result === 'registry-hit' ? [] : attestationLabels(finished.attestations),
    digest: finished.digest,
    refs: options.registry ? [finished.plan.tag, ref] : [finished.plan.tag],
    parentRef: ref,
    mode: options.registry ? 'registry' : 'local',
    registry: options.registry,
    parent: finished.parent,
    dockerfile: options.dockerfile,
    context: options.context,
    args: options.args,
    inputs: finished.key.files,
    dockerfileHash: finished.key.dockerfileHash,
    durationMs: finished.durationMs,
    sizeBytes: finished.stats.sizeBytes,
    layerCount: finished.stats.layerCount,
    builtAt: new Date().toISOString(),
  };
}
