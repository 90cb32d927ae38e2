import { join } from 'node:path';
import { parseRegistryAddress } from '../../../engines/registry/registry-address';
import { RegistryClient } from '../../../engines/registry/registry-client';
import { readRecord } from '../../../model/layer-record';
import type { NormalizedPublishOptions } from './normalize-options';
import type { PublishSource } from './publish-plan';

export type SourcesResult = { ok: true; sources: PublishSource[] } | { ok: false; message: string };

/**
 * Reads the build records of every published (layer, platform) and checks that each digest still exists in the
 * build registry: a cache hit can outlive a pruned registry. Says how to repair what is missing.
 */
export async function resolvePublishSources(options: NormalizedPublishOptions, project: string): Promise<SourcesResult> {
  const registry = options.registry!;
  const client = new RegistryClient(parseRegistryAddress(registry).host);
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
      if (record.registry !== registry) {
        problems.push(
          `layer "${layer.layer}" (${platform}) was built ${record.registry ? `for registry ${record.registry}` : 'in local mode'}, not for ${registry}.\n  → rebuild it for this registry: ${rebuild}`,
        );
        continue;
      }
      const [repository, digest] = record.parentRef.slice(parseRegistryAddress(registry).host.length + 1).split('@');
      const probe = await client.manifest(repository, digest, { withBody: true });
      if (!probe.ok) {
        problems.push(
          `layer "${layer.layer}" (${platform}): cannot check ${record.parentRef} in ${registry} (${probe.failure.kind}: ${probe.failure.detail}).\n  → make sure the registry is up and \`docker login ${parseRegistryAddress(registry).host}\` works`,
        );
        continue;
      }
      if (!probe.value) {
        problems.push(
          `layer "${layer.layer}" (${platform}): ${record.parentRef} is no longer in ${registry} (pruned?), although its record says it was built.\n  → rebuild it: ${rebuild}`,
        );
        continue;
      }
      platforms.push({ platform, ref: record.parentRef });
    }
    sources.push({ layer: layer.layer, top: layer.top, platforms });
  }
  return problems.length ? { ok: false, message: problems.join('\n') } : { ok: true, sources };
}
