import type { ProjectConfiguration } from 'nx/src/devkit-exports';
import { posix } from 'node:path';
import { planBinaryTasks } from './binary-task';
import type { ImageFamily } from './image-family';
import { projectName } from './plan-layer-tasks';

/**
 * How a layer is linked to the tasks of other projects: the binaries it copies, and the declared outputs it reads.
 * Pure: the plugin (targets, graph edges) and `nx-strata inspect` (the links it shows) both read these.
 */

/** Where each binary of the workspace is built to (workspace-relative) and the task that builds it. */
export type BinaryOutputs = Map<string, { project: string; target: string }>;

/** A `dependsOn` entry: a target of this project, or of another one. */
export type TargetDependency = string | { projects: string[]; target: string };

/** The binary outputs every strata.json of this pass declares. */
export function binaryOutputs(families: ImageFamily[], workspaceRoot: string): BinaryOutputs {
  const outputs: BinaryOutputs = new Map();
  for (const family of families) {
    if (!family.config.binaries) continue;
    const projectRoot = posix.dirname(family.configFile);
    const project = projectName(family.config, projectRoot, workspaceRoot);
    for (const task of planBinaryTasks({ project, projectRoot, configFile: family.configFile, binaries: family.config.binaries })) {
      outputs.set(task.output, { project, target: task.buildTarget });
    }
  }
  return outputs;
}

/**
 * The binary build tasks whose outputs a layer copies: `COPY dist/bin/tool-linux-${TARGETARCH}` on linux/arm64 reads
 * the output of `binary-build--tool--linux-arm64` only; `COPY dist/bin/` reads every binary built there.
 */
export function binaryTasksRead(sources: string[], binaries: BinaryOutputs, project: string): TargetDependency[] {
  const tasks = new Map<string, TargetDependency>();
  for (const source of sources) {
    for (const [output, task] of binaries) {
      if (output !== source && !output.startsWith(`${source}/`) && source !== '.') continue;
      tasks.set(
        `${task.project}:${task.target}`,
        task.project === project ? task.target : { projects: [task.project], target: task.target },
      );
    }
  }
  return [...tasks.values()];
}

/** A target output, resolved to the literal path it names, and who declares it. */
export interface DeclaredOutput {
  project: string;
  target: string;
  path: string;
}

/** Every target output of every project, as the literal directory or file it names (globs cut at the first wildcard). */
export function declaredOutputs(projects: Record<string, ProjectConfiguration>): DeclaredOutput[] {
  const outputs: DeclaredOutput[] = [];
  for (const [name, project] of Object.entries(projects)) {
    for (const [targetName, target] of Object.entries(project.targets ?? {})) {
      for (const output of target.outputs ?? []) {
        const path = resolveOutput(output, name, normalizeRoot(project.root), (target.options ?? {}) as Record<string, unknown>);
        if (path !== undefined) outputs.push({ project: name, target: targetName, path });
      }
    }
  }
  return outputs;
}

/** `{workspaceRoot}/dist/{projectRoot}` → `dist/apps/api`; undefined for what cannot be resolved or names no path. */
function resolveOutput(output: string, projectName: string, projectRoot: string, options: Record<string, unknown>): string | undefined {
  if (output.startsWith('!')) return undefined;
  let path = output
    .replace(/\{workspaceRoot\}\/?/g, '')
    .replace(/\{projectRoot\}/g, projectRoot)
    .replace(/\{projectName\}/g, projectName)
    .replace(/\{options\.([^}]+)\}/g, (_match, key: string) => (typeof options[key] === 'string' ? (options[key] as string) : '\0'));
  if (path.includes('\0') || path.includes('{')) return undefined;
  const wildcard = path.search(/[*?[]/);
  if (wildcard !== -1) path = path.slice(0, wildcard);
  path = posix.normalize(path.replace(/^\.\//, '')).replace(/\/+$/, '');
  return path === '' || path === '.' || path.startsWith('..') ? undefined : path;
}

/** Whether a workspace-relative `path` is `directory` or below it (`''` is the workspace root). */
export function isWithin(path: string, directory: string): boolean {
  return directory === '' || path === directory || path.startsWith(`${directory}/`);
}

/** Whether a path a layer reads and a declared output overlap (one holds the other). */
export function overlaps(path: string, output: string): boolean {
  return path === '.' || isWithin(path, output) || isWithin(output, path);
}

export function normalizeRoot(root: string): string {
  return root === '.' ? '' : root.replace(/\/+$/, '');
}

/**
 * The sources a layer reads that git ignores and no task declares as its output (nor a binary build): on a fresh clone
 * they are not there. Each with the warning that says so and what to do.
 */
export function unproducedSources(sources: string[], ignored: ReadonlySet<string>, outputs: DeclaredOutput[]): string[] {
  return sources
    .filter((source) => ignored.has(source) && !outputs.some((output) => source === output.path || source.startsWith(`${output.path}/`)))
    .map(
      (source) =>
        `reads ${source}, which git ignores and no task declares among its outputs: a fresh clone (a CI runner) does not have it. Add it to the outputs of the target that writes it, or name that task in "uses"`,
    );
}
