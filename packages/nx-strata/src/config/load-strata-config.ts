import { checkKeys, checkOptionalString, isObject, type Fail } from './config-checks';
import { checkContainerTest } from './check-container-test';
import { checkLint } from './check-lint';
import { checkScan } from './check-scan';
import { formatJsonPath, parseJsonWithPositions, type JsonLocator, type JsonPath } from './json-source';
import { BINARY_PLATFORMS, KNOWN_PLATFORMS, normalizeBinaryPlatform, normalizePlatform } from './platforms';
import type { BinaryConfig, LayerConfig, LayerSettings, PlatformOverride, PublishConfig, StrataConfig } from './strata-config';
import { StrataInputError } from './strata-error';
import { TAG_TOKENS, TAG_TOKENS_TEXT } from './tag-tokens';
import { readWorkspaceTextFile } from './workspace-paths';

const NAME = /^[a-z0-9][a-z0-9_.]*(-[a-z0-9_.]+)*$/;
/** An OCI annotation key: reverse-domain words (`org.opencontainers.image.description`). */
const ANNOTATION_KEY = /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/;
const SCHEMA_HINT = 'see the strata.json reference in the nx-strata README (JSON Schema: node_modules/nx-strata/strata.schema.json)';

const locators = new WeakMap<StrataConfig, { file: string; locate: JsonLocator }>();

/**
 * Reads and validates a strata.json. `file` is workspace-relative (for messages), `workspaceRoot` is where it lives;
 * the file itself must be a regular file inside the workspace.
 */
export function loadStrataConfig(workspaceRoot: string, file: string): StrataConfig {
  const text = readWorkspaceTextFile(workspaceRoot, file, { file, what: 'strata.json' });
  const { value, locate } = parseJsonWithPositions(text, file);
  return validateStrataConfig(value, file, locate);
}

/**
 * Throws a StrataInputError that names the strata.json line and column of `path` (when the config was read from a
 * file) and the key itself.
 */
export function failAtConfigPath(config: StrataConfig, file: string, path: JsonPath, problem: string, hint: string): never {
  const position = locators.get(config)?.locate(path);
  throw new StrataInputError({ file, ...position, problem, hint });
}

/**
 * Checks a parsed strata.json (every error names its key and, from a file, its line and column) and returns it in
 * canonical form: platforms canonical and de-duplicated, the `"api": "apps/api"` directory shorthand expanded.
 * The input is not modified.
 */
export function validateStrataConfig(raw: unknown, file: string, locate: JsonLocator = () => undefined): StrataConfig {
  const fail: Fail = (at, problem, hint = SCHEMA_HINT) => {
    throw new StrataInputError({ file, ...locate(at), problem, hint });
  };
  checkStrataConfig(raw, fail);
  const config = normalizeStrataConfig(raw as StrataConfig);
  locators.set(config, { file, locate });
  return config;
}

/** Every check of a strata.json; throws through `fail` at the first problem. */
function checkStrataConfig(raw: unknown, fail: Fail): void {
  if (!isObject(raw)) return fail([], 'must hold a JSON object');
  const config = raw as unknown as StrataConfig;
  checkKeys(
    raw,
    ['$schema', 'project', 'image', 'context', 'platforms', 'args', 'layers', 'variants', 'publish', 'binaries', 'lint', 'scan'],
    [],
    fail,
  );
  checkLint(config.lint, ['lint'], fail, true);
  checkScan(config.scan, ['scan'], fail, true);
  checkBinaries(config.binaries, fail);
  if (config.project !== undefined && (typeof config.project !== 'string' || config.project === ''))
    fail(['project'], '"project" must be a non-empty string');
  if (config.layers === undefined && config.binaries !== undefined) return;
  if (typeof config.image !== 'string' || !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(config.image)) {
    fail(
      ['image'],
      `"image" must be a repository path such as "acme/vision" (lower-case, no registry, no tag); got ${JSON.stringify(config.image)}`,
    );
  }
  checkOptionalString(config.context, ['context'], fail);
  checkArgs(config.args, ['args'], fail);
  checkPlatforms(config.platforms, ['platforms'], fail);
  checkLayers(config, fail);
  checkPublish(config.publish, config, ['publish'], fail);
  checkVariants(config, fail);
}

