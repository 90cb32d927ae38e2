import { join } from 'node:path';
import { parseRegistryAddress } from '../../../engines/registry/registry-address';
import { registryClients } from '../../../engines/registry/registry-client';
import { placeReference } from '../../../engines/registry/trust';
import { readRecord } from '../../../model/layer-record';
import type { NormalizedPublishOptions } from './normalize-options';
import type { PublishSource } from './publish-plan';

export type SourcesResult = { ok: true; sources: PublishSource[] } | { ok: false; message: string };

/**
 * Reads the build records of every published (layer, platform) and checks each digest before it is published: it
 * must lie in a namespace this run trusts (a trusted run: the trusted namespace only), whichever run or cache wrote
 * the record, and its manifest must still be there and hash to it (a cache hit can outlive a pruned registry). Says
 * how to repair what is wrong.
 */
export async function resolvePublishSources(
  options: NormalizedPublishOptions,
  project: string,
  /** A dry run: a layer without a usable record stands as the image its build would make, with the reason. */
  dryRun = false,
): Promise<SourcesResult & { pending?: string[] }> {
  const { namespaces } = options;
  const pending: string[] = [];
  const clientFor = registryClients();
  const sources: PublishSource[] = [];
  const problems: string[] = [];
  for (const layer of options.layers) {
    const platforms: PublishSource['platforms'] = [];
    for (const { platform, record: path, target } of layer.platforms) {
      const rebuild = `npx nx run ${project}:${target} --skip-nx-cache`;
      const record = readRecord(join(options.workspaceRoot, path));
      if (!record) {
        problems.push(`layer "${layer.layer}" (${platform}) has no build record at ${path}.\n  → build it first: ${rebuild}`);
        continue;
      }
      if (record.mode !== 'registry') {
        problems.push(
          `layer "${layer.layer}" (${platform}) was built in local mode, not pushed to ${namespaces.write ?? namespaces.trusted}.\n  → rebuild it for the registry: ${rebuild}`,
        );
        continue;
      }
      // The namespace the digest is really in, from the reference itself: a record restored from a cache is not taken at its word.
      const place = placeReference(namespaces, record.parentRef);
      if (!place.trusted) {
        problems.push(
          `layer "${layer.layer}" (${platform}): refusing to publish ${record.digest}: its record puts it in ${place.where}, and this ${namespaces.level} run publishes only from ${namespaces.read.join(', ')} (${namespaces.reason}).\n  → rebuild it in this run, so it comes from the trusted namespace: ${rebuild}`,
        );
        continue;
      }
      const { namespace } = place;
      const host = parseRegistryAddress(namespace).host;
      const [repository, digest] = record.parentRef.slice(host.length + 1).split('@');
      const probe = await clientFor(host).manifest(repository, digest, { withBody: true });
      if (!probe.ok) {
        problems.push(
          `layer "${layer.layer}" (${platform}): cannot check ${record.parentRef} in ${namespace} (${probe.failure.kind}: ${probe.failure.detail}).\n  → make sure the registry is up and \`docker login ${host}\` works`,
        );
        continue;
      }
      if (!probe.value) {
        problems.push(
          `layer "${layer.layer}" (${platform}): ${record.parentRef} is no longer in ${namespace} (pruned?), although its record says it was built.\n  → rebuild it: ${rebuild}`,
        );
        continue;
      }
      platforms.push({ platform, ref: record.parentRef });
    }
    if (dryRun)
      for (const { platform, target } of layer.platforms)
        if (!platforms.some((source) => source.platform === platform)) {
          platforms.push({ platform, ref: `<the image ${target} would give>` });
          pending.push(`${project}:${target}`);
        }
    sources.push({ layer: layer.layer, top: layer.top, platforms });
  }
  if (dryRun) return { ok: true, sources, pending };
  return problems.length ? { ok: false, message: problems.join('\n') } : { ok: true, sources };
}
