import type { CreateDependencies, CreateDependenciesContext, RawProjectGraphDependency } from 'nx/src/devkit-exports';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { failAtConfigPath } from '../config/load-strata-config';
import { normalizePluginOptions, type StrataPluginOptions } from '../config/plugin-options';
import { gitIgnoredPaths } from '../engines/git-ignored';
import { readImageFamily, type ImageFamily } from '../model/image-family';
import { unmadeSources } from '../dockerfile/unmade-sources';
import { declaredOutputs, normalizeRoot, type DeclaredOutput } from '../model/task-links';
import { pathToAny } from './task-cycle';

/**
 * Families read by the last `createNodes` pass, so `createDependencies` (which Nx calls right after, in the same plugin
 * process) does not read and walk every strata.json again. Replaced on every pass; a miss just reads the file.
 */
let remembered = new Map<string, ImageFamily>();

/** Called by each createNodes pass: what it reads replaces everything an older pass read. */
export function rememberFamilies(families: Map<string, ImageFamily>): void {
  remembered = families;
}

/** Every path the layers of a family read, workspace-relative: the files found and the COPY sources as written. */
/** Every COPY source of the family's layers, workspace-relative (files or directories). */
function readSources(family: ImageFamily): Set<string> {
  return new Set(family.tasks.flatMap((task) => family.inputsOf(task).sources));
}

/** The files one context walk sends, by directory ('' for the workspace root), with their set; one per walk. */
interface SentFiles {
  byDirectory: Map<string, string[]>;
  all: Set<string>;
}

const sentFiles = new WeakMap<readonly string[], SentFiles>();

/** The distinct file lists of the family's layers (layers sharing a walk share the list), each grouped once. */
function filesSent(family: ImageFamily): SentFiles[] {
  const lists = new Set(family.tasks.map((task) => family.inputsOf(task).files));
  return [...lists].map((files) => {
    let grouped = sentFiles.get(files);
    if (!grouped) {
      const byDirectory = new Map<string, string[]>();
      for (const file of files) {
        const slash = file.lastIndexOf('/');
        const directory = slash === -1 ? '' : file.slice(0, slash);
        const group = byDirectory.get(directory);
        if (group) group.push(file);
        else byDirectory.set(directory, [file]);
      }
      grouped = { byDirectory, all: new Set(files) };
      sentFiles.set(files, grouped);
    }
    return grouped;
  });
}

/**
 * The COPY sources of the families that are build outputs rather than sources: not there (a clean checkout) or ignored by
 * git. Their inputs come from the COPY path itself and from the outputs of the tasks the layer depends on.
 */
export async function outputSources(families: ImageFamily[], workspaceRoot: string): Promise<Set<string>> {
  const sources = [...new Set(families.flatMap((family) => family.tasks.flatMap((task) => family.inputsOf(task).sources)))].filter(
    (source) => source !== '.',
  );
  const missing = sources.filter((source) => !existsSync(join(workspaceRoot, source)));
  const ignored = await gitIgnoredPaths(
    workspaceRoot,
    sources.filter((source) => !missing.includes(source)),
  );
  return new Set([...missing, ...ignored]);
}

/**
 * Project edges from each image project to every project that owns a file its layers read, or whose target
 * `outputs` hold one (`api-image → api` for a layer that copies dist/apps/api): `nx graph` shows them, project-level
 * affected follows them, and the layers' `dependsOn: ^build` runs those builds first.
 */
