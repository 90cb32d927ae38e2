import { builderDriver } from '../../../engines/buildx';
import { describeDockerHost } from '../../../engines/docker-host';
import { engineFacts, supportsAttestations } from '../../../engines/engine-facts';
import { NX_TASK_LOG, type TaskLog } from '../../task-log';
import type { NormalizedDockerBuildOptions } from './normalize-options';

export interface Attestations {
  provenance: false | 'min' | 'max';
  sbom: boolean;
}

/**
 * Provenance and SBOM attestations as this builder can attach them. The `docker` driver of an engine with the classic
 * image store cannot: asked for them there, the build goes ahead without them and says so, and the push stays a plain
 * single-platform manifest. The `docker` driver of a containerd-store engine, and every other driver, can.
 */
export async function resolveAttestations(options: NormalizedDockerBuildOptions, log: TaskLog = NX_TASK_LOG): Promise<Attestations> {
  const wanted: Attestations = { provenance: options.provenance === true ? 'min' : options.provenance, sbom: options.sbom };
  if (!wanted.provenance && !wanted.sbom) return wanted;
  const driver = await builderDriver(options.host);
  const facts = driver === 'docker' ? await engineFacts(options.host) : undefined;
  if (supportsAttestations(driver, facts)) return wanted;
  const asked = [wanted.provenance ? `provenance (mode=${wanted.provenance})` : '', wanted.sbom ? 'SBOM' : '']
    .filter(Boolean)
    .join(' and ');
  const engine = facts ? ` of Docker ${facts.serverVersion} with the ${facts.imageStore} image store` : '';
  log.warn(
    `nx-strata: ${asked} attestations need the containerd image store or a docker-container, kubernetes or remote builder; ${describeDockerHost(options.host)} builds with the ${driver ?? 'unknown'} driver${engine}, so layer "${options.layer}" (${options.platform}) is built without them.\n` +
      '  → to attach them: enable the containerd image store ("features": {"containerd-snapshotter": true} in daemon.json; the default on new Docker 29 installs), or docker buildx create --use --driver docker-container (or set "builder"/"builders" to such a builder)',
  );
  return { provenance: false, sbom: false };
}

/** How a record names the attestations a build carries. */
export function attestationLabels(attestations: Attestations): string[] {
  return [attestations.provenance ? `provenance:${attestations.provenance}` : '', attestations.sbom ? 'sbom' : ''].filter(Boolean);
}
