import type { CreateNodes, CreateNodesContext, CreateNodesResult, TargetConfiguration } from 'nx/src/devkit-exports';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { STRATA_CONFIG_GLOB } from '../config/strata-config';
import { gitRemoteNames } from '../utils/branch-names';
import { nodesFromFiles } from './nodes-from-files';
import { planBinaryTasks } from '../model/binary-task';
import { checkBinaryPaths } from '../config/check-binary-paths';
import type { LayerTask } from '../model/layer-task';
import { projectName } from '../model/plan-layer-tasks';
import type { DockerBuildExecutorOptions } from '../executors/docker-build/schema';
import { readImageFamily, type ImageFamily } from '../model/image-family';
import type { ContextReads } from '../dockerfile/context-files';
import { layerNxInputs, unionInputs, type NxInput } from './nx-inputs';
import {
  normalizePluginOptions,
  platformBuildHost,
  trustOptions,
  type NormalizedPluginOptions,
  type StrataPluginOptions,
} from '../config/plugin-options';
import { buildBinaryTargets } from './binary-targets';
import { buildPublishTargets } from './publish-targets';
import { STRATA_VERSION_ACTIONS } from '../release/version-actions-path';
import { SUPPORTED_NX_MAJORS, unsupportedNxProblem, workspaceNxVersion } from '../config/nx-version';
import { buildTestTargets } from './test-targets';
import { buildLintTarget } from './lint-targets';
import { buildScanTargets } from './scan-targets';
import { DOCKER_SCAN, DOCKER_TEST, layerDigestPath, platformTargetName } from '../model/target-names';
import { binaryOutputs, binaryTasksRead, type BinaryOutputs, type TargetDependency } from '../model/task-links';
import { outputSources, rememberFamilies } from './image-dependencies';

export type { StrataPluginOptions };

export { STRATA_CONFIG_GLOB };

/** The workspace's Nx version, read once per workspace in this process. */
const nxVersions = new Map<string, string | undefined>();
function nxVersionOf(workspaceRoot: string): string | undefined {
  if (!nxVersions.has(workspaceRoot)) nxVersions.set(workspaceRoot, workspaceNxVersion(workspaceRoot));
  return nxVersions.get(workspaceRoot);
}

/** The error an Nx the plugin does not serve gets: one sentence with the Nx found and what to do. */
function unsupportedNxError(workspaceRoot: string | undefined): Error {
  const error = new Error(
    unsupportedNxProblem(workspaceNxVersion(workspaceRoot ?? process.cwd())) ??
      `nx-strata supports Nx ${SUPPORTED_NX_MAJORS.first} to ${SUPPORTED_NX_MAJORS.last}, and this Nx calls its plugins the way Nx 19 and older do: upgrade Nx first (\`npx nx migrate latest\`), or remove nx-strata from nx.json's plugins`,
  );
  error.stack = error.message;
  // Nx 19 prints only "Failed to process project graph" without --verbose: the sentence goes to stderr itself too.
  process.stderr.write(`\nnx-strata: ${error.message}\n\n`);
  return error;
}

export const createNodes: CreateNodes<StrataPluginOptions> = [
  STRATA_CONFIG_GLOB,
  async (configFiles, options, context) => {
    // An Nx outside the supported majors (Nx 19 calls the old API with one file, a string; 19.8 reads createNodesV2
    // and would run on): say which Nx is needed, not a stack trace or a half-working graph.
    if (!Array.isArray(configFiles) || unsupportedNxProblem(nxVersionOf(context.workspaceRoot)))
      throw unsupportedNxError(context?.workspaceRoot);
    // Read every family first, then ask git once which of all their COPY sources it ignores (build outputs).
    const families = new Map<string, ImageFamily>();
    const walks = new Map<string, ContextReads>();
    const remotes = gitRemoteNames(context.workspaceRoot);
    for (const configFile of configFiles) {
      try {
        families.set(
          configFile,
          readImageFamily(
            configFile,
            context.workspaceRoot,
            normalizePluginOptions(options, context.nxJsonConfiguration?.defaultBase, remotes),
            walks,
          ),
        );
      } catch {
        // Reported below, per file, with its line and what to do.
      }
    }
    rememberFamilies(families);
    const outputs = await outputSources([...families.values()], context.workspaceRoot);
    const binaries = binaryOutputs([...families.values()], context.workspaceRoot);
    return nodesFromFiles(
      (configFile, rawOptions, nodesContext) =>
        createNodesForStrataConfig(configFile, rawOptions, nodesContext, families.get(configFile), { outputs, binaries, remotes }),
      configFiles,
      options ?? {},
      context,
    );
  },
];

