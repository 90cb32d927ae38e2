import { posix } from 'node:path';
import type { LayerConfig, StrataConfig, VariantConfig } from '../../../config/strata-config';
import type { DockerfileFacts } from './dockerfile-facts';
import { archPlatformOf, type Chain } from './find-chains';

export interface ProposedConfig {
  config?: StrataConfig;
  findings: string[];
  gaps: string[];
}

interface Variant {
  name: string;
  /** Per platform, the Dockerfile of each layer (by position in the chain). */
  platforms: Map<string, string[]>;
  chain: Chain;
}

const DEFAULT_PLATFORM = 'linux/amd64';

/**
 * Turns chains into one strata.json: layers named after their Dockerfiles, one variant per chain (named after the
 * root Dockerfile's directory: cpu, cuda), a chain in a directory named after an architecture (arm64) folded into
 * another variant as that platform, and Dockerfile paths written as `docker/{variant}/Dockerfile.base` where they follow it.
 */
export function chainsToConfig(chains: Chain[], dockerfiles: DockerfileFacts[], image: string): ProposedConfig {
  const findings: string[] = [];
  const gaps: string[] = [];
  if (chains.length === 0) return { findings, gaps };
  const facts = new Map(dockerfiles.map((file) => [file.path, file]));
  const layerNames = (chain: Chain) => chain.files.map((file) => facts.get(file)!.layer);
  const shapes = new Map<string, Chain[]>();
  for (const chain of chains) shapes.set(layerNames(chain).join(' → '), [...(shapes.get(layerNames(chain).join(' → ')) ?? []), chain]);
  const [shape, kept] = [...shapes].sort((a, b) => b[1].length - a[1].length || b[0].split(' → ').length - a[0].split(' → ').length)[0];
  for (const [other, dropped] of shapes) {
    if (other !== shape) gaps.push(`layers ${other} (${dropped.map((chain) => chain.files[0]).join(', ')}) do not follow ${shape}; left out: add them as their own strata.json`);
  }
  const layers = shape.split(' → ');
  if (new Set(layers).size !== layers.length) {
    gaps.push(`two layers of ${shape} share a name; rename a Dockerfile or edit strata.json`);
    return { findings, gaps };
  }

  // One variant per chain, named after its root's directory; architecture-named ones fold into a sibling as a platform.
  const names = uniqueNames(kept.map((chain) => posix.basename(posix.dirname(chain.files[0]))));
  let variants: Variant[] = kept.map((chain, index) => ({
    name: names[index],
    chain,
    platforms: new Map((chain.platforms.length > 0 ? chain.platforms : [archPlatformOf(names[index]) ?? DEFAULT_PLATFORM]).map((platform) => [platform, chain.files])),
  }));
  if (kept.some((chain) => chain.platforms.length === 0)) findings.push(`chains built without --platform are taken as ${DEFAULT_PLATFORM}, or as the architecture their directory is named after`);
  for (const variant of variants.filter((candidate) => archPlatformOf(candidate.name))) {
    const platform = archPlatformOf(variant.name)!;
    const hosts = variants.filter((other) => !archPlatformOf(other.name) && !other.platforms.has(platform));
    const host = hosts.find((other) => other.name === 'cpu') ?? (hosts.length === 1 ? hosts[0] : undefined);
    if (!host) {
      gaps.push(`${variant.chain.files[0]} is for ${platform}, but no single variant lacks that platform to take it; kept as variant "${variant.name}"`);
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
        if (at > 0 && files[at] !== files[0]) variantOverrides.set(variant.name, { ...variantOverrides.get(variant.name), [layer]: { dockerfile: files[at] } });
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
  if (variants.length > 1 || variants.some((variant) => variant.platforms.size > 1 && [...variant.platforms.values()].some((files) => files !== primary(variant)))) {
    config.variants = {};
    for (const variant of variants) {
      const entry: VariantConfig = {};
      const overrides: Record<string, Record<string, { dockerfile: string }>> = {};
      for (const [platform, files] of variant.platforms) {
        const differing = Object.fromEntries(layers.flatMap((layer, index) => (files[index] !== resolvedFile(variant, index) ? [[layer, { dockerfile: files[index] }]] : [])));
        if (Object.keys(differing).length > 0) overrides[platform] = differing;
      }
      if (Object.keys(overrides).length > 0) entry.platforms = Object.fromEntries([...variant.platforms.keys()].map((platform) => [platform, overrides[platform] ? { layers: overrides[platform] } : {}]));
      else if (!samePlatforms) entry.platforms = [...variant.platforms.keys()];
      if (variantOverrides.has(variant.name)) entry.layers = variantOverrides.get(variant.name);
      config.variants[variant.name] = entry;
    }
  }

  const contexts = new Set(kept.flatMap((chain) => chain.instances.map((instance) => instance.context ?? '.')));
  if (contexts.size === 1 && ![...contexts][0].match(/^\.\/?$/)) config.context = [...contexts][0];
  else if (contexts.size > 1) gaps.push(`the Makefile builds from several contexts (${[...contexts].join(', ')}); strata.json uses "." for all: set "context" per layer if needed`);
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
    return raw.filter((other) => other === name).length > 1 ? `${clean}-${raw.slice(0, index + 1).filter((other) => other === name).length}` : clean;
  });
}

/** Build args every Makefile line passes with the same value (the parent ARG already left out). */
function commonArgs(instances: Array<{ buildArgs: Record<string, string> }>): Record<string, string> {
  if (instances.length === 0) return {};
  const [first, ...rest] = instances;
  return Object.fromEntries(Object.entries(first.buildArgs).filter(([name, value]) => !value.includes('$(') && rest.every((instance) => instance.buildArgs[name] === value)));
}
