import { join } from 'node:path';
import type { SpecialEntry } from '../dockerfile/context-files';
import type { FileDigest, FileHasher } from './file-hasher';

export const KEY_FORMAT = 'nx-strata-layer-key/1';

export interface LayerKeyInput {
  variant: string;
  layer: string;
  platform: string;
  target?: string;
  /** Build args, without the parent arg (the parent enters through `parentKey`). */
  args: Record<string, string>;
  /** Absolute path of the Dockerfile. */
  dockerfileAbsolute: string;
  /** Absolute path of the build context. */
  contextAbsolute: string;
  /** Files read from the context, context-relative with `/`. */
  contextFiles: string[];
  /** The context files that are symlinks or special files: keyed by what they are (a link by its target path, as Docker sends it). */
  special?: Record<string, SpecialEntry>;
  /** The parent layer's key (never its digest), or null for a root layer. */
  parentKey: string | null;
  /** Extra key material, e.g. resolved digests of external base images: sorted `name=value` lines. */
  extra?: string[];
}

export interface LayerKey {
  key: string;
  /** Per context file: `<xxh64>` plus `+x` when executable (`link:<xxh64 of the target path>` for a symlink). Feeds `inspect --why`. */
  files: Record<string, string>;
  dockerfileHash: string;
}

/**
 * The layer's content key: identical on every machine and checkout (sorted, `/`-separated, no mtimes,
 * no absolute paths). See README "What goes into a layer key".
 */
export function computeLayerKey(input: LayerKeyInput, hasher: FileHasher): LayerKey {
  const dockerfile = hasher.hashFile(input.dockerfileAbsolute);
  const files: Record<string, string> = {};
  const lines = [
    KEY_FORMAT,
    `variant ${input.variant}`,
    `layer ${input.layer}`,
    `platform ${input.platform}`,
    `target ${input.target ?? ''}`,
    `dockerfile ${dockerfile.hash}`,
    ...Object.keys(input.args)
      .sort()
      .map((name) => `arg ${JSON.stringify(name)}=${JSON.stringify(input.args[name])}`),
    ...[...input.contextFiles].sort().map((path) => {
      const entry = input.special?.[path];
      const digest = entry ? specialFingerprint(entry, hasher) : fileFingerprint(hasher.hashFile(join(input.contextAbsolute, path)));
      files[path] = digest;
      return `file ${JSON.stringify(path)} ${digest}`;
    }),
    ...(input.extra ?? [])
      .slice()
      .sort()
      .map((line) => `extra ${line}`),
    `parent ${input.parentKey ?? '-'}`,
  ];
  return { key: hasher.hashString(lines.join('\n')), files, dockerfileHash: dockerfile.hash };
}

/** A symlink is sent as a link: its fingerprint is its target path. A special file is sent as what it is. */
function specialFingerprint(entry: SpecialEntry, hasher: FileHasher): string {
  return entry.kind === 'symlink' ? `link:${hasher.hashString(entry.target)}` : entry.kind;
}

function fileFingerprint(digest: FileDigest): string {
  return digest.executable ? `${digest.hash}+x` : digest.hash;
}