export const createDependencies: CreateDependencies<StrataPluginOptions> = (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  const dependencies: RawProjectGraphDependency[] = [];
  const owners = new PathIndex(
    Object.entries(context.projects).map(([name, project]) => ({ path: normalizeRoot(project.root), project: name })),
  );
  const outputs = new PathIndex(declaredOutputs(context.projects));
  const declared = outputs.entries();
  const byDirectory = new Map<string, string[]>();
  const withUses: Array<{ name: string; family: ImageFamily }> = [];
  for (const [name, project] of Object.entries(context.projects)) {
    const configFile = project.root === '.' || project.root === '' ? 'strata.json' : posix.join(project.root, 'strata.json');
    if (!isImageProject(project) || !existsSync(join(context.workspaceRoot, configFile))) continue;
    let family: ImageFamily;
    try {
      family = remembered.get(configFile) ?? readImageFamily(configFile, context.workspaceRoot, options);
    } catch {
      continue; // createNodes has reported it, naming the file and line
    }
    // A COPY source nothing makes would leave the layer with inputs no change touches: refused here, with the fix.
    refuseUnproducedSources(family, context.workspaceRoot, outputs);
    // A `uses` naming a task that does not exist stops graph creation here, with the strata.json line.
    const targets = new Set<string>();
    const add = (projects: Iterable<string>) => {
      for (const project of projects) if (project !== name) targets.add(project);
    };
    // COPY sources (files or directories) each; the files a context sends by their directory, asked once per
    // computation: a whole-repository context sends tens of thousands of files from a few thousand directories.
    for (const path of readSources(family)) {
      const owner = owners.deepestAbove(path);
      if (owner) add([owner.project]);
      add(outputs.overlapping(path).map((output) => output.project));
    }
    for (const sent of filesSent(family)) {
      for (const directory of sent.byDirectory.keys()) {
        let projects = byDirectory.get(directory);
        if (!projects) {
          const owner = owners.deepestAbove(directory);
          projects = [...(owner ? [owner.project] : []), ...outputs.atOrAbove(directory).map((output) => output.project)];
          byDirectory.set(directory, projects);
        }
        add(projects);
      }
      // An output declared as a single file the context sends.
      for (const output of declared) if (sent.all.has(output.path)) add([output.project]);
    }
    for (const use of checkUses(family, context)) targets.add(use);
    if (Object.values(family.config.layers ?? {}).some((layer) => layer.uses?.length)) withUses.push({ name, family });
    for (const target of targets)
      dependencies.push({ source: name, target, type: 'static' as RawProjectGraphDependency['type'], sourceFile: configFile });
  }
  const projectEdges = new Map<string, Set<string>>();
  for (const { source, target } of dependencies) projectEdges.set(source, (projectEdges.get(source) ?? new Set()).add(target));
  for (const { name, family } of withUses) refuseUsesCycles(name, family, context, projectEdges);
  return dependencies;
};

/**
 * A layer cannot package a task that waits for the layer itself (`uses: ["api-image:docker-build"]`, or two images each
 * using the other): Nx would only find the cycle when the tasks run. Refused here, at the `uses` entry, with the path.
 */
function refuseUsesCycles(
  name: string,
  family: ImageFamily,
  context: CreateDependenciesContext,
  projectEdges: Map<string, Set<string>>,
): void {
  for (const [layer, settings] of Object.entries(family.config.layers ?? {})) {
    const goals = new Set(family.tasks.filter((task) => task.layer === layer).map((task) => `${name}:${task.targetName}`));
    (settings.uses ?? []).forEach((use, index) => {
      const path = pathToAny(use, goals, context.projects, projectEdges);
      if (!path) return;
      failAtConfigPath(
        family.config,
        family.configFile,
        ['layers', layer, 'uses', index],
        `layer "${layer}" uses "${use}", which waits for this layer: ${path.join(' → ')} (a cycle Nx cannot run)`,
        `remove "${use}" from uses, or the dependsOn that leads back to the layer`,
      );
    });
  }
}

/**
 * A COPY/ADD source that exists nowhere and that no target declares among its outputs (a context a script assembles
 * and pipes to Docker, a build output nobody declares): the layer's inputs would hold none of the files that make it,
 * so no change would ever select or rebuild it. Refused at graph time, at the layer in strata.json, naming the layer,
 * its platform, the path and the fix. A source that exists but `.dockerignore` excludes is left to the build's error,
 * and one git ignores (a build output) to the warning of inspect and the build.
 */