function checkLayers(config: StrataConfig, fail: Fail): void {
  if (!isObject(config.layers) || Object.keys(config.layers).length === 0) fail(['layers'], '"layers" must name at least one layer');
  const names = Object.keys(config.layers);
  for (const [name, value] of Object.entries(config.layers as Record<string, unknown>)) {
    const at: JsonPath = ['layers', name];
    checkName(name, `layer "${name}"`, at, fail);
    // Directory shorthand: "api": "apps/api" means apps/api/Dockerfile with apps/api as the build context.
    if (typeof value === 'string') {
      if (value === '') fail(at, `layer "${name}" must be a directory or an object`);
      continue;
    }
    if (!isObject(value)) return fail(at, `layer "${name}" must be an object`);
    const layer = value as unknown as LayerConfig;
    checkKeys(value, ['dockerfile', 'parent', 'parentArg', 'context', 'args', 'target', 'uses', 'test', 'lint', 'scan'], at, fail);
    checkLint(layer.lint, [...at, 'lint'], fail, false);
    checkScan(layer.scan, [...at, 'scan'], fail, !isObject(config.scan) || config.scan.scanner === undefined);
    if (typeof layer.dockerfile !== 'string' || layer.dockerfile === '') fail(at, `layer "${name}" needs "dockerfile"`);
    checkLayerSettings(layer, at, fail);
    if (layer.parent !== undefined) {
      if (typeof layer.parent !== 'string') fail([...at, 'parent'], `layers.${name}.parent must be a layer name`);
      if (!names.includes(layer.parent)) {
        fail(
          [...at, 'parent'],
          `layer "${name}" has parent "${layer.parent}", which is not a layer of this file`,
          `declare layer "${layer.parent}" or use one of: ${names.join(', ')}`,
        );
      }
    }
    if (layer.uses !== undefined) {
      if (!Array.isArray(layer.uses)) fail([...at, 'uses'], `layers.${name}.uses must list tasks as "project:target", e.g. ["api:build"]`);
      layer.uses.forEach((use, index) => {
        if (typeof use !== 'string' || !/^[^:\s]+:[^:\s]+$/.test(use))
          fail(
            [...at, 'uses', index],
            `layers.${name}.uses[${index}] must be "project:target", e.g. "api:build"; got ${JSON.stringify(use)}`,
          );
      });
    }
    if (layer.parentArg !== undefined && (typeof layer.parentArg !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(layer.parentArg))) {
      fail([...at, 'parentArg'], `layers.${name}.parentArg must be an ARG name such as "BASE_IMAGE"`);
    }
  }
}

function checkVariants(config: StrataConfig, fail: Fail): void {
  if (config.variants === undefined) return;
  if (!isObject(config.variants) || Object.keys(config.variants).length === 0)
    fail(['variants'], '"variants", when present, must name at least one variant');
  for (const [variantName, variant] of Object.entries(config.variants)) {
    const at: JsonPath = ['variants', variantName];
    checkName(variantName, `variant "${variantName}"`, at, fail);
    if (!isObject(variant)) fail(at, `variant "${variantName}" must be an object`);
    checkKeys(variant, ['platforms', 'args', 'layers', 'publish'], at, fail);
    checkPublish(variant.publish, config, [...at, 'publish'], fail);
    checkArgs(variant.args, [...at, 'args'], fail);
    checkLayerOverrides(variant.layers, config, [...at, 'layers'], fail);
    if (!isObject(variant.platforms)) {
      checkPlatforms(variant.platforms, [...at, 'platforms'], fail);
      continue;
    }
    if (Object.keys(variant.platforms).length === 0)
      fail([...at, 'platforms'], `variants.${variantName}.platforms must list at least one platform`);
    for (const [platform, override] of Object.entries(variant.platforms as Record<string, unknown>)) {
      const platformAt: JsonPath = [...at, 'platforms', platform];
      checkPlatform(platform, [...at, 'platforms'], fail, platformAt);
      if (!isObject(override)) fail(platformAt, `${formatJsonPath(platformAt)} must be an object`);
      checkKeys(override, ['args', 'layers'], platformAt, fail);
      checkArgs((override as PlatformOverride).args, [...platformAt, 'args'], fail);
      checkLayerOverrides((override as PlatformOverride).layers, config, [...platformAt, 'layers'], fail);
    }
  }
}

