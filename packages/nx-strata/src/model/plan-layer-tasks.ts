import { existsSync, readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { DockerfileModel } from '../dockerfile/dockerfile-model';
import { referencesVariable } from '../dockerfile/expand-variables';
import { layerTargetName } from './target-names';
import { describeLayer, variantAndPlatform, type LayerTask } from './layer-task';
import { parsePlatform } from '../config/platforms';
import {
  IMPLICIT_VARIANT,
  type ContainerTestConfig,
  type LayerSettings,
  type PlatformOverride,
  type StrataConfig,
  type VariantConfig,
} from '../config/strata-config';
import { formatJsonPath, type JsonPath } from '../config/json-source';
import { failAtConfigPath, platformOverridePath } from '../config/load-strata-config';
import { StrataInputError } from '../config/strata-error';
import { checkConfigPath, isIgnoredByGit } from '../config/workspace-paths';

export interface PlanOptions {
  workspaceRoot: string;
  /** Workspace-relative path of strata.json. */
  configFile: string;
  config: StrataConfig;
  buildTargetName: string;
  /** Parses a workspace-relative Dockerfile (callers may memoise). */
  readDockerfile: (file: string) => DockerfileModel;
}

export const DEFAULT_PARENT_ARG = 'BASE_IMAGE';
export const DEFAULT_PLATFORMS = ['linux/amd64'];

/** Expands a strata.json into one LayerTask per (variant, layer, platform), with parents resolved and checked. */
export function planLayerTasks(options: PlanOptions): LayerTask[] {
  const { config, configFile, workspaceRoot } = options;
  const projectRoot = posix.dirname(configFile);
  const project = projectName(config, projectRoot, workspaceRoot);
  const variants: Array<[string, VariantConfig, boolean]> = config.variants
    ? Object.entries(config.variants).map(([name, variant]) => [name, variant, true])
    : [[IMPLICIT_VARIANT, {}, false]];

  const tasks: LayerTask[] = [];
  const resolved = new Map<string, string>();
  for (const [variant, variantConfig, explicitVariant] of variants) {
    for (const [platform, platformOverride] of variantPlatforms(config, variantConfig)) {
      const group: LayerTask[] = [];
      for (const [layer, layerConfig] of Object.entries(config.layers)) {
        const settings = mergeSettings([
          [layerConfig, ['layers', layer]],
          [variantConfig.layers?.[layer], ['variants', variant, 'layers', layer]],
          [platformOverride.layers?.[layer], [...platformOverridePath(variant, platform, platformOverride), 'layers', layer]],
        ]);
        const where = describeLayer({ layer, variant, platform, explicitVariant });
        const resolve = (setting: 'dockerfile' | 'context', raw: string, at: JsonPath, expect: 'file' | 'directory') => {
          const written = substituteTokens(raw, variant, platform);
          // The same path recurs for every variant and platform: check it once.
          const known = resolved.get(`${expect} ${written}`);
          if (known !== undefined) return known;
          const check = checkConfigPath(workspaceRoot, projectRoot, written, expect);
          if (check.ok) {
            resolved.set(`${expect} ${written}`, check.path);
            return check.path;
          }
          // A build context that a build produces (`context: dist/apps/api`) is not there on a clean checkout: a path
          // inside the workspace that git ignores is accepted; the layer waits for the task that writes it.
          const candidate = resolvePath(projectRoot, written);
          if (
            setting === 'context' &&
            /does not exist$/.test(check.problem) &&
            !candidate.startsWith('..') &&
            isIgnoredByGit(workspaceRoot, candidate)
          )
            return candidate;
          return failAtConfigPath(
            config,
            configFile,
            at,
            `${where}: ${setting === 'dockerfile' ? 'Dockerfile' : 'build context'} ${check.problem} (${formatJsonPath(at)})`,
            check.hint,
          );
        };
        const dockerfile = resolve('dockerfile', settings.dockerfile!.value, settings.dockerfile!.at, 'file');
        const context = resolve(
          'context',
          settings.context?.value ?? config.context ?? '.',
          settings.context?.at ?? ['context'],
          'directory',
        );
        group.push({
          project,
          projectRoot,
          configFile,
          image: config.image,
          variant,
          explicitVariant,
          layer,
          platform,
          targetName: layerTargetName(options, explicitVariant ? variant : undefined, layer, platform),
          dockerfile,
          context,
          args: {
            ...config.args,
            ...layerConfig.args,
            ...variantConfig.args,
            ...variantConfig.layers?.[layer]?.args,
            ...platformOverride.args,
            ...platformOverride.layers?.[layer]?.args,
          },
          target: settings.target?.value,
          parentArg: layerConfig.parentArg ?? DEFAULT_PARENT_ARG,
          parent: null,
          ...mergedTest([layerConfig.test, variantConfig.layers?.[layer]?.test, platformOverride.layers?.[layer]?.test]),
          uses: (layerConfig.uses ?? []).map((use) => ({
            project: use.slice(0, use.indexOf(':')),
            target: use.slice(use.indexOf(':') + 1),
          })),
        });
      }
      resolveParents(group, options);
      tasks.push(...group);
    }
  }
  return tasks;
}

function resolveParents(group: LayerTask[], options: PlanOptions): void {
  const byLayer = new Map(group.map((task) => [task.layer, task]));
  for (const task of group) {
    const declared = options.config.layers[task.layer].parent;
    const model = options.readDockerfile(task.dockerfile);
    const fromUsesParentArg = model.stages.some((stage) => referencesVariable(stage.from, task.parentArg));
    let parentLayer = declared;
    if (parentLayer === undefined) {
      const argDefault = model.globalArgs.find((arg) => arg.name === task.parentArg)?.defaultValue;
      if (argDefault !== undefined && byLayer.has(argDefault) && argDefault !== task.layer && fromUsesParentArg) parentLayer = argDefault;
    } else if (!fromUsesParentArg) {
      const stage = model.stages[0];
      throw new StrataInputError({
        file: task.dockerfile,
        line: stage.line,
        problem: `layer "${task.layer}" has parent "${parentLayer}" in ${options.configFile}, but no FROM in this Dockerfile reads \${${task.parentArg}}`,
        hint: `start it with "ARG ${task.parentArg}" and "FROM \${${task.parentArg}}", or set "parentArg" to the ARG it uses`,
      });
    }
    if (parentLayer !== undefined) {
      const parent = byLayer.get(parentLayer)!;
      task.parent = { layer: parent.layer, targetName: parent.targetName };
    }
  }
  for (const task of group) {
    const path = [task.layer];
    const seen = new Set(path);
    let current = task.parent;
    while (current) {
      if (path.length >= MAX_CHAIN_DEPTH)
        throw new StrataInputError({
          file: options.configFile,
          problem: `layer "${task.layer}" sits on a chain of more than ${MAX_CHAIN_DEPTH} layers (${variantAndPlatform(task)}): ${path.slice(0, 4).join(' → ')} → …`,
          hint: `every layer is an image build and a chained key; merge layers (a chain of ${MAX_CHAIN_DEPTH} is far beyond base → ml → app)`,
        });
      if (seen.has(current.layer)) {
        const cycle = [...path.slice(path.indexOf(current.layer)), current.layer].join(' → ');
        throw new StrataInputError({
          file: options.configFile,
          problem: `layers form a cycle (${variantAndPlatform(task)}): ${cycle}`,
          hint: 'a layer cannot be its own ancestor; remove one "parent" (or the ARG default that names it)',
        });
      }
      path.push(current.layer);
      seen.add(current.layer);
      current = byLayer.get(current.layer)!.parent;
    }
  }
}

/** The longest parent chain a family may have: deeper ones cost quadratic inputs and overflow Nx's graph cache. */
const MAX_CHAIN_DEPTH = 32;

function variantPlatforms(config: StrataConfig, variant: VariantConfig): Array<[string, PlatformOverride]> {
  if (variant.platforms && !Array.isArray(variant.platforms)) return Object.entries(variant.platforms);
  return (variant.platforms ?? config.platforms ?? DEFAULT_PLATFORMS).map((platform) => [platform, {}]);
}

type Sourced<T> = { value: T; at: JsonPath };

/** `test` settings merged key by key, later wins: `{ test }`, or nothing when none is set. */
function mergedTest(settings: Array<ContainerTestConfig | undefined>): { test?: ContainerTestConfig } {
  const given = settings.filter((setting): setting is ContainerTestConfig => setting !== undefined);
  return given.length ? { test: Object.assign({}, ...given) as ContainerTestConfig } : {};
}

/** Later settings win; each merged value keeps the strata.json key it came from, for error positions. */
function mergeSettings(layers: Array<[LayerSettings | undefined, JsonPath]>): {
  dockerfile?: Sourced<string>;
  context?: Sourced<string>;
  target?: Sourced<string>;
} {
  const merged: { dockerfile?: Sourced<string>; context?: Sourced<string>; target?: Sourced<string> } = {};
  for (const [settings, at] of layers) {
    if (!settings) continue;
    for (const key of ['dockerfile', 'context', 'target'] as const) {
      const value = settings[key];
      if (value !== undefined) merged[key] = { value, at: [...at, key] };
    }
  }
  return merged;
}

function substituteTokens(path: string, variant: string, platform: string): string {
  const { os, arch } = parsePlatform(platform);
  return path
    .replace(/\{variant\}/g, variant)
    .replace(/\{os\}/g, os)
    .replace(/\{arch\}/g, arch);
}

function resolvePath(projectRoot: string, path: string): string {
  return posix.normalize(posix.join(projectRoot, path));
}

/**
 * The Nx project an image family belongs to: `project` when strata.json sets it; the project already defined in the
 * same directory (the `name` of its project.json or package.json: the targets join it, and every nx-strata path and
 * message uses that name); at the workspace root, the last segment of `image`; elsewhere `<directory>-image` (so
 * `images/api` does not collide with `apps/api`), or the directory name for a strata.json that declares only binaries.
 */
export function projectName(config: StrataConfig, projectRoot: string, workspaceRoot?: string): string {
  if (config.project) return config.project;
  if (projectRoot === '.' || projectRoot === '') return config.image.split('/').pop()!;
  const existing = workspaceRoot ? definedProjectName(join(workspaceRoot, projectRoot)) : undefined;
  if (existing) return existing;
  return config.layers ? `${basename(projectRoot)}-image` : basename(projectRoot);
}

/** The name a project.json or package.json in `directory` gives its project, if any. */
function definedProjectName(directory: string): string | undefined {
  for (const file of ['project.json', 'package.json']) {
    if (!existsSync(join(directory, file))) continue;
    try {
      const name = (JSON.parse(readFileSync(join(directory, file), 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // no such file, or not JSON: the next one, or the default name
    }
  }
  return undefined;
}
