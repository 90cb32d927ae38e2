import { readFileSync } from 'node:fs';
import { BINARY_PLATFORMS, KNOWN_PLATFORMS, normalizeBinaryPlatform, normalizePlatform } from './platforms';
import type { BinaryConfig, LayerSettings, PlatformOverride, PublishConfig, StrataConfig } from './strata-config';
import { StrataInputError } from './strata-error';

const NAME = /^[a-z0-9][a-z0-9_.]*(-[a-z0-9_.]+)*$/;
const SCHEMA_HINT = 'see the strata.json reference in the nx-strata README (JSON Schema: node_modules/nx-strata/strata.schema.json)';

/** Reads and validates a strata.json. `file` is workspace-relative (for messages), `absolute` is where to read it. */
export function loadStrataConfig(absolute: string, file: string): StrataConfig {
  const text = readFileSync(absolute, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StrataInputError({ file, line: jsonErrorLine(text, error), problem: `is not valid JSON (${(error as Error).message})`, hint: 'fix the JSON syntax', cause: error });
  }
  return validateStrataConfig(raw, file);
}

export function validateStrataConfig(raw: unknown, file: string): StrataConfig {
  const fail: Fail = (problem, hint = SCHEMA_HINT) => {
    throw new StrataInputError({ file, problem, hint });
  };
  if (!isObject(raw)) return fail('must hold a JSON object');
  const config = raw as unknown as StrataConfig;

  checkKeys(raw, ['$schema', 'project', 'image', 'context', 'platforms', 'args', 'layers', 'variants', 'publish', 'binaries'], '', fail);
  checkBinaries(config.binaries, fail);
  if (config.layers === undefined && config.binaries !== undefined) {
    if (config.project !== undefined && (typeof config.project !== 'string' || config.project === '')) fail('"project" must be a non-empty string');
    return config;
  }
  if (typeof config.image !== 'string' || !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(config.image)) {
    fail(`"image" must be a repository path such as "acme/vision" (lower-case, no registry, no tag); got ${JSON.stringify(config.image)}`);
  }
  if (config.project !== undefined && (typeof config.project !== 'string' || config.project === '')) fail('"project" must be a non-empty string');
  checkOptionalString(config.context, 'context', fail);
  checkArgs(config.args, 'args', fail);
  config.platforms = checkPlatforms(config.platforms, 'platforms', fail);

  if (!isObject(config.layers) || Object.keys(config.layers).length === 0) fail('"layers" must name at least one layer');
  for (const [name, value] of Object.entries(config.layers as Record<string, unknown>)) {
    checkName(name, `layer "${name}"`, fail);
    if (typeof value === 'string') {
      // Directory shorthand: "api": "apps/api" means apps/api/Dockerfile with apps/api as the build context.
      if (value === '') fail(`layer "${name}" must be a directory or an object`);
      config.layers[name] = { dockerfile: `${value.replace(/\/+$/, '')}/Dockerfile`, context: value };
    }
    const layer = config.layers[name];
    if (!isObject(layer)) fail(`layer "${name}" must be an object`);
    checkKeys(layer, ['dockerfile', 'parent', 'parentArg', 'context', 'args', 'target'], `layers.${name}.`, fail);
    if (typeof layer.dockerfile !== 'string' || layer.dockerfile === '') fail(`layer "${name}" needs "dockerfile"`);
    checkLayerSettings(layer, `layers.${name}`, fail);
    if (layer.parent !== undefined) {
      if (typeof layer.parent !== 'string') fail(`layers.${name}.parent must be a layer name`);
      if (!(layer.parent in config.layers)) {
        fail(`layer "${name}" has parent "${layer.parent}", which is not a layer of this file`, `declare layer "${layer.parent}" or use one of: ${Object.keys(config.layers).join(', ')}`);
      }
    }
    if (layer.parentArg !== undefined && (typeof layer.parentArg !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(layer.parentArg))) {
      fail(`layers.${name}.parentArg must be an ARG name such as "BASE_IMAGE"`);
    }
  }

  checkPublish(config.publish, config, 'publish', fail);

  if (config.variants !== undefined) {
    if (!isObject(config.variants) || Object.keys(config.variants).length === 0) fail('"variants", when present, must name at least one variant');
    for (const [variantName, variant] of Object.entries(config.variants)) {
      checkName(variantName, `variant "${variantName}"`, fail);
      if (!isObject(variant)) fail(`variant "${variantName}" must be an object`);
      checkKeys(variant, ['platforms', 'args', 'layers', 'publish'], `variants.${variantName}.`, fail);
      checkPublish(variant.publish, config, `variants.${variantName}.publish`, fail);
      checkArgs(variant.args, `variants.${variantName}.args`, fail);
      checkLayerOverrides(variant.layers, config, `variants.${variantName}.layers`, fail);
      if (isObject(variant.platforms)) {
        const normalized: typeof variant.platforms = {};
        for (const [platform, override] of Object.entries(variant.platforms as Record<string, unknown>)) {
          const canonical = checkPlatform(platform, `variants.${variantName}.platforms`, fail);
          if (!isObject(override)) fail(`variants.${variantName}.platforms["${platform}"] must be an object`);
          checkKeys(override, ['args', 'layers'], `variants.${variantName}.platforms["${platform}"].`, fail);
          checkArgs((override as PlatformOverride).args, `variants.${variantName}.platforms["${platform}"].args`, fail);
          checkLayerOverrides((override as PlatformOverride).layers, config, `variants.${variantName}.platforms["${platform}"].layers`, fail);
          normalized[canonical] = override as PlatformOverride;
        }
        if (Object.keys(normalized).length === 0) fail(`variants.${variantName}.platforms must list at least one platform`);
        variant.platforms = normalized;
      } else {
        variant.platforms = checkPlatforms(variant.platforms, `variants.${variantName}.platforms`, fail);
      }
    }
  }
  return config;
}

