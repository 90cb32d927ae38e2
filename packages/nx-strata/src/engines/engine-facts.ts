import { dockerHostKey, execDocker, type DockerHost } from './docker-host';

/**
 * What differs between the engines users run, in one place:
 * - the image store: `classic` (Docker ≤ 28 by default: local images are single-platform, identified by their config
 *   digest) or `containerd` (Docker 29's default, opt-in since 24: local images are manifests or indexes, identified by
 *   their manifest digest, and the `docker` driver can push attestations, several platforms and registry caches);
 * - the server version, for messages.
 */
export interface EngineFacts {
  serverVersion: string;
  imageStore: 'classic' | 'containerd';
}

/** `docker info --format '{{json .}}'` → the facts nx-strata acts on. Pure. */
export function parseEngineInfo(json: string): EngineFacts | undefined {
  try {
    const info = JSON.parse(json) as { ServerVersion?: string; Driver?: string; DriverStatus?: Array<[string, string]> | null };
    if (!info.ServerVersion) return undefined;
    const snapshotter = (info.DriverStatus ?? []).some(
      ([key, value]) => key === 'driver-type' && value.startsWith('io.containerd.snapshotter'),
    );
    return { serverVersion: info.ServerVersion, imageStore: snapshotter ? 'containerd' : 'classic' };
  } catch {
    return undefined;
  }
}

const factsByHost = new Map<string, Promise<EngineFacts | undefined>>();

/** The facts of the engine `host` reaches (asked once per process and host); undefined when it does not answer. Never throws. */
export function engineFacts(host?: DockerHost): Promise<EngineFacts | undefined> {
  const key = dockerHostKey(host);
  let facts = factsByHost.get(key);
  if (!facts) {
    facts = execDocker(host, ['info', '--format', '{{json .}}'], { timeoutMs: 30_000 }).then((result) =>
      result.exitCode === 0 ? parseEngineInfo(result.stdout) : undefined,
    );
    factsByHost.set(key, facts);
  }
  return facts;
}

/**
 * Can a build on this driver attach attestations (provenance, SBOM) to what it pushes? Every driver but `docker` can;
 * the `docker` driver can when its engine keeps images in the containerd store.
 */
export function supportsAttestations(driver: string | undefined, facts: EngineFacts | undefined): boolean {
  if (driver === undefined) return false;
  return driver !== 'docker' || facts?.imageStore === 'containerd';
}
