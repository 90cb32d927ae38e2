import { posix } from 'node:path';
import type { LayerConfig, StrataConfig, VariantConfig } from '../../../config/strata-config';
import { GENERIC_DIRECTORIES, type DockerfileFacts } from './dockerfile-facts';
import { archPlatformOf, type BuildInstance, type Chain } from './find-chains';

export interface ProposedConfig {
  config?: StrataConfig;
  findings: string[];
  gaps: string[];
}

/** The build context of one way a Dockerfile is built: from a build file, else inferred (workspace-relative). */
export type ContextOf = (instance: BuildInstance) => string;

interface Variant {
  name: string;
  /** Per platform, the Dockerfile of each layer (by position in the chain). */
  platforms: Map<string, string[]>;
  chain: Chain;
}

const DEFAULT_PLATFORM = 'linux/amd64';

/**
 * Turns chains into one strata.json. Chains of the same layers whose roots sit in directories named like variants
 * (docker/cpu/, docker/cuda/) become variants of one family; anything else is a set of independent images, each a layer
 * of its own (with its parents), each with the context, target and build args its build files give it.
 */
export function chainsToConfig(
  chains: Chain[],
  dockerfiles: DockerfileFacts[],
  image: string,
  contextOf: ContextOf = (instance) => instance.context ?? '.',
): ProposedConfig {
  if (chains.length === 0) return { findings: [], gaps: [] };
  const facts = new Map(dockerfiles.map((file) => [file.path, file]));
  const layerNames = (chain: Chain) => chain.files.map((file) => facts.get(file)!.layer);
  const shapes = new Map<string, Chain[]>();
  for (const chain of chains) shapes.set(layerNames(chain).join(' → '), [...(shapes.get(layerNames(chain).join(' → ')) ?? []), chain]);
  const variantGroups = [...shapes].filter(([shape, group]) => group.length >= 2 && looksLikeVariants(shape.split(' → '), group));
  // One chain: a layer a compose service builds takes the service's name, as compose names it.
  if (chains.length === 1)
    return variantFamily(
      chains,
      chains[0].instances.map((instance, index) => (instance.name ? clean(instance.name) : layerNames(chains[0])[index])),
      [],
      facts,
      image,
      contextOf,
    );
  if (variantGroups.length === 0) return independentImages(chains, facts, image, contextOf);
  const [shape, kept] = variantGroups.sort((a, b) => b[1].length - a[1].length || b[0].split(' → ').length - a[0].split(' → ').length)[0];
  const gaps: string[] = [];
  for (const chain of chains.filter((candidate) => !kept.includes(candidate))) {
    const files = chain.files.filter((file) => !kept.some((variant) => variant.files.includes(file)));
    if (files.length === 0) continue;
    gaps.push(
      `${files.join(' → ')} is an image of its own (layers ${layerNames(chain).join(' → ')}, not ${shape}); left out of the variants of ${shape}, which build every layer per variant: give it its own strata.json, e.g. {"image": "${image}-${facts.get(files[files.length - 1])!.layer}", "layers": {"${facts.get(files[files.length - 1])!.layer}": {"dockerfile": "${files[files.length - 1]}", "context": "${contextOf(chain.instances[chain.instances.length - 1])}"}}}`,
    );
  }
  return variantFamily(kept, shape.split(' → '), gaps, facts, image, contextOf);
}

/**
 * Chains are variants of one family when each root sits in its own, distinctly named directory that is not a generic
 * one (docker/, build/) and not named like one of the layers: `docker/cpu/Dockerfile.base`, `docker/cuda/Dockerfile.base`.
 */
function looksLikeVariants(layers: string[], group: Chain[]): boolean {
  const names = group.map((chain) => posix.basename(posix.dirname(chain.files[0])).toLowerCase());
  return (
    new Set(names).size === names.length && names.every((name) => name !== '.' && !GENERIC_DIRECTORIES.has(name) && !layers.includes(name))
  );
}

