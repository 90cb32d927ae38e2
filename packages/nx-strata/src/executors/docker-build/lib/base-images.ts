import type { ExternalImage } from '../../../dockerfile/analyze-dockerfile';
import { resolveImageDigest } from '../../../engines/buildx';
import { NX_TASK_LOG, type TaskLog } from '../../task-log';
import type { NormalizedDockerBuildOptions } from './normalize-options';

/** With pinBaseImages: the digests of the external images this Dockerfile starts from by tag, as key lines. */
export async function baseImageKeyLines(
  options: Pick<NormalizedDockerBuildOptions, 'pinBaseImages' | 'host'>,
  images: ExternalImage[],
  log: TaskLog = NX_TASK_LOG,
): Promise<string[]> {
  if (!options.pinBaseImages) return [];
  const lines: string[] = [];
  for (const ref of new Set(images.filter((image) => !image.pinned).map((image) => image.ref))) {
    const digest = await resolveImageDigest(ref, process.env, options.host);
    if (digest) lines.push(`image ${ref}=${digest}`);
    else
      log.warn(
        `nx-strata: pinBaseImages: could not resolve ${ref} to a digest (not in a reachable registry nor the local engine); it is keyed by its tag only`,
      );
  }
  return lines;
}