type Fail = (problem: string, hint?: string) => never;

const PRESETS = ['go', 'cargo', 'pyinstaller', 'command'];

function checkBinaries(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.keys(value).length === 0) return fail('"binaries", when present, must name at least one binary');
  for (const [name, binary] of Object.entries(value)) {
    const where = `binaries.${name}`;
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) fail(`binary "${name}": names use lower-case letters, digits, "_", "." and "-"`);
    if (!isObject(binary)) return fail(`"${where}" must be an object`);
    checkKeys(binary, ['preset', 'platforms', 'source', 'inputs', 'command', 'target', 'context', 'ldflags', 'onUnbuildable', 'check'], `${where}.`, fail);
    const config = binary as unknown as BinaryConfig;
    if (!PRESETS.includes(config.preset)) fail(`"${where}.preset" must be one of ${PRESETS.join(', ')}; got ${JSON.stringify(config.preset)}`);
    if (!Array.isArray(config.platforms) || config.platforms.length === 0) fail(`"${where}.platforms" must list platforms such as ["linux/amd64", "darwin/arm64"]`);
    config.platforms = [
      ...new Set(
        config.platforms.map((platform) => normalizeBinaryPlatform(String(platform)) ?? fail(`unknown platform ${JSON.stringify(platform)} in "${where}.platforms"`, `use one of: ${BINARY_PLATFORMS.join(', ')}`)),
      ),
    ];
    for (const key of ['source', 'target', 'context', 'ldflags'] as const) checkOptionalString(config[key], `${where}.${key}`, fail);
    if (config.inputs !== undefined && (!Array.isArray(config.inputs) || config.inputs.some((glob) => typeof glob !== 'string' || glob === ''))) fail(`"${where}.inputs" must list globs`);
    if (config.preset === 'command') {
      const command = config.command;
      if (!(typeof command === 'string' && command.trim()) && !(Array.isArray(command) && command.length && command.every((part) => typeof part === 'string'))) {
        fail(`"${where}.command" is required for the command preset: an argv template with {os}, {arch}, {platform}, {output}`);
      }
      if (!config.inputs?.length) fail(`"${where}.inputs" is required for the command preset: the globs the command reads`, 'nx-strata cannot know what a custom command reads; list it so that Nx can cache the binary exactly');
    }
    if (config.preset === 'pyinstaller' && !config.source) fail(`"${where}.source" must name the Dockerfile whose stage builds the binary`);
    if (config.onUnbuildable !== undefined && !['fail', 'skip'].includes(config.onUnbuildable)) fail(`"${where}.onUnbuildable" is "fail" or "skip"`);
    if (config.check !== undefined) {
      if (!isObject(config.check)) fail(`"${where}.check" must be an object`);
      checkKeys(config.check, ['maxSizeBytes', 'smoke', 'maxStartupMs', 'runs'], `${where}.check.`, fail);
      for (const key of ['maxSizeBytes', 'maxStartupMs', 'runs'] as const) {
        const number = config.check[key];
        if (number !== undefined && (typeof number !== 'number' || number < 0 || !Number.isFinite(number))) fail(`"${where}.check.${key}" must be a non-negative number`);
      }
      if (config.check.smoke !== undefined && (!Array.isArray(config.check.smoke) || config.check.smoke.some((arg) => typeof arg !== 'string'))) fail(`"${where}.check.smoke" must be an argument list such as ["--version"]`);
    }
  }
}