/** The checked config in canonical form, as a new object: what every later step reads. */
function normalizeStrataConfig(raw: StrataConfig): StrataConfig {
  const config: StrataConfig = { ...raw };
  if (raw.binaries) {
    config.binaries = Object.fromEntries(
      Object.entries(raw.binaries).map(([name, binary]) => [
        name,
        { ...binary, platforms: [...new Set(binary.platforms.map((platform) => normalizeBinaryPlatform(String(platform))!))] },
      ]),
    );
  }
  if (raw.layers === undefined) return config;
  if (raw.platforms) config.platforms = canonicalPlatforms(raw.platforms);
  config.layers = Object.fromEntries(
    Object.entries(raw.layers as Record<string, LayerConfig | string>).map(([name, layer]) => [
      name,
      typeof layer === 'string' ? { dockerfile: `${layer.replace(/\/+$/, '')}/Dockerfile`, context: layer } : layer,
    ]),
  );
  if (raw.variants) {
    config.variants = Object.fromEntries(
      Object.entries(raw.variants).map(([name, variant]) => {
        if (!variant.platforms) return [name, variant];
        if (Array.isArray(variant.platforms)) return [name, { ...variant, platforms: canonicalPlatforms(variant.platforms) }];
        const platforms: Record<string, PlatformOverride> = {};
        for (const [platform, override] of Object.entries(variant.platforms)) {
          const canonical = normalizePlatform(platform)!;
          platforms[canonical] = override;
          if (canonical !== platform) platformAliases.set(override, platform);
        }
        return [name, { ...variant, platforms }];
      }),
    );
  }
  return config;
}

function canonicalPlatforms(platforms: string[]): string[] {
  return [...new Set(platforms.map((platform) => normalizePlatform(platform)!))];
}

/** The key a platform override was written under when it was an alias (`linux/arm64/v8`), for locating it. */
const platformAliases = new WeakMap<PlatformOverride, string>();

/** The key path of a variant's platform override as written in strata.json. */
export function platformOverridePath(variant: string, platform: string, override: PlatformOverride): JsonPath {
  return ['variants', variant, 'platforms', platformAliases.get(override) ?? platform];
}

const PRESETS = ['go', 'cargo', 'pyinstaller', 'command'];

function checkBinaries(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.keys(value).length === 0)
    return fail(['binaries'], '"binaries", when present, must name at least one binary');
  for (const [name, binary] of Object.entries(value)) {
    const at: JsonPath = ['binaries', name];
    const where = `binaries.${name}`;
    if (!NAME.test(name))
      fail(at, `binary "${name}": names use lower-case letters, digits, "_", "." and single "-" (they become parts of target names)`);
    if (!isObject(binary)) return fail(at, `"${where}" must be an object`);
    checkKeys(
      binary,
      ['preset', 'platforms', 'source', 'inputs', 'command', 'target', 'context', 'ldflags', 'onUnbuildable', 'check'],
      at,
      fail,
    );
    const config = binary as unknown as BinaryConfig;
    if (!PRESETS.includes(config.preset))
      fail([...at, 'preset'], `"${where}.preset" must be one of ${PRESETS.join(', ')}; got ${JSON.stringify(config.preset)}`);
    if (!Array.isArray(config.platforms) || config.platforms.length === 0)
      fail([...at, 'platforms'], `"${where}.platforms" must list platforms such as ["linux/amd64", "darwin/arm64"]`);
    config.platforms.forEach((platform, index) => {
      if (!normalizeBinaryPlatform(String(platform))) {
        fail(
          [...at, 'platforms', index],
          `unknown platform ${JSON.stringify(platform)} in "${where}.platforms"`,
          `use one of: ${BINARY_PLATFORMS.join(', ')}`,
        );
      }
    });
    for (const key of ['source', 'target', 'context', 'ldflags'] as const) checkOptionalString(config[key], [...at, key], fail);
    if (
      config.inputs !== undefined &&
      (!Array.isArray(config.inputs) || config.inputs.some((glob) => typeof glob !== 'string' || glob === ''))
    )
      fail([...at, 'inputs'], `"${where}.inputs" must list globs`);
    if (config.preset === 'command') {
      const command = config.command;
      if (
        !(typeof command === 'string' && command.trim()) &&
        !(Array.isArray(command) && command.length && command.every((part) => typeof part === 'string'))
      ) {
        fail(
          [...at, 'command'],
          `"${where}.command" is required for the command preset: an argv template with {os}, {arch}, {platform}, {output}`,
        );
      }
      if (!config.inputs?.length)
        fail(
          at,
          `"${where}.inputs" is required for the command preset: the globs the command reads`,
          'nx-strata cannot know what a custom command reads; list it so that Nx can cache the binary exactly',
        );
    }
    if (config.preset === 'pyinstaller' && !config.source)
      fail(at, `"${where}.source" must name the Dockerfile whose stage builds the binary`);
    if (config.onUnbuildable !== undefined && !['fail', 'skip'].includes(config.onUnbuildable))
      fail([...at, 'onUnbuildable'], `"${where}.onUnbuildable" is "fail" or "skip"`);
    if (config.check !== undefined) {
      const checkAt: JsonPath = [...at, 'check'];
      if (!isObject(config.check)) fail(checkAt, `"${where}.check" must be an object`);
      checkKeys(config.check, ['maxSizeBytes', 'smoke', 'maxStartupMs', 'runs'], checkAt, fail);
      for (const key of ['maxSizeBytes', 'maxStartupMs', 'runs'] as const) {
        const number = config.check[key];
        if (number !== undefined && (typeof number !== 'number' || number < 0 || !Number.isFinite(number)))
          fail([...checkAt, key], `"${where}.check.${key}" must be a non-negative number`);
      }
      if (
        config.check.smoke !== undefined &&
        (!Array.isArray(config.check.smoke) || config.check.smoke.some((arg) => typeof arg !== 'string'))
      )
        fail([...checkAt, 'smoke'], `"${where}.check.smoke" must be an argument list such as ["--version"]`);
    }
  }
}

