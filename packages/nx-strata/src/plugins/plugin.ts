import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createNodesFromFiles,
  type CreateNodes,
  type CreateNodesContext,
  type CreateNodesResult,
  type TargetConfiguration,
} from '@nx/devkit';
import type { LayerTask } from '../config/layer-task';
import { loadStrataConfig } from '../config/load-strata-config';
import { planLayerTasks } from '../config/plan-layer-tasks';
import { platformSlug } from '../config/platforms';
import type { DockerfileModel } from '../dockerfile/dockerfile-model';
import { computeLayerInputs, type LayerInputs } from '../dockerfile/layer-inputs';
import { parseDockerfile } from '../dockerfile/parse-dockerfile';
import { recordPath } from '../executors/docker-build/lib/layer-record';
import type { DockerBuildExecutorOptions } from '../executors/docker-build/schema';
import type { NxInput } from './nx-input';
import { layerNxInputs, unionInputs } from './nx-inputs';
import { platformTargetName } from './target-names';

/** Options of the nx-strata plugin entry in nx.json. */
export interface StrataPluginOptions {
  /** Name of the aggregate build target; atomized targets are `<name>--...`. @default "docker-build" */
  buildTargetName?: string;
  /** Registry (and namespace) layers are pushed to, e.g. `localhost:5000/acme`. `STRATA_REGISTRY` overrides it. Unset: local mode. */
  registry?: string;
  /** Workspace-relative directory for build records (the targets' outputs). @default "dist/strata" */
  recordsDir?: string;
  /** buildx builder per platform, e.g. `{ "linux/arm64": "arm64-native" }`. */
  builders?: Record<string, string>;
}

export const STRATA_CONFIG_GLOB = '**/strata.json';

export const createNodes: CreateNodes<StrataPluginOptions> = [
  STRATA_CONFIG_GLOB,
  (configFiles, options, context) => createNodesFromFiles(createNodesForStrataConfig, configFiles, options ?? {}, context),
];

/** Nx's name for the same tuple in the plugin API of versions 20-21. */
export const createNodesV2 = createNodes;

function createNodesForStrataConfig(configFile: string, rawOptions: StrataPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  const options = normalizeOptions(rawOptions);
  const config = loadStrataConfig(join(context.workspaceRoot, configFile), configFile);
  const models = new Map<string, DockerfileModel>();
  const readDockerfile = (file: string) => {
    if (!models.has(file)) models.set(file, parseDockerfile(readFileSync(join(context.workspaceRoot, file), 'utf8'), file));
    return models.get(file)!;
  };
  const tasks = planLayerTasks({ workspaceRoot: context.workspaceRoot, configFile, config, buildTargetName: options.buildTargetName, readDockerfile });
  const inputsByTarget = new Map<string, LayerInputs>(
    tasks.map((task) => [task.targetName, computeLayerInputs(task, readDockerfile(task.dockerfile), { workspaceRoot: context.workspaceRoot, excluded: [options.recordsDir] })]),
  );
  const byTarget = new Map(tasks.map((task) => [task.targetName, task]));
  const chainOf = (task: LayerTask): LayerInputs[] => {
    const chain: LayerInputs[] = [];
    for (let current: LayerTask | undefined = task; current; current = current.parent ? byTarget.get(current.parent.targetName) : undefined) {
      chain.push(inputsByTarget.get(current.targetName)!);
    }
    return chain;
  };

  const targets: Record<string, TargetConfiguration> = {};
  const layerInputs = new Map<string, Array<string | NxInput>>();
  for (const task of tasks) {
    const inputs = layerNxInputs(configFile, chainOf(task));
    layerInputs.set(task.targetName, inputs);
    targets[task.targetName] = buildLayerTarget(task, inputs, options);
  }
  const platforms = [...new Set(tasks.map((task) => task.platform))];
  for (const platform of platforms) {
    const members = tasks.filter((task) => task.platform === platform);
    targets[platformTargetName(options.buildTargetName, platform)] = buildAggregateTarget(
      members,
      layerInputs,
      `Builds every layer of ${config.image} for ${platform} (one architecture per CI runner).`,
    );
  }
  targets[options.buildTargetName] = buildAggregateTarget(tasks, layerInputs, `Builds every layer × variant × platform of ${config.image}.`);

  const project = tasks[0].project;
  const projectRoot = tasks[0].projectRoot;
  return {
    projects: {
      [projectRoot]: {
        name: project,
        root: projectRoot,
        targets,
        metadata: {
          description: `Layered image family ${config.image} (nx-strata)`,
          technologies: ['docker'],
          targetGroups: {
            [options.buildTargetName]: [options.buildTargetName, ...platforms.map((platform) => platformTargetName(options.buildTargetName, platform))],
            ...Object.fromEntries(
              platforms.map((platform) => [`${options.buildTargetName} ${platform}`, tasks.filter((task) => task.platform === platform).map((task) => task.targetName)]),
            ),
          },
        },
      },
    },
  };
}

