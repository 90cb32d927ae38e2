import { join, posix } from 'node:path';
import { analyzeDockerfile, type ExternalImage } from './analyze-dockerfile';
import { realWorkspaceRoot } from '../config/workspace-paths';
import { listContextReads, type SpecialEntry } from './context-files';
import type { DockerfileModel } from './dockerfile-model';
import { findDockerignore, loadDockerignore } from './dockerignore';

/** Everything one layer reads, computed before building. Paths are workspace-relative unless named otherwise. */
export interface LayerInputs {
  dockerfile: string;
  /** The .dockerignore that applies (per-Dockerfile or the context's), if any. */
  dockerignore?: string;
  /** Files read from the build context, context-relative, sorted (this is what the layer key hashes). */
  contextFiles: string[];
  /** The context files that are symlinks or special files (context-relative): keyed by what they are, never opened. */
  special: Record<string, SpecialEntry>;
  /** Same files, workspace-relative. */
  files: string[];
  /** Exact, compact description of `files` for Nx inputs: whole directories and single files. */
  cover: { directories: string[]; files: string[] };
  /**
   * Every path the Dockerfile names as a context source (COPY/ADD/bind mount), workspace-relative, as written after
   * ARG expansion: what the layer reads whether or not it exists yet (a build output on a clean checkout).
   */
  sources: string[];
  /** Context sources that match nothing (docker would fail). */
  missing: string[];
  externalImages: ExternalImage[];
  warnings: string[];
}

/** What decides the inputs of one layer build: a LayerTask has all of it. Paths are workspace-relative. */
export interface LayerBuildSettings {
  dockerfile: string;
  context: string;
  args: Record<string, string>;
  target?: string;
  platform: string;
  parentArg: string;
}

export interface LayerInputsOptions {
  workspaceRoot: string;
  /** Workspace-relative paths that are never inputs (Nx's cache and workspace data, nx-strata's records and history). */
  excluded?: string[];
}

export function computeLayerInputs(task: LayerBuildSettings, model: DockerfileModel, options: LayerInputsOptions): LayerInputs {
  const contextAbsolute = join(options.workspaceRoot, task.context);
  const analysis = analyzeDockerfile(model, {
    buildArgs: task.args,
    target: task.target,
    platform: task.platform,
    parentArg: task.parentArg,
  });
  const dockerignoreAbsolute = findDockerignore(join(options.workspaceRoot, task.dockerfile), contextAbsolute);
  const dockerignore = dockerignoreAbsolute
    ? posix.relative(options.workspaceRoot.split('\\').join('/'), dockerignoreAbsolute.split('\\').join('/'))
    : undefined;
  const ignore = loadDockerignore(options.workspaceRoot, dockerignore);
  const excluded = (options.excluded ?? [])
    .map((path) => relativeTo(task.context, path))
    .filter((path): path is string => path !== undefined);
  const reads = listContextReads(
    contextAbsolute,
    analysis.contextSources.map((source) => source.path),
    ignore,
    { excluded, workspaceRoot: realWorkspaceRoot(options.workspaceRoot) },
  );
  const toWorkspace = (path: string) => (path === '.' ? task.context : posix.join(task.context, path));
  const files = reads.files.map(toWorkspace);
  return {
    dockerfile: task.dockerfile,
    dockerignore,
    contextFiles: reads.files,
    special: reads.special,
    files,
    cover: { directories: reads.cover.directories.map(toWorkspace), files: reads.cover.files.map(toWorkspace) },
    sources: [...new Set(analysis.contextSources.map((source) => toWorkspace(source.path)))].sort(),
    missing: reads.missing,
    externalImages: analysis.externalImages,
    warnings: [
      ...analysis.warnings,
      ...sentByAccident(task.context, files, reads.excludedReached.map(toWorkspace), dockerignore),
      ...sentBesides(task, files, dockerignore),
    ],
  };
}

/**
 * Warnings for what a context sends that no image wants: the repository's `.git/` (every commit changes the key, the
 * history lands in the image) and Nx's `.nx/` (caches leak into the image; nx-strata leaves it out of the key, but
 * Docker still sends it), each with the .dockerignore line that stops it.
 */