/** `publish.sign`: "cosign", or { command, version?, install?, name? } whose placeholders are {image} and {digest}. */
function checkSign(value: unknown, at: JsonPath, fail: Fail): void {
  if (value === undefined || value === 'cosign') return;
  const where = formatJsonPath(at);
  if (!isObject(value)) return fail(at, `"${where}" must be "cosign" or { "command": [...] } with {image} and {digest}`);
  checkKeys(value, ['command', 'version', 'install', 'name'], at, fail);
  for (const key of ['command', 'version'] as const) {
    const argv = value[key];
    if (argv === undefined && key === 'version') continue;
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((arg) => typeof arg !== 'string' || arg === ''))
      fail([...at, key], `"${where}.${key}" must be an argument list such as ["cosign", "sign", "--yes", "{image}@{digest}"]`);
    const unknown = (argv as string[])
      .flatMap((arg) => [...arg.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]))
      .find((token) => token !== 'image' && token !== 'digest');
    if (unknown !== undefined) fail([...at, key], `"${where}.${key}" uses {${unknown}}; a signer's argv knows {image} and {digest}`);
  }
  checkOptionalString(value.install, [...at, 'install'], fail);
  checkOptionalString(value.name, [...at, 'name'], fail);
}

function checkPublish(value: unknown, config: StrataConfig, at: JsonPath, fail: Fail): void {
  if (value === undefined) return;
  const where = formatJsonPath(at);
  if (!isObject(value)) return fail(at, `"${where}" must be an object with "registries", "tags", "layers" and/or "annotations"`);
  checkKeys(value, ['registries', 'tags', 'layers', 'annotations', 'sign'], at, fail);
  checkSign((value as PublishConfig).sign, [...at, 'sign'], fail);
  const publish = value as PublishConfig;
  if (publish.annotations !== undefined) {
    if (!isObject(publish.annotations))
      fail(
        [...at, 'annotations'],
        `"${where}.annotations" must map annotation keys to strings, e.g. { "org.opencontainers.image.description": "..." }`,
      );
    for (const [key, text] of Object.entries(publish.annotations as Record<string, unknown>)) {
      if (!ANNOTATION_KEY.test(key))
        fail(
          [...at, 'annotations', key],
          `"${where}.annotations" has the key ${JSON.stringify(key)}; use a reverse-domain key such as "org.opencontainers.image.description"`,
        );
      // eslint-disable-next-line no-control-regex -- control characters are what this refuses
      if (typeof text !== 'string' || text.length > 4096 || /[\u0000-\u001f\u007f]/.test(text))
        fail([...at, 'annotations', key], `"${where}.annotations.${key}" must be one line of text (at most 4096 characters)`);
    }
  }
  if (publish.registries !== undefined) {
    if (!Array.isArray(publish.registries) || publish.registries.length === 0)
      fail([...at, 'registries'], `"${where}.registries" must list at least one registry`);
    publish.registries.forEach((registry, index) => {
      const url = typeof registry === 'string' ? registry : isObject(registry) ? registry.url : undefined;
      if (typeof url !== 'string' || !/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/i.test(url)) {
        fail(
          [...at, 'registries', index],
          `"${where}.registries" has ${JSON.stringify(registry)}; use "host[:port][/namespace]" or { "url": "...", "optional": true }`,
        );
      }
      if (isObject(registry)) checkKeys(registry, ['url', 'optional'], [...at, 'registries', index], fail);
    });
  }
  if (publish.tags !== undefined) {
    if (!Array.isArray(publish.tags) || publish.tags.length === 0 || publish.tags.some((tag) => typeof tag !== 'string' || tag === ''))
      fail([...at, 'tags'], `"${where}.tags" must list tag templates such as "{version}-{variant}"`);
    const unknown = publish.tags
      .flatMap((tag) => [...tag.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]))
      .find((token) => !(TAG_TOKENS as readonly string[]).includes(token));
    if (unknown !== undefined) fail([...at, 'tags'], `"${where}.tags" uses {${unknown}}`, `tag templates know ${TAG_TOKENS_TEXT}`);
  }
  if (publish.layers !== undefined) {
    if (!Array.isArray(publish.layers) || publish.layers.length === 0) fail([...at, 'layers'], `"${where}.layers" must list layer names`);
    const unknown = publish.layers.findIndex((layer) => !(layer in config.layers));
    if (unknown !== -1)
      fail(
        [...at, 'layers', unknown],
        `"${where}.layers" names "${publish.layers[unknown]}", which is not a layer`,
        `use one of: ${Object.keys(config.layers).join(', ')}`,
      );
  }
}