function buildLayerTarget(task: LayerTask, inputs: Array<string | NxInput>, options: NormalizedPluginOptions): TargetConfiguration<DockerBuildExecutorOptions> {
  const record = recordPath(options.recordsDir, task.project, task.variant, task.layer, platformSlug(task.platform));
  const parentRecord = task.parent ? recordPath(options.recordsDir, task.project, task.variant, task.parent.layer, platformSlug(task.platform)) : undefined;
  const targetOptions: DockerBuildExecutorOptions = {
    configFile: task.configFile,
    image: task.image,
    variant: task.variant,
    layer: task.layer,
    platform: task.platform,
    dockerfile: task.dockerfile,
    context: task.context,
    args: task.args,
    parentArg: task.parentArg,
    record,
    excludedInputs: [options.recordsDir],
  };
  if (task.target) targetOptions.target = task.target;
  if (task.parent) {
    targetOptions.parentRecord = parentRecord;
    targetOptions.parentTarget = task.parent.targetName;
  }
  if (options.registry) targetOptions.registry = options.registry;
  const builder = options.builders[task.platform];
  if (builder) targetOptions.builder = builder;

  return {
    executor: 'nx-strata:docker-build',
    cache: true,
    inputs,
    outputs: [`{workspaceRoot}/${record}`],
    dependsOn: task.parent ? [task.parent.targetName] : [],
    options: targetOptions,
    metadata: {
      description: `Builds layer "${task.layer}" of ${task.image}${task.explicitVariant ? ` (variant ${task.variant})` : ''} for ${task.platform} from ${task.dockerfile}${task.parent ? `, on top of layer "${task.parent.layer}"` : ''}.`,
      technologies: ['docker'],
      help: { command: 'docker buildx build --help', example: { options: { dryRun: true } } },
    },
  };
}

function buildAggregateTarget(members: LayerTask[], layerInputs: Map<string, Array<string | NxInput>>, description: string): TargetConfiguration {
  return {
    executor: 'nx:noop',
    cache: false,
    inputs: unionInputs(members.map((task) => layerInputs.get(task.targetName)!)),
    dependsOn: members.map((task) => task.targetName),
    metadata: {
      description,
      technologies: ['docker'],
      help: { command: 'npx nx-strata inspect --help', example: { args: ['--json'] } },
    },
  };
}

type NormalizedPluginOptions = Required<Omit<StrataPluginOptions, 'registry'>> & Pick<StrataPluginOptions, 'registry'>;

function normalizeOptions(options: StrataPluginOptions | undefined): NormalizedPluginOptions {
  const normalized = { ...options } as NormalizedPluginOptions;
  normalized.buildTargetName ??= 'docker-build';
  normalized.recordsDir ??= 'dist/strata';
  normalized.recordsDir = normalized.recordsDir.replace(/\/+$/, '');
  normalized.builders ??= {};
  return normalized;
}