/** Independent images: every Dockerfile a layer of its own, parents kept within each chain. */
function independentImages(chains: Chain[], facts: Map<string, DockerfileFacts>, image: string, contextOf: ContextOf): ProposedConfig {
  const findings: string[] = [];
  const gaps: string[] = [];
  const byFile = new Map<string, { instance: BuildInstance; parent?: string }>();
  for (const chain of chains) {
    chain.instances.forEach((instance, index) => {
      const parent = index > 0 ? chain.files[index - 1] : undefined;
      const known = byFile.get(instance.file);
      if (!known) byFile.set(instance.file, { instance, parent });
      else if (known.parent !== parent)
        gaps.push(
          `${instance.file} is built on ${known.parent ?? 'an outside image'} and on ${parent ?? 'an outside image'}; proposed on ${known.parent ?? 'an outside image'}: check "parent" in strata.json`,
        );
    });
  }
  const names = layerNamesFor(
    [...byFile.values()].map(({ instance }) => ({ file: instance.file, preferred: instance.name ?? facts.get(instance.file)!.layer })),
  );
  const config: StrataConfig = { image, layers: {} };
  for (const [file, { instance, parent }] of byFile) {
    const layer: LayerConfig = { dockerfile: file };
    const context = contextOf(instance);
    if (context !== '.') layer.context = context;
    if (instance.target) layer.target = instance.target;
    if (Object.keys(instance.buildArgs).length > 0 && !Object.values(instance.buildArgs).some((value) => value.includes('$')))
      layer.args = instance.buildArgs;
    if (parent) {
      layer.parent = names.get(parent)!;
      const parentArg = facts.get(file)!.parentArg?.name;
      if (parentArg && parentArg !== 'BASE_IMAGE') layer.parentArg = parentArg;
    }
    config.layers[names.get(file)!] = layer;
  }
  findings.push(
    `${byFile.size} independent image${byFile.size === 1 ? '' : 's'} (no variants: their directories are not named like variants): ${[...byFile.keys()].map((file) => `${names.get(file)} ← ${file}`).join(', ')}`,
  );
  const platformLists = chains.map((chain) => chain.platforms.join());
  if (new Set(platformLists).size === 1 && platformLists[0] && platformLists[0] !== DEFAULT_PLATFORM)
    config.platforms = chains[0].platforms;
  else if (new Set(platformLists).size > 1)
    gaps.push(
      `the images are built for different platforms (${[...new Set(platformLists.map((list) => list || DEFAULT_PLATFORM))].join('; ')}); strata.json builds every layer for ${DEFAULT_PLATFORM}: set "platforms" (or split the images into their own strata.json files)`,
    );
  return { config, findings, gaps };
}

/** One unique, valid layer name per file: the preferred one, else with its directories prefixed, else numbered. */
function layerNamesFor(entries: Array<{ file: string; preferred: string }>): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const { file, preferred } of entries) {
    const clash = entries.filter((other) => clean(other.preferred) === clean(preferred)).length > 1;
    let name = clean(preferred);
    if (clash)
      name = clean(
        `${posix
          .dirname(file)
          .split('/')
          .filter((part) => !GENERIC_DIRECTORIES.has(part.toLowerCase()))
          .join('-')}-${preferred}`,
      );
    for (let n = 2; taken.has(name); n++) name = `${clean(preferred)}-${n}`;
    taken.add(name);
    names.set(file, name);
  }
  return names;
}

function clean(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9_.]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-_.]+|[-_.]+$/g, '') || 'image'
  );
}

