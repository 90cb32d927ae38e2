import { logger } from '@nx/devkit';
import { builderDriver, supportsAttestations } from '../../../engines/buildx';
import type { NormalizedDockerBuildOptions } from './normalize-options';

export interface Attestations {
  provenance: false | 'min' | 'max';
  sbom: boolean;
}

/**
 * Provenance and SBOM attestations as this builder can attach them. The `docker` driver cannot: asked for them there,
 * the build goes ahead without them and says so, and the push stays a plain single-platform manifest.
 */
export async function resolveAttestations(options: NormalizedDockerBuildOptions): Promise<Attestations> {
  const wanted: Attestations = { provenance: options.provenance === true ? 'min' : options.provenance, sbom: options.sbom };
  if (!wanted.provenance && !wanted.sbom) return wanted;
  const driver = await builderDriver(options.builder);
  if (supportsAttestations(driver)) return wanted;
  const asked = [wanted.provenance ? `provenance (mode=${wanted.provenance})` : '', wanted.sbom ? 'SBOM' : '']
    .filter(Boolean)
    .join(' and ');
  logger.warn(
    `nx-strata: ${asked} attestations need a docker-container, kubernetes or remote builder; builder "${options.builder ?? 'default'}" uses the ${driver ?? 'unknown'} driver, so layer "${options.layer}" (${options.platform}) is built without them.\n` +
      '  → to attach them: docker buildx create --use --driver docker-container (or set "builder"/"builders" to such a builder)',
  );
  return { provenance: false, sbom: false };
}

/** How a record names the attestations a build carries. */
export function attestationLabels(attestations: Attestations): string[] {
  return [attestations.provenance ? `provenance:${attestations.provenance}` : '', attestations.sbom ? 'sbom' : ''].filter(Boolean);
}
