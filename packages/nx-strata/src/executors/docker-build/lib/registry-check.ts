import { manifestStats, type ImageStats } from '../../../engines/buildx';
import { parseRegistryAddress, repositoryName } from '../../../engines/registry/registry-address';
import { registryClients, type RegistryFailure } from '../../../engines/registry/registry-client';
import { describeLayer } from '../../../model/layer-task';
import type { NormalizedDockerBuildOptions } from './normalize-options';
import { NX_TASK_LOG, type TaskLog } from '../../task-log';
import type { ParentImage } from './parent-image';

export type RegistryCheck =
  ({ kind: 'hit'; digest: string; namespace: string } & ImageStats) | { kind: 'miss' } | { kind: 'fail'; message: string };

/**
 * Registry mode, before building: the parent's pinned digest must still exist (its manifest read and verified), and
 * an image already pushed under this layer's content tag in a namespace this run trusts is a hit (nothing to build):
 * a trusted run asks the trusted namespace only, an untrusted one the trusted namespace, then its own. A parent
 * rebuilt in this run has a new key, so its children have new keys too: a stale child is never reused.
 */
export async function checkRegistry(
  options: NormalizedDockerBuildOptions,
  key: string,
  parent: ParentImage | null,
  project: string,
  log: Pick<TaskLog, 'warn'> = NX_TASK_LOG,
): Promise<RegistryCheck> {
  const { read } = options.namespaces;
  if (!read.length) return { kind: 'miss' };
  const clientFor = registryClients();
  const label = describeLayer(options);

  if (parent?.namespace) {
    const host = parseRegistryAddress(parent.namespace).host;
    const [name, digest] = parent.ref.slice(host.length + 1).split('@');
    const probe = await clientFor(host).manifest(name, digest, { withBody: true });
    if (!probe.ok)
      return { kind: 'fail', message: failure(label, parent.namespace, probe.failure, `checking the parent image ${parent.ref}`) };
    if (!probe.value) {
      return {
        kind: 'fail',
        message: `${label}: its parent image ${parent.ref} is no longer in the registry (pruned?), although the parent's record says it was built.\n  → rebuild the parent: npx nx run ${project}:${parent.target} --skip-nx-cache`,
      };
    }
  }
  if (!options.registryCache) return { kind: 'miss' };

  for (const namespace of read) {
    const address = parseRegistryAddress(namespace);
    const repository = repositoryName(address, `${options.image}/${options.layer}`);
    const probe = await clientFor(address.host).manifest(repository, `strata-${key}`, { withBody: true });
    // A namespace this run only reads and may not (a fork's pull request, no login for a private registry): no hit there.
    if (!probe.ok && namespace !== options.registry && (probe.failure.kind === 'unauthorized' || probe.failure.kind === 'forbidden')) {
      log.warn(`nx-strata: ${label}: cannot read ${namespace} (${probe.failure.detail}), so no registry hit from it; building instead`);
      continue;
    }
    if (!probe.ok)
      return {
        kind: 'fail',
        message: failure(label, namespace, probe.failure, `checking for ${address.host}/${repository}:strata-${key}`),
      };
    if (!probe.value) continue;
    const found = probe.value;
    return {
      kind: 'hit',
      digest: found.digest,
      namespace,
      ...(found.body ? manifestStats(found.body) : { sizeBytes: null, layerCount: null }),
    };
  }
  return { kind: 'miss' };
}

function failure(label: string, registry: string, probe: RegistryFailure, doing: string): string {
  const host = parseRegistryAddress(registry).host;
  switch (probe.kind) {
    case 'unreachable':
      if (probe.timedOut) {
        return `${label}: the registry ${registry} stopped answering (${probe.detail}) while ${doing}.\n  → check the registry's health; if it is only slow, raise STRATA_REGISTRY_RESPONSE_TIMEOUT / STRATA_REGISTRY_IDLE_TIMEOUT (seconds)`;
      }
      return `${label}: the registry ${registry} is unreachable (${probe.detail}) while ${doing}.\n  → start it, or fix the plugin option "registry" / STRATA_REGISTRY; STRATA_REGISTRY= (empty) builds in local mode instead`;
    case 'unauthorized':
      return `${label}: ${host} refused the credentials docker has for it (${probe.detail}) while ${doing}.\n  → run \`docker login ${host}\` (or configure its credential helper in ~/.docker/config.json)`;
    case 'forbidden':
      return `${label}: ${host} denies pulling (${probe.detail}) while ${doing}.\n  → use credentials with pull rights: \`docker login ${host}\``;
    default:
      return `${label}: ${host} answered unexpectedly (${probe.detail}) while ${doing}.\n  → check the registry's health and the plugin option "registry" / STRATA_REGISTRY`;
  }
}
