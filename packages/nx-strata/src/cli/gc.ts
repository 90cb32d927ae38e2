import { FileHasher } from '../hash/file-hasher';
import { familyKeys } from '../model/family-keys';
import { buildRegistry, parseRegistryAddress, repositoryName } from '../engines/registry/registry-address';
import { RegistryClient } from '../engines/registry/registry-client';
import { CONTENT_TAG, selectGarbage, type ContentTag } from './gc-selection';
import { openWorkspace } from './workspace';

export interface GcCommand {
  cwd: string;
  delete: boolean;
  out: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Lists (and with `delete`, deletes) the content-addressed `strata-<key>` tags of the build registry that no current
 * layer key or published tag uses.
 */
export async function gc(options: GcCommand): Promise<number> {
  const env = options.env ?? process.env;
  const { workspaceRoot, pluginOptions, configFiles, family: readFamily } = openWorkspace(options.cwd);
  const registry = buildRegistry(pluginOptions.registry, env);
  if (!registry) {
    options.out('nx-strata gc works on the build registry, and none is set: set the plugin option "registry" or STRATA_REGISTRY');
    return 1;
  }
  const address = parseRegistryAddress(registry);
  const client = new RegistryClient(address.host, env);
  const hasher = await FileHasher.create();

  const contentTags: ContentTag[] = [];
  const currentKeys = new Set<string>();
  const publishedDigests = new Set<string>();
  for (const configFile of configFiles) {
    const family = readFamily(configFile);
    for (const key of familyKeys(family, workspaceRoot, hasher).values()) currentKeys.add(key.key);
    const repositories = [
      repositoryName(address, family.config.image),
      ...Object.keys(family.config.layers).map((layer) => repositoryName(address, `${family.config.image}/${layer}`)),
    ];
    for (const repository of repositories) {
      const tags = await client.tags(repository);
      if (!tags.ok) {
        options.out(`cannot list ${address.host}/${repository}: ${tags.failure.detail}`);
        return 1;
      }
      for (const tag of tags.value) {
        const probe = await client.manifest(repository, tag, { withBody: true });
        if (!probe.ok || !probe.value) continue;
        const key = CONTENT_TAG.exec(tag)?.[1];
        if (key) {
          contentTags.push({ repository, tag, key, digest: probe.value.digest });
        } else {
          publishedDigests.add(probe.value.digest);
          for (const child of childDigests(probe.value.body)) publishedDigests.add(child);
        }
      }
    }
  }

  const decisions = selectGarbage(contentTags, currentKeys, publishedDigests);
  const garbage = decisions.filter((decision) => !decision.keep);
  options.out(
    `${contentTags.length} content-addressed tag${contentTags.length === 1 ? '' : 's'} in ${registry}; ${garbage.length} unused${options.delete ? '' : ' (run with --delete to delete them)'}`,
  );
  for (const decision of decisions) {
    options.out(
      `${decision.keep ? 'keep  ' : options.delete ? 'delete' : 'unused'}  ${address.host}/${decision.repository}:${decision.tag}  ${decision.digest}  (${decision.reason})`,
    );
  }
  if (!options.delete) return 0;
  let failures = 0;
  for (const decision of garbage) {
    const deleted = await client.deleteManifest(decision.repository, decision.digest);
    if (!deleted.ok) {
      failures++;
      options.out(`could not delete ${address.host}/${decision.repository}:${decision.tag}: ${deleted.failure.detail}`);
    }
  }
  options.out(
    `deleted ${garbage.length - failures} manifest${garbage.length - failures === 1 ? '' : 's'}; the registry frees their blobs at its next garbage collection (distribution: \`registry garbage-collect\`)`,
  );
  return failures ? 1 : 0;
}

/** Digests a manifest list / index refers to. */
function childDigests(body: string | undefined): string[] {
  if (!body) return [];
  try {
    const parsed = JSON.parse(body) as { manifests?: Array<{ digest?: string }> };
    return (parsed.manifests ?? []).map((manifest) => manifest.digest).filter((digest): digest is string => Boolean(digest));
  } catch {
    return [];
  }
}