function checkPlatforms(value: unknown, at: JsonPath, fail: Fail): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0)
    return fail(at, `"${formatJsonPath(at)}" must be a non-empty array such as ["linux/amd64", "linux/arm64"]`);
  value.forEach((platform, index) => checkPlatform(platform, at, fail, [...at, index]));
}

function checkPlatform(platform: unknown, listAt: JsonPath, fail: Fail, at: JsonPath): string {
  const canonical = typeof platform === 'string' ? normalizePlatform(platform) : undefined;
  if (!canonical) {
    return fail(
      at,
      `unknown platform ${JSON.stringify(platform)} in "${formatJsonPath(listAt)}"`,
      `use one of: ${KNOWN_PLATFORMS.join(', ')}`,
    );
  }
  return canonical;
}

function checkLayerOverrides(value: unknown, config: StrataConfig, at: JsonPath, fail: Fail): void {
  if (value === undefined) return;
  const where = formatJsonPath(at);
  if (!isObject(value)) fail(at, `"${where}" must be an object keyed by layer name`);
  for (const [layer, settings] of Object.entries(value as Record<string, unknown>)) {
    if (!(layer in config.layers))
      fail(
        [...at, layer],
        `"${where}" overrides layer "${layer}", which is not declared in "layers"`,
        `use one of: ${Object.keys(config.layers).join(', ')}`,
      );
    if (!isObject(settings)) fail([...at, layer], `"${where}.${layer}" must be an object`);
    checkKeys(settings, ['dockerfile', 'context', 'args', 'target', 'test'], [...at, layer], fail);
    checkLayerSettings(settings as LayerSettings, [...at, layer], fail);
  }
}

function checkLayerSettings(settings: LayerSettings, at: JsonPath, fail: Fail): void {
  checkOptionalString(settings.dockerfile, [...at, 'dockerfile'], fail);
  checkOptionalString(settings.context, [...at, 'context'], fail);
  checkOptionalString(settings.target, [...at, 'target'], fail);
  checkArgs(settings.args, [...at, 'args'], fail);
  checkContainerTest(settings.test, [...at, 'test'], fail);
}

function checkArgs(value: unknown, at: JsonPath, fail: Fail): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string'))
    fail(at, `"${formatJsonPath(at)}" must map build-arg names to string values`);
}

function checkName(name: string, what: string, at: JsonPath, fail: Fail): void {
  if (!NAME.test(name))
    fail(at, `${what}: names use lower-case letters, digits, "_", "." and single "-" (they become parts of target names)`);
}