/** The chains as variants (cpu, cuda) of one family of layers, with architecture directories folded in as platforms. */
function variantFamily(
  kept: Chain[],
  layers: string[],
  carriedGaps: string[],
  facts: Map<string, DockerfileFacts>,
  image: string,
  contextOf: ContextOf,
): ProposedConfig {
  const findings: string[] = [];
  const gaps: string[] = [...carriedGaps];
  const shape = layers.join(' → ');
  if (new Set(layers).size !== layers.length) {
    gaps.push(`two layers of ${shape} share a name; rename a Dockerfile or edit strata.json`);
    return { findings, gaps };
  }

  // One variant per chain, named after its root's directory; architecture-named ones fold into a sibling as a platform.
  const names = uniqueNames(kept.map((chain) => posix.basename(posix.dirname(chain.files[0]))));
  let variants: Variant[] = kept.map((chain, index) => ({
    name: names[index],
    chain,
    platforms: new Map(
      (chain.platforms.length > 0 ? chain.platforms : [archPlatformOf(names[index]) ?? DEFAULT_PLATFORM]).map((platform) => [
        platform,
        chain.files,
      ]),
    ),
  }));
  if (kept.some((chain) => chain.platforms.length === 0))
    findings.push(
      `chains built without --platform are taken as ${DEFAULT_PLATFORM}, or as the architecture their directory is named after`,
    );
  for (const variant of variants.filter((candidate) => archPlatformOf(candidate.name))) {
    const platform = archPlatformOf(variant.name)!;
    const hosts = variants.filter((other) => !archPlatformOf(other.name) && !other.platforms.has(platform));
    const host = hosts.find((other) => other.name === 'cpu') ?? (hosts.length === 1 ? hosts[0] : undefined);
    if (!host) {
      gaps.push(
        `${variant.chain.files[0]} is for ${platform}, but no single variant lacks that platform to take it; kept as variant "${variant.name}"`,
      );
      continue;
    }
    for (const [each, files] of variant.platforms) host.platforms.set(each, files);
    variants = variants.filter((other) => other !== variant);
    findings.push(`${posix.dirname(variant.chain.files[0])}/ holds the ${platform} Dockerfiles of variant "${host.name}"`);
  }

  const config: StrataConfig = { image, layers: {} };
  const primary = (variant: Variant) => variant.platforms.values().next().value as string[];
  const variantOverrides = new Map<string, Record<string, { dockerfile: string }>>();
  layers.forEach((layer, index) => {
    const files = variants.map((variant) => primary(variant)[index]);
    const templated = files.map((file, at) => templateFor(file, variants[at].name));
    const layerConfig: LayerConfig = { dockerfile: files[0] };
    if (new Set(files).size > 1 && new Set(templated).size === 1) layerConfig.dockerfile = templated[0];
    else if (new Set(files).size > 1) {
      variants.forEach((variant, at) => {
        if (at > 0 && files[at] !== files[0])
          variantOverrides.set(variant.name, { ...variantOverrides.get(variant.name), [layer]: { dockerfile: files[at] } });
      });
    }
    if (index > 0) layerConfig.parent = layers[index - 1];
    const parentArg = facts.get(files[0])!.parentArg?.name;
    if (index > 0 && parentArg && parentArg !== 'BASE_IMAGE') layerConfig.parentArg = parentArg;
    config.layers[layer] = layerConfig;
  });

  const resolvedFile = (variant: Variant, index: number) => {
    const layer = config.layers[layers[index]] as LayerConfig;
    return variantOverrides.get(variant.name)?.[layers[index]]?.dockerfile ?? layer.dockerfile!.replace('{variant}', variant.name);
  };
  const platformLists = variants.map((variant) => [...variant.platforms.keys()]);
  const samePlatforms = platformLists.every((list) => list.join() === platformLists[0].join());
  if (samePlatforms && platformLists[0].join() !== DEFAULT_PLATFORM) config.platforms = platformLists[0];
  if (
    variants.length > 1 ||
    variants.some((variant) => variant.platforms.size > 1 && [...variant.platforms.values()].some((files) => files !== primary(variant)))
  ) {
    config.variants = {};
    for (const variant of variants) {
      const entry: VariantConfig = {};
      const overrides: Record<string, Record<string, { dockerfile: string }>> = {};
      for (const [platform, files] of variant.platforms) {
        const differing = Object.fromEntries(
          layers.flatMap((layer, index) => (files[index] !== resolvedFile(variant, index) ? [[layer, { dockerfile: files[index] }]] : [])),
        );
        if (Object.keys(differing).length > 0) overrides[platform] = differing;
      }
      if (Object.keys(overrides).length > 0)
        entry.platforms = Object.fromEntries(
          [...variant.platforms.keys()].map((platform) => [platform, overrides[platform] ? { layers: overrides[platform] } : {}]),
        );
      else if (!samePlatforms) entry.platforms = [...variant.platforms.keys()];
      if (variantOverrides.has(variant.name)) entry.layers = variantOverrides.get(variant.name);
      config.variants[variant.name] = entry;
    }
  }

  // Contexts: one for all layers when they agree; else per layer where every variant agrees; else a gap.
  const contextsOf = (index: number) => new Set(kept.map((chain) => contextOf(chain.instances[index])));
  const all = new Set(layers.flatMap((_layer, index) => [...contextsOf(index)]));
  if (all.size === 1 && [...all][0] !== '.') config.context = [...all][0];
  else if (all.size > 1) {
    layers.forEach((layer, index) => {
      const contexts = contextsOf(index);
      if (contexts.size === 1) {
        const [context] = contexts;
        if (context !== '.') (config.layers[layer] as LayerConfig).context = context;
      } else
        gaps.push(
          `layer "${layer}" is built from several contexts (${[...contexts].join(', ')}) in different variants; strata.json uses "." for it: set "context" per variant`,
        );
    });
  }
  layers.forEach((layer, index) => {
    const targets = new Set(kept.map((chain) => chain.instances[index].target));
    const [target] = targets;
    if (targets.size === 1 && target) (config.layers[layer] as LayerConfig).target = target;
    else if (targets.size > 1)
      gaps.push(
        `layer "${layer}" is built with different --target values (${[...targets].map((each) => each ?? '(last stage)').join(', ')}); set "target" per variant`,
      );
  });
  const sharedArgs = commonArgs(kept.flatMap((chain) => chain.instances.filter((instance) => instance.source)));
  if (Object.keys(sharedArgs).length > 0) config.args = sharedArgs;
  return { config, findings, gaps };
}

/** `docker/cpu/Dockerfile.base` in variant cpu → `docker/{variant}/Dockerfile.base`. */
function templateFor(file: string, variant: string): string {
  return file
    .split('/')
    .map((segment) => (segment === variant ? '{variant}' : segment))
    .join('/');
}

function uniqueNames(raw: string[]): string[] {
  return raw.map((name, index) => {
    const clean = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'default';
    return raw.filter((other) => other === name).length > 1
      ? `${clean}-${raw.slice(0, index + 1).filter((other) => other === name).length}`
      : clean;
  });
}

/** Build args every Makefile line passes with the same value (the parent ARG already left out). */
function commonArgs(instances: Array<{ buildArgs: Record<string, string> }>): Record<string, string> {
  if (instances.length === 0) return {};
  const [first, ...rest] = instances;
  return Object.fromEntries(
    Object.entries(first.buildArgs).filter(
      ([name, value]) => !value.includes('$(') && rest.every((instance) => instance.buildArgs[name] === value),
    ),
  );
}