function sentByAccident(context: string, files: string[], excludedReached: string[], dockerignore: string | undefined): string[] {
  const where = dockerignore ?? (context === '.' ? '.dockerignore' : `${context}/.dockerignore`);
  const line = (directory: string) => relativeTo(context, directory) ?? directory;
  const warnings: string[] = [];
  const git = files.find((file) => file === '.git' || file.startsWith('.git/') || file.includes('/.git/'));
  if (git !== undefined) {
    const directory = git.slice(0, git.indexOf('.git') + 4);
    warnings.push(
      `build context "${context}" sends ${directory}/ into the image: every commit changes this layer's key and the repository history lands in the image. Add "${line(directory)}" to ${where}`,
    );
  }
  for (const directory of excludedReached) {
    const what =
      directory === '.nx' || directory.startsWith('.nx/') ? "Nx's workspace data and cache" : "Nx's cache or nx-strata's build records";
    warnings.push(
      `build context "${context}" sends ${directory}/ into the image: ${what} leak into it, and Docker sends files that nx-strata leaves out of the key. Add "${line(directory)}" to ${where}`,
    );
  }
  return warnings;
}

/** Folders of installed dependencies: a package manager fills them, no image means to copy them from the host. */
const DEPENDENCY_FOLDERS = new Set(['node_modules', 'bower_components', '.pnpm-store', '.venv', 'venv', '__pypackages__']);
/** Folders of tools' caches, gitignored wherever they appear. */
const CACHE_FOLDERS = new Set([
  '.angular',
  '.turbo',
  '.parcel-cache',
  '.cache',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '__pycache__',
  '.gradle',
  '.eslintcache',
  '.svelte-kit',
]);

/**
 * Warnings for a context wider than its image (a `COPY . .` at the repository root): installed dependencies, tools'
 * caches and the files of other images (a directory holding another strata.json) are sent, hashed and copied. The
 * inputs are right (Docker sends them), so each warning says how many files and gives the .dockerignore line.
 */
function sentBesides(task: LayerBuildSettings, files: string[], dockerignore: string | undefined): string[] {
  const where = dockerignore ?? (task.context === '.' ? '.dockerignore' : `${task.context}/.dockerignore`);
  const folders = new Map<string, { files: number; nested: boolean }>();
  const images = new Set<string>();
  for (const file of files) {
    const parts = (relativeTo(task.context, file) ?? file).split('/');
    const index = parts.findIndex((part, at) => at < parts.length - 1 && (DEPENDENCY_FOLDERS.has(part) || CACHE_FOLDERS.has(part)));
    if (index >= 0) {
      // One warning per kind of folder: `**/node_modules` covers every package's own.
      const folder = folders.get(parts[index]) ?? { files: 0, nested: false };
      folders.set(parts[index], { files: folder.files + 1, nested: folder.nested || index > 0 });
    } else if (posix.basename(file) === 'strata.json') {
      const image = posix.dirname(file);
      if (image !== '.' && !task.dockerfile.startsWith(`${image}/`)) images.add(image);
    }
  }
  const count = (n: number) => `${n.toLocaleString('en-US')} file${n === 1 ? '' : 's'}`;
  const warnings = [...folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, folder]) => {
      const pattern = folder.nested ? `**/${name}` : name;
      return DEPENDENCY_FOLDERS.has(name)
        ? `build context "${task.context}" sends ${name}/ (${count(folder.files)}): installed dependencies go into the image and into its key, so every install rebuilds this layer. Install them in the Dockerfile instead, and add "${pattern}" to ${where}`
        : `build context "${task.context}" sends ${name}/ (${count(folder.files)}), a tool's cache: it changes with every local run and rebuilds this layer. Add "${pattern}" to ${where}`;
    });
  for (const image of [...images].sort()) {
    const sent = files.filter((file) => file.startsWith(`${image}/`)).length;
    warnings.push(
      `build context "${task.context}" sends ${image}/ (${count(sent)}), the files of another image (${image}/strata.json): a change there rebuilds this layer too, and the images depend on each other. Add "${relativeTo(task.context, image) ?? image}" to ${where}`,
    );
  }
  return warnings;
}

/** `path` relative to `directory` when inside it ('.' for the directory itself), else undefined. */
function relativeTo(directory: string, path: string): string | undefined {
  if (directory === '.' || directory === '') return path;
  if (path === directory) return '.';
  return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : undefined;
}
