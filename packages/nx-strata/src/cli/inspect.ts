import { join, posix } from 'node:path';
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
import type { ImageFamily } from '../model/image-family';
import { buildNamespaces, type BuildNamespaces, type TrustLevel } from '../engines/registry/trust';
import { explainChanges } from './why';
import { layerLinks, type LayerLink } from './layer-links';
import { openWorkspace, type StrataWorkspace } from './workspace';

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
  /** The tasks this layer waits for, and why (`reads dist/apps/api ← api:build outputs`). */
  links: LayerLink[];
  /** Where a run with this environment pushes the layer and takes registry hits from, and why (its trust level). */
  registry: { level: TrustLevel; reason: string; writes: string | null; reads: string[] };
}

export interface InspectCommand {
  cwd: string;
  configFile?: string;
  json: boolean;
  why?: string;
  /** List the binaries (and which platforms this host can build) instead of the layers. */
  binaries?: boolean;
  out: (text: string) => void;
}

type LayerRow = InspectedLayer & { family: ImageFamily; task: LayerTask; keyDetails: LayerKey };

/** The task that declares a workspace-relative path as its output, once the layers are inspected (for `--why`). */
let producers: (path: string) => string | undefined = () => undefined;

/** Nx's project graph, as project configurations by name (runs Nx's graph computation, plugins included). */
async function readProjectGraph(): Promise<Record<string, import('nx/src/devkit-exports').ProjectConfiguration>> {
  const { createProjectGraphAsync } = await import('nx/src/devkit-exports');
  const graph = await createProjectGraphAsync({ exitOnError: false });
  return Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, node.data]));
}

/** `nx-strata inspect`: every layer task (default), why one changed (`--why`), or the binaries (`--binaries`). */
export async function inspect(options: InspectCommand): Promise<number> {
  const workspace = openWorkspace(options.cwd, options.configFile);
  if (workspace.configFiles.length === 0) {
    options.out('no strata.json in this workspace: declare an image family first (see the nx-strata README)');
    return 1;
  }
  if (options.binaries) return printBinaries(await inspectBinaries(workspace), options);
  const layers = await inspectLayers(workspace);
  if (options.why) return explainLayer(layers, options.why, workspace.workspaceRoot, options.out);
  const binaries = await inspectBinaries(workspace);
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
  options.out(formatNamespaces(namespacesOf(workspace)));
  for (const layer of layers) options.out(formatLayer(layer));
  if (binaries.length) {
    options.out(`binaries on this ${hostPlatform()} host:`);
    binaries.forEach((binary) => options.out(formatBinary(binary)));
  }
  return 0;
}

/** What a run in this environment writes and reads (STRATA_TRUST, the CI's variables, the plugin options). */
function namespacesOf(workspace: StrataWorkspace): BuildNamespaces {
  return buildNamespaces(workspace.pluginOptions);
}

function formatNamespaces(namespaces: BuildNamespaces): string {
  if (!namespaces.trusted) return 'registry: none (local mode: layers are built into the local engine)\n';
  return [
    `registry: this run is ${namespaces.level} (${namespaces.reason})`,
    `  pushes to   ${namespaces.write ?? 'nowhere (builds what it does not find into the local engine)'}`,
    `  takes hits from ${namespaces.read.join(', ')}`,
    namespaces.untrusted === namespaces.trusted
      ? '  warning: untrustedRegistry is the trusted namespace itself, so anyone who can run a build can decide what a trusted run publishes'
      : '',
  ]
    .filter(Boolean)
    .join('\n')
    .concat('\n');
}

/** Every layer task with its inputs, current key and last build. */
async function inspectLayers(workspace: StrataWorkspace): Promise<LayerRow[]> {
  const { workspaceRoot } = workspace;
  const hasher = await FileHasher.create();
  const namespaces = namespacesOf(workspace);
  const registry = { level: namespaces.level, reason: namespaces.reason, writes: namespaces.write, reads: namespaces.read };
  const layers: LayerRow[] = [];
  for (const configFile of workspace.configFiles) {
    const family = workspace.family(configFile);
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
        links: [],
        registry,
      });
    }
  }
  const families = [...new Set(layers.map((layer) => layer.family))];
  const linked = await layerLinks(families, workspaceRoot, readProjectGraph);
  for (const layer of layers) {
    layer.links = linked.links.get(layer.task) ?? [];
    layer.warnings.push(...(linked.warnings.get(layer.task) ?? []));
  }
  if (linked.note) layers.forEach((layer) => layer.warnings.push(linked.note!));
  producers = linked.producerOf;
  return layers;
}

/** `--why <target>`: which inputs of that layer task changed since its record was written. */
function explainLayer(layers: LayerRow[], why: string, workspaceRoot: string, out: (text: string) => void): number {
  const wanted = why.includes(':') ? why : undefined;
  const match = layers.find((layer) => (wanted ? `${layer.project}:${layer.target}` === wanted : layer.target === why));
  if (!match) {
    out(`no layer target named "${why}"; run \`nx-strata inspect\` to list them`);
    return 1;
  }
  const parentKey = match.task.parent
    ? (layers.find((layer) => layer.target === match.task.parent!.targetName && layer.project === match.project)?.key ?? null)
    : null;
  const record = readRecord(join(workspaceRoot, match.family.recordOf(match.task)));
  out(
    explainChanges({
      target: `${match.project}:${match.target}`,
      record,
      current: match.keyDetails,
      args: match.task.args,
      parentArg: match.task.parentArg,
      parentKey,
      // A changed file inside another task's outputs is named with that task: the change came from upstream.
      producerOf: (path) => producers(match.task.context === '.' ? path : posix.join(match.task.context, path)),
    }),
  );
  return 0;
}

function printBinaries(binaries: InspectedBinary[], options: InspectCommand): number {
  if (options.json) options.out(JSON.stringify(binaries, null, 2));
  else binaries.forEach((binary) => options.out(formatBinary(binary)));
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

async function inspectBinaries({ workspaceRoot, configFiles }: StrataWorkspace): Promise<InspectedBinary[]> {
  const inspected: InspectedBinary[] = [];
  for (const configFile of configFiles) {
    const config = loadStrataConfig(workspaceRoot, configFile);
    if (!config.binaries) continue;
    checkBinaryPaths(workspaceRoot, configFile, config);
    const projectRoot = posix.dirname(configFile);
    for (const task of planBinaryTasks({
      project: projectName(config, projectRoot, workspaceRoot),
      projectRoot,
      configFile,
      binaries: config.binaries,
    })) {
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
    ...layer.links.filter((link) => link.reason !== 'parent layer').map((link) => `  waits for  ${link.task} (${link.reason})`),
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