function refuseUnproducedSources(family: ImageFamily, workspaceRoot: string, outputs: PathIndex<DeclaredOutput>): void {
  for (const task of family.tasks) {
    for (const { source, path } of unmadeSources(workspaceRoot, task.context, family.inputsOf(task).missing)) {
      if (outputs.overlapping(path).length) continue;
      failAtConfigPath(
        family.config,
        family.configFile,
        ['layers', task.layer],
        `layer "${task.layer}" (${task.explicitVariant ? `variant ${task.variant}, ` : ''}${task.platform}): ${task.dockerfile} copies "${source}" from context "${task.context}", and ${path} exists nowhere and no target declares it among its outputs, so no change to what makes it would ever rebuild the layer`,
        `declare the step that writes it: add "uses": ["<project>:<target>"] naming the target that writes ${path}, with ${path} in that target's "outputs" (then the layer's inputs follow the producer's), or fix the COPY source or "context"`,
      );
    }
  }
}

/**
 * The projects named by `uses`, each checked against the graph: an unknown project or target is a clear error naming
 * the strata.json key, its line and column, and what there is.
 */
function checkUses(family: ImageFamily, context: CreateDependenciesContext): string[] {
  const projects: string[] = [];
  for (const [layer, settings] of Object.entries(family.config.layers ?? {})) {
    (settings.uses ?? []).forEach((use, index) => {
      const [project, target] = use.split(':');
      const at = ['layers', layer, 'uses', index];
      const known = context.projects[project];
      if (!known) {
        failAtConfigPath(
          family.config,
          family.configFile,
          at,
          `layer "${layer}" uses "${use}", but there is no project "${project}"`,
          `use one of: ${Object.keys(context.projects).sort().join(', ')}`,
        );
      }
      if (!known.targets?.[target]) {
        failAtConfigPath(
          family.config,
          family.configFile,
          at,
          `layer "${layer}" uses "${use}", but project "${project}" has no target "${target}"`,
          `use one of its targets: ${
            Object.keys(known.targets ?? {})
              .sort()
              .join(', ') || '(none)'
          }`,
        );
      }
      projects.push(project);
    });
  }
  return projects;
}

function isImageProject(project: { targets?: Record<string, { executor?: string }> }): boolean {
  return Object.values(project.targets ?? {}).some((target) => target.executor === 'nx-strata:docker-build');
}

/**
 * Paths (project roots, declared outputs) indexed for the two questions createDependencies asks of every path a layer
 * reads: which entry holds it most closely, and which entries overlap it (hold it, or lie below it). A lookup walks the
 * path's own ancestors and a sorted range, so thousands of projects cost no more than a few.
 */
class PathIndex<Entry extends { path: string; project: string }> {
  private readonly byPath = new Map<string, Entry[]>();
  private readonly sorted: string[];

  constructor(entries: Entry[]) {
    for (const entry of entries) this.byPath.set(entry.path, [...(this.byPath.get(entry.path) ?? []), entry]);
    this.sorted = [...this.byPath.keys()].sort();
  }

  /** The entry at `path` or at its nearest ancestor ('' is the workspace root). */
  deepestAbove(path: string): Entry | undefined {
    for (const candidate of ancestorsOf(path)) {
      const found = this.byPath.get(candidate);
      if (found) return found[0];
    }
    return undefined;
  }

  /** Every entry. */
  entries(): Entry[] {
    return [...this.byPath.values()].flat();
  }

  /** Every entry at `path` or above it. */
  atOrAbove(path: string): Entry[] {
    return ancestorsOf(path).flatMap((candidate) => (candidate === '' ? [] : (this.byPath.get(candidate) ?? [])));
  }

  /** Every entry at `path`, above it, or below it (`.` overlaps everything). */
  overlapping(path: string): Entry[] {
    if (path === '.' || path === '') return this.entries();
    const found = this.atOrAbove(path);
    const prefix = `${path}/`;
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.sorted[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < this.sorted.length && this.sorted[index].startsWith(prefix); index++)
      found.push(...this.byPath.get(this.sorted[index])!);
    return found;
  }
}

/** `a/b/c` → `a/b/c`, `a/b`, `a`, `` (the workspace root last). */
function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  return [...parts.map((_part, index) => parts.slice(0, parts.length - index).join('/')), ''];
}
