import { execFileSync } from 'node:child_process';

/** One entry of an OCI index or Docker manifest list. */
export interface IndexEntry {
  mediaType: string;
  digest: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

/** A manifest or index as a registry serves it. */
export interface RawManifest {
  mediaType: string;
  manifests?: IndexEntry[];
  annotations?: Record<string, string>;
}

/** The raw manifest (or index) a registry serves for a reference, read with skopeo. */
export function rawManifest(ref: string): RawManifest {
  return JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`], { encoding: 'utf8' }));
}

/** `os/architecture` of an index entry; an attestation manifest reads `unknown/unknown`. */
export const platformOf = (entry: IndexEntry): string => `${entry.platform?.os}/${entry.platform?.architecture}`;