function createNodesForStrataConfig(
  configFile: string,
  rawOptions: StrataPluginOptions | undefined,
  context: CreateNodesContext,
  read: ImageFamily | undefined,
  batch: { outputs: ReadonlySet<string>; binaries: BinaryOutputs; remotes: string[] },
): CreateNodesResult {
  const { outputs } = batch;
  const options = normalizePluginOptions(rawOptions, context.nxJsonConfiguration?.defaultBase, batch.remotes);
  const family = read ?? readImageFamily(configFile, context.workspaceRoot, options);
  const { config, tasks } = family;
  const projectRoot = posix.dirname(configFile);
  const project = projectName(config, projectRoot, context.workspaceRoot);

  const targets: Record<string, TargetConfiguration> = {};
  const targetGroups: Record<string, string[]> = {};
  if (tasks.length) {
    const layerInputs = new Map<string, NxInput[]>();
    for (const task of tasks) {
      const inputs = layerNxInputs(configFile, family.chainOf(task).map(family.inputsOf), baseImageInputs(family, task, options), {
        outputSources: outputs,
        recordsDir: options.recordsDir,
        uses: family.chainOf(task).flatMap((member) => member.uses),
      });
      layerInputs.set(task.targetName, inputs);
      targets[task.targetName] = buildLayerTarget(
        task,
        family,
        inputs,
        options,
        binaryTasksRead(family.inputsOf(task).sources, batch.binaries, project),
        family.inputsOf(task).sources.some((source) => outputs.has(source)),
      );
    }
    const platforms = [...new Set(tasks.map((task) => task.platform))];
    for (const platform of platforms) {
      const members = tasks.filter((task) => task.platform === platform);
      targets[platformTargetName(options, platform)] = buildAggregateTarget(
        members,
        layerInputs,
        `Builds every layer of ${config.image} for ${platform} (one architecture per CI runner).`,
      );
      targetGroups[`${options.buildTargetName} ${platform}`] = members.map((task) => task.targetName);
    }
    targets[options.buildTargetName] = buildAggregateTarget(
      tasks,
      layerInputs,
      `Builds every layer × variant × platform of ${config.image}.`,
    );
    const testTargets = buildTestTargets(family, options);
    Object.assign(targets, testTargets);
    if (Object.keys(testTargets).length) targetGroups[DOCKER_TEST] = Object.keys(testTargets);
    Object.assign(targets, buildLintTarget(family, options));
    const scanTargets = buildScanTargets(family, options);
    Object.assign(targets, scanTargets);
    if (Object.keys(scanTargets).length) targetGroups[DOCKER_SCAN] = Object.keys(scanTargets);
    Object.assign(targets, buildPublishTargets(family, layerInputs, options));
    targetGroups[options.buildTargetName] = [
      options.buildTargetName,
      ...platforms.map((platform) => platformTargetName(options, platform)),
    ];
    targetGroups[options.publishTargetName] = Object.keys(targets).filter(
      (name) => name === options.publishTargetName || name.startsWith(`${options.publishTargetName}--`),
    );
  }
  if (config.binaries) {
    checkBinaryPaths(context.workspaceRoot, configFile, config);
    const binaryTargets = buildBinaryTargets(planBinaryTasks({ project, projectRoot, configFile, binaries: config.binaries }), {
      root: context.workspaceRoot,
      excluded: family.excludedInputs,
    });
    Object.assign(targets, binaryTargets);
    targetGroups.binaries = Object.keys(binaryTargets);
  }

  // nx release versions an image project without a manifest file: its version lives in git tags (or version plans).
  // A project whose package.json has a version keeps Nx's default (it writes the version there; docker-publish reads
  // it); a workspace-root package.json without one is not the image's manifest.
  const release =
    config.layers && !hasPackageVersion(join(context.workspaceRoot, projectRoot, 'package.json'))
      ? { release: { version: { versionActions: STRATA_VERSION_ACTIONS } } }
      : {};
  return {
    projects: {
      [projectRoot]: {
        name: project,
        root: projectRoot,
        ...release,
        targets,
        metadata: {
          description: config.layers
            ? `Layered image family ${config.image} (nx-strata)`
            : `Binaries ${Object.keys(config.binaries ?? {}).join(', ')} (nx-strata)`,
          technologies: ['docker'],
          targetGroups,
        },
      },
    },
  };
}

