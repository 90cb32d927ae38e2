import { logger } from '@nx/devkit';
import { analyzeDockerfile } from '../../../dockerfile/analyze-dockerfile';
import { readDockerfileModel } from '../../../dockerfile/read-dockerfile';
import { resolveImageDigest } from '../../../engines/buildx';
import type { NormalizedDockerBuildOptions } from './normalize-options';

/** With pinBaseImages: the digests of the external images this Dockerfile starts from by tag, as key lines. */
export async function baseImageKeyLines(options: NormalizedDockerBuildOptions): Promise<string[]> {
  if (!options.pinBaseImages) return [];
  const model = readDockerfileModel(options.workspaceRoot, options.dockerfile);
  const analysis = analyzeDockerfile(model, {
    buildArgs: options.args,
    target: options.target,
    platform: options.platform,
    parentArg: options.parentArg,
  });
  const lines: string[] = [];
  for (const ref of new Set(analysis.externalImages.filter((image) => !image.pinned).map((image) => image.ref))) {
    const digest = await resolveImageDigest(ref);
    if (digest) lines.push(`image ${ref}=${digest}`);
    else
      logger.warn(
        `nx-strata: pinBaseImages: could not resolve ${ref} to a digest (not in a reachable registry nor the local engine); it is keyed by its tag only`,
      );
  }
  return lines;
}
