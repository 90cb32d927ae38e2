import { join, posix, relative, resolve } from 'node:path';
import { planBinaryTasks } from '../model/binary-task';
import { buildCapability } from '../binaries/build-capability';
import { hostPlatform } from '../binaries/host';
import { checkBinaryPaths } from '../config/check-binary-paths';
import { loadStrataConfig } from '../config/load-strata-config';
import { projectName } from '../model/plan-layer-tasks';
import type { LayerTask } from '../model/layer-task';
import { readRecord } from '../model/layer-record';
import { FileHasher } from '../hash/file-hasher';
import { familyKeys } from '../model/family-keys';
import type { LayerKey } from '../hash/layer-key';
import { readImageFamily, type ImageFamily } from '../model/image-family';
import { explainChanges } from './why';
import { findStrataConfigs, findWorkspaceRoot, readPluginOptions } from './workspace';

/** One layer task as `inspect --json` prints it. */
export interface InspectedLayer {
  project: string;
  target: string;
  variant: string;
  layer: string;
  platform: string;
  dockerfile: string;
  context: string;
  parent: string | null;
  /** Context files this layer itself reads (not its ancestors'), workspace-relative, sorted. */
  inputs: string[];
  key: string;
  externalImages: Array<{ ref: string; pinned: boolean }>;
  warnings: string[];
  lastBuild: { key: string; digest: string; builtAt: string } | null;
  upToDate: boolean;
}

export interface InspectOptions {
  cwd: string;
  configFile?: string;
  json: boolean;
  why?: string;
  /** List the binaries (and which platforms this host can build) instead of the layers. */
  binaries?: boolean;
  out: (text: string) => void;
}

export async function inspect(options: InspectOptions): Promise<number> {
  const workspaceRoot = findWorkspaceRoot(options.cwd);
  const pluginOptions = readPluginOptions(workspaceRoot);
  const configFiles = options.configFile
    ? [relative(workspaceRoot, resolve(options.cwd, options.configFile)).split('\\').join('/')]
    : findStrataConfigs(workspaceRoot);
  if (configFiles.length === 0) {
    options.out('no strata.json in this workspace: declare an image family first (see the nx-strata README)');
    return 1;
  }
  const hasher = await FileHasher.create();
  const layers: Array<InspectedLayer & { family: ImageFamily; task: LayerTask; keyDetails: LayerKey }> = [];
  for (const configFile of configFiles) {
    const family = readImageFamily(configFile, workspaceRoot, pluginOptions);
    const keys = familyKeys(family, workspaceRoot, hasher);
    for (const task of family.tasks) {
      const inputs = family.inputsOf(task);
      const keyDetails = keys.get(task.targetName)!;
      const record = readRecord(join(workspaceRoot, family.recordOf(task)));
      layers.push({
        family,
        task,
        keyDetails,
        project: task.project,
        target: task.targetName,
        variant: task.variant,
        layer: task.layer,
        platform: task.platform,
        dockerfile: task.dockerfile,
        context: task.context,
        parent: task.parent?.targetName ?? null,
        inputs: inputs.files,
        key: keyDetails.key,
        externalImages: inputs.externalImages.map((image) => ({ ref: image.ref, pinned: image.pinned })),
        warnings: [
          ...inputs.warnings,
          ...inputs.missing.map((path) => `reads "${path}" from context "${task.context}", which has no such file`),
        ],
        lastBuild: record ? { key: record.key, digest: record.digest, builtAt: record.builtAt } : null,
        upToDate: record?.key === keyDetails.key,
      });
    }
  }

  if (options.why) {
    const wanted = options.why.includes(':') ? options.why : undefined;
    const match = layers.find((layer) => (wanted ? `${layer.project}:${layer.target}` === wanted : layer.target === options.why));
    if (!match) {
      options.out(`no layer target named "${options.why}"; run \`nx-strata inspect\` to list them`);
      return 1;
    }
    const parentKey = match.task.parent
      ? (layers.find((layer) => layer.target === match.task.parent!.targetName && layer.project === match.project)?.key ?? null)
      : null;
    const record = readRecord(join(workspaceRoot, match.family.recordOf(match.task)));
    options.out(
      explainChanges({
        target: `${match.project}:${match.target}`,
        record,
        current: match.keyDetails,
        args: match.task.args,
        parentArg: match.task.parentArg,
        parentKey,
      }),
    );
    return 0;
  }

  const binaries = await inspectBinaries(workspaceRoot, configFiles);
  if (options.binaries) {
    if (options.json) options.out(JSON.stringify(binaries, null, 2));
    else binaries.forEach((binary) => options.out(formatBinary(binary)));
    return 0;
  }

  if (options.json) {
    options.out(
      JSON.stringify(
        layers.map(({ family: _family, task: _task, keyDetails: _keyDetails, ...layer }) => layer),
        null,
        2,
      ),
    );
    return 0;
  }
  for (const layer of layers) options.out(formatLayer(layer));
  if (binaries.length) {
    options.out(`binaries on this ${hostPlatform()} host:`);
    binaries.forEach((binary) => options.out(formatBinary(binary)));
  }
  return 0;
}

/** One (binary, platform) as `inspect --binaries --json` prints it. */
export interface InspectedBinary {
  project: string;
  binary: string;
  platform: string;
  preset: string;
  target: string;
  output: string;
  buildable: boolean;
  reason?: string;
}

async function inspectBinaries(workspaceRoot: string, configFiles: string[]): Promise<InspectedBinary[]> {
  const inspected: InspectedBinary[] = [];
  for (const configFile of configFiles) {
    const config = loadStrataConfig(workspaceRoot, configFile);
    if (!config.binaries) continue;
    checkBinaryPaths(workspaceRoot, configFile, config);
    const projectRoot = posix.dirname(configFile);
    for (const task of planBinaryTasks({ project: projectName(config, projectRoot), projectRoot, configFile, binaries: config.binaries })) {
      const capability = await buildCapability(task);
      inspected.push({
        project: task.project,
        binary: task.name,
        platform: task.platform,
        preset: task.config.preset,
        target: task.buildTarget,
        output: task.output,
        buildable: capability.ok,
        ...(capability.ok ? {} : { reason: capability.reason }),
      });
    }
  }
  return inspected;
}

function formatBinary(binary: InspectedBinary): string {
  return `  ${binary.buildable ? 'can build ' : 'cannot   '} ${binary.project}:${binary.target} (${binary.preset}) → ${binary.output}${binary.reason ? `: ${binary.reason}` : ''}`;
}

function formatLayer(layer: InspectedLayer): string {
  const lines = [
    `${layer.project}:${layer.target}`,
    `  layer ${layer.layer}, variant ${layer.variant}, ${layer.platform}`,
    `  dockerfile ${layer.dockerfile} (context ${layer.context})`,
    `  parent     ${layer.parent ?? '(none)'}`,
    `  key        ${layer.key} ${layer.lastBuild ? (layer.upToDate ? '(up to date)' : `(last built ${layer.lastBuild.key}: changed; see --why ${layer.target})`) : '(never built here)'}`,
    `  inputs     ${layer.inputs.length} context file${layer.inputs.length === 1 ? '' : 's'}${layer.inputs.length ? ':' : ''}`,
    ...layer.inputs.map((file) => `    ${file}`),
    ...layer.externalImages.map(
      (image) =>
        `  from       ${image.ref}${image.pinned ? '' : '  (not pinned: a new upstream image under this tag will not rebuild this layer; pin it with @sha256 or set pinBaseImages)'}`,
    ),
    ...layer.warnings.map((warning) => `  warning    ${warning}`),
  ];
  return lines.join('\n');
}