/** Whether a package.json is there and has a `version` string (never throws). */
function hasPackageVersion(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return typeof (JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown }).version === 'string';
  } catch {
    return false;
  }
}

function buildLayerTarget(
  task: LayerTask,
  family: ImageFamily,
  inputs: NxInput[],
  options: NormalizedPluginOptions,
  binaryTasks: TargetDependency[],
  readsBuildOutputs: boolean,
): TargetConfiguration<DockerBuildExecutorOptions> {
  const record = family.recordOf(task);
  const parent = family.parentOf(task);
  const targetOptions: DockerBuildExecutorOptions = {
    configFile: task.configFile,
    image: task.image,
    variant: task.variant,
    ...(task.explicitVariant ? {} : { explicitVariant: false }),
    layer: task.layer,
    platform: task.platform,
    dockerfile: task.dockerfile,
    context: task.context,
    args: task.args,
    parentArg: task.parentArg,
    record,
    excludedInputs: family.excludedInputs,
  };
  if (task.target) targetOptions.target = task.target;
  if (parent) {
    targetOptions.parentRecord = family.recordOf(parent);
    targetOptions.parentTarget = parent.targetName;
  }
  if (options.pinBaseImages) targetOptions.pinBaseImages = true;
  if (!options.registryCache) targetOptions.registryCache = false;
  Object.assign(targetOptions, trustOptions(options));
  Object.assign(targetOptions, platformBuildHost(options.builders, task.platform));

  return {
    executor: 'nx-strata:docker-build',
    cache: true,
    inputs,
    outputs: [`{workspaceRoot}/${record}`, `{workspaceRoot}/${layerDigestPath(record)}`],
    // The parent layer, and for a layer that copies a build output, the build targets of the projects the image
    // depends on (the project edges of createDependencies): `api:build` runs before the layer that copies
    // dist/apps/api, while layers that read only sources start at once (a batch of layer tasks splits into waves).
    dependsOn: [
      ...(task.parent ? [task.parent.targetName] : []),
      ...(readsBuildOutputs ? options.followTargets.map((target) => ({ dependencies: true, target })) : []),
      // The binary builds whose outputs this layer copies: for its own platform only, once TARGETARCH is expanded.
      ...binaryTasks,
      // The tasks strata.json says this layer packages (`uses`).
      ...task.uses.map((use) => ({ projects: [use.project], target: use.target })),
    ],
    options: targetOptions,
    metadata: {
      description: `Builds layer "${task.layer}" of ${task.image}${task.explicitVariant ? ` (variant ${task.variant})` : ''} for ${task.platform} from ${task.dockerfile}${task.parent ? `, on top of layer "${task.parent.layer}"` : ''}.`,
      technologies: ['docker'],
      help: { command: 'docker buildx build --help', example: { options: { dryRun: true } } },
    },
  };
}

function buildAggregateTarget(members: LayerTask[], layerInputs: Map<string, NxInput[]>, description: string): TargetConfiguration {
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

/**
 * With `pinBaseImages`, each external base image given by tag becomes a runtime input: Nx runs the resolver on
 * every hash and a new upstream digest changes the task hash (and, in the executor, the layer key).
 */
function baseImageInputs(family: ImageFamily, task: LayerTask, options: NormalizedPluginOptions): NxInput[] {
  if (!options.pinBaseImages) return [];
  // The digest of the tag as a whole (an index for a multi-platform image): any platform's update changes it.
  const unpinned = family.chainOf(task).flatMap((member) =>
    family
      .inputsOf(member)
      .externalImages.filter((image) => !image.pinned)
      .map((image) => image.ref),
  );
  return [...new Set(unpinned)].map((ref) => ({ runtime: `node node_modules/nx-strata/bin/nx-strata.js resolve-digest ${ref}` }));
}
