import { readFileSync } from 'node:fs';

export const RECORD_SCHEMA_VERSION = 1;

/** What a finished layer build leaves behind (the target's only output). Written only after success. */
export interface LayerRecord {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  project: string;
  target: string;
  variant: string;
  layer: string;
  platform: string;
  key: string;
  /** `built` by this record's run, or a `registry-hit`: the content tag already existed and nothing was built. */
  result: 'built' | 'registry-hit';
  /** Attestations the pushed image carries (`provenance:min|max`, `sbom`); [] for a plain manifest or a registry hit. */
  attestations: string[];
  /** Registry mode: the manifest digest in the registry. Local mode: the image ID in the engine. */
  digest: string;
  /** Where the image can be found: `repo:strata-<key>` and, in registry mode, `repo@sha256:...`. */
  refs: string[];
  /** What a child should use as its parent image (digest-pinned in registry mode, local tag otherwise). */
  parentRef: string;
  mode: 'registry' | 'local';
  registry: string | null;
  parent: { target: string; key: string; ref: string } | null;
  dockerfile: string;
  context: string;
  /** Build args as passed (secrets never appear here: they are passed with --secret, not as args). */
  args: Record<string, string>;
  /** Context files (context-relative) and their fingerprints. */
  inputs: Record<string, string>;
  dockerfileHash: string;
  durationMs: number;
  sizeBytes: number | null;
  /** Layers of the image (all of them, its ancestors' included); null when unknown or in records written before 0.1. */
  layerCount: number | null;
  /** When this record was written (by a build or a registry hit). */
  builtAt: string;
}

/** Returns the record, or undefined when it is missing or not one of ours. */
export function readRecord(path: string): LayerRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const record = parsed as Partial<LayerRecord>;
  if (record?.schemaVersion !== RECORD_SCHEMA_VERSION || typeof record.key !== 'string' || typeof record.parentRef !== 'string')
    return undefined;
  return record as LayerRecord;
}