function checkPublish(value: unknown, config: StrataConfig, where: string, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value)) return fail(`"${where}" must be an object with "registries", "tags" and/or "layers"`);
  checkKeys(value, ['registries', 'tags', 'layers'], `${where}.`, fail);
  const publish = value as PublishConfig;
  if (publish.registries !== undefined) {
    if (!Array.isArray(publish.registries) || publish.registries.length === 0) fail(`"${where}.registries" must list at least one registry`);
    for (const registry of publish.registries) {
      const url = typeof registry === 'string' ? registry : isObject(registry) ? registry.url : undefined;
      if (typeof url !== 'string' || !/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/i.test(url)) {
        fail(`"${where}.registries" has ${JSON.stringify(registry)}; use "host[:port][/namespace]" or { "url": "...", "optional": true }`);
      }
      if (isObject(registry)) checkKeys(registry, ['url', 'optional'], `${where}.registries[].`, fail);
    }
  }
  if (publish.tags !== undefined) {
    if (!Array.isArray(publish.tags) || publish.tags.length === 0 || publish.tags.some((tag) => typeof tag !== 'string' || tag === '')) fail(`"${where}.tags" must list tag templates such as "{version}-{variant}"`);
    const unknown = publish.tags.flatMap((tag) => [...tag.matchAll(/\{([^}]*)\}/g)].map((match) => match[1])).find((token) => !['version', 'sha', 'variant', 'platform'].includes(token));
    if (unknown !== undefined) fail(`"${where}.tags" uses {${unknown}}`, 'tag templates know {version}, {sha}, {variant} and {platform}');
  }
  if (publish.layers !== undefined) {
    if (!Array.isArray(publish.layers) || publish.layers.length === 0) fail(`"${where}.layers" must list layer names`);
    const unknown = publish.layers.find((layer) => !(layer in config.layers));
    if (unknown !== undefined) fail(`"${where}.layers" names "${unknown}", which is not a layer`, `use one of: ${Object.keys(config.layers).join(', ')}`);
  }
}

function checkPlatforms(value: unknown, where: string, fail: Fail): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) return fail(`"${where}" must be a non-empty array such as ["linux/amd64", "linux/arm64"]`);
  return [...new Set(value.map((platform) => checkPlatform(platform, where, fail)))];
}

function checkPlatform(platform: unknown, where: string, fail: Fail): string {
  const canonical = typeof platform === 'string' ? normalizePlatform(platform) : undefined;
  if (!canonical) {
    return fail(`unknown platform ${JSON.stringify(platform)} in "${where}"`, `use one of: ${KNOWN_PLATFORMS.join(', ')}`);
  }
  return canonical;
}

function checkLayerOverrides(value: unknown, config: StrataConfig, where: string, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value)) fail(`"${where}" must be an object keyed by layer name`);
  for (const [layer, settings] of Object.entries(value as Record<string, unknown>)) {
    if (!(layer in config.layers)) fail(`"${where}" overrides layer "${layer}", which is not declared in "layers"`, `use one of: ${Object.keys(config.layers).join(', ')}`);
    if (!isObject(settings)) fail(`"${where}.${layer}" must be an object`);
    checkKeys(settings, ['dockerfile', 'context', 'args', 'target'], `${where}.${layer}.`, fail);
    checkLayerSettings(settings as LayerSettings, `${where}.${layer}`, fail);
  }
}

function checkLayerSettings(settings: LayerSettings, where: string, fail: Fail): void {
  checkOptionalString(settings.dockerfile, `${where}.dockerfile`, fail);
  checkOptionalString(settings.context, `${where}.context`, fail);
  checkOptionalString(settings.target, `${where}.target`, fail);
  checkArgs(settings.args, `${where}.args`, fail);
}

function checkArgs(value: unknown, where: string, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) fail(`"${where}" must map build-arg names to string values`);
}

function checkOptionalString(value: unknown, where: string, fail: Fail): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) fail(`"${where}" must be a non-empty string`);
}

function checkName(name: string, what: string, fail: Fail): void {
  if (!NAME.test(name)) fail(`${what}: names use lower-case letters, digits, "_", "." and single "-" (they become parts of target names)`);
}

function checkKeys(value: object, allowed: string[], prefix: string, fail: Fail): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length) fail(`unknown key "${prefix}${unknown[0]}"`, `allowed here: ${allowed.join(', ')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonErrorLine(text: string, error: unknown): number | undefined {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  return position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
}
