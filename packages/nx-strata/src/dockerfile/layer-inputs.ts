import { join, posix } from 'node:path';
import { analyzeDockerfile, type ExternalImage } from './analyze-dockerfile';
import { realWorkspaceRoot } from '../config/workspace-paths';
import { listContextReads, type ContextReads, type SpecialEntry } from './context-files';
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
  /** The external image the built stage starts from, when it is not the parent layer or scratch. */
  baseImage?: ExternalImage;
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
  /**
   * Context walks already done in this graph computation, by context, .dockerignore, sources and exclusions: the layers
   * of every platform, and images sharing a context (a whole-repository `COPY . .`), walk it once. One computation only:
   * files change between them.
   */
  walks?: Map<string, ContextReads>;
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
  const sources = analysis.contextSources.map((source) => source.path);
  const walkKey = [contextAbsolute, dockerignore ?? '', ...new Set(sources), '\0', ...excluded].join('\n');
  const reads =
    options.walks?.get(walkKey) ??
    listContextReads(contextAbsolute, sources, ignore, { excluded, workspaceRoot: realWorkspaceRoot(options.workspaceRoot) });
  options.walks?.set(walkKey, reads);
  const toWorkspace = (path: string) => (path === '.' ? task.context : posix.join(task.context, path));
  const summary = summarize(reads, task.context);
  const files = summary.files;
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
    baseImage: analysis.baseImage,
    warnings: [
      ...analysis.warnings,
      ...sentByAccident(task.context, summary.git, reads.excludedReached.map(toWorkspace), dockerignore),
      ...sentBesides(task, summary, dockerignore),
    ],
  };
}

/**
 * Warnings for what a context sends that no image wants: the repository's `.git/` (every commit changes the key, the
 * history lands in the image) and Nx's `.nx/` (caches leak into the image; nx-strata leaves it out of the key, but
 * Docker still sends it), each with the .dockerignore line that stops it.
 */
function sentByAccident(context: string, git: string | undefined, excludedReached: string[], dockerignore: string | undefined): string[] {
  const where = dockerignore ?? (context === '.' ? '.dockerignore' : `${context}/.dockerignore`);
  const line = (directory: string) => relativeTo(context, directory) ?? directory;
  const warnings: string[] = [];
  if (git !== undefined) {
    warnings.push(
      `build context "${context}" sends ${git}/ into the image: every commit changes this layer's key and the repository history lands in the image. Add "${line(git)}" to ${where}`,
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
function sentBesides(task: LayerBuildSettings, summary: ContextSummary, dockerignore: string | undefined): string[] {
  const where = dockerignore ?? (task.context === '.' ? '.dockerignore' : `${task.context}/.dockerignore`);
  const { folders } = summary;
  const images = [...summary.images].filter(([image]) => !task.dockerfile.startsWith(`${image}/`));
  const count = (n: number) => `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} file${n === 1 ? '' : 's'}`;
  const warnings = [...folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, folder]) => {
      const pattern = folder.nested ? `**/${name}` : name;
      return DEPENDENCY_FOLDERS.has(name)
        ? `build context "${task.context}" sends ${name}/ (${count(folder.files)}): installed dependencies go into the image and into its key, so every install rebuilds this layer. Install them in the Dockerfile instead, and add "${pattern}" to ${where}`
        : `build context "${task.context}" sends ${name}/ (${count(folder.files)}), a tool's cache: it changes with every local run and rebuilds this layer. Add "${pattern}" to ${where}`;
    });
  for (const [image, sent] of images.sort(([a], [b]) => a.localeCompare(b))) {
    warnings.push(
      `build context "${task.context}" sends ${image}/ (${count(sent)}), the files of another image (${image}/strata.json): a change there rebuilds this layer too, and the images depend on each other. Add "${relativeTo(task.context, image) ?? image}" to ${where}`,
    );
  }
  return warnings;
}

/** What one walk of a context sends, read once however many layers and images share the walk. */
interface ContextSummary {
  /** Workspace-relative. */
  files: string[];
  /** The first `.git` a file lies in (`.git`, `vendor/x/.git`), if any. */
  git?: string;
  /** Dependency and cache folders by name: how many files, and whether one sits below the context's top. */
  folders: Map<string, { files: number; nested: boolean }>;
  /** Directories (workspace-relative, not the root) holding a strata.json, with how many files the context sends from each. */
  images: Map<string, number>;
}

const summaries = new WeakMap<ContextReads, ContextSummary>();

function summarize(reads: ContextReads, context: string): ContextSummary {
  const known = summaries.get(reads);
  if (known) return known;
  const files = context === '.' ? reads.files : reads.files.map((path) => (path === '.' ? context : `${context}/${path}`));
  const folders = new Map<string, { files: number; nested: boolean }>();
  const images = new Map<string, number>();
  let git: string | undefined;
  for (let at = 0; at < files.length; at++) {
    const parts = reads.files[at].split('/');
    if (git === undefined) {
      const index = parts.indexOf('.git');
      if (index >= 0) git = posix.join(context, ...parts.slice(0, index + 1));
    }
    const index = parts.findIndex(
      (part, position) => position < parts.length - 1 && (DEPENDENCY_FOLDERS.has(part) || CACHE_FOLDERS.has(part)),
    );
    if (index >= 0) {
      // One warning per kind of folder: `**/node_modules` covers every package's own.
      const folder = folders.get(parts[index]) ?? { files: 0, nested: false };
      folders.set(parts[index], { files: folder.files + 1, nested: folder.nested || index > 0 });
    } else if (parts[parts.length - 1] === 'strata.json') {
      const image = posix.dirname(files[at]);
      if (image !== '.') images.set(image, 0);
    }
  }
  if (images.size > 0)
    for (const file of files)
      for (const image of images.keys()) if (file.startsWith(`${image}/`)) images.set(image, images.get(image)! + 1);
  const summary = { files, git, folders, images };
  summaries.set(reads, summary);
  return summary;
}

/** `path` relative to `directory` when inside it ('.' for the directory itself), else undefined. */
function relativeTo(directory: string, path: string): string | undefined {
  if (directory === '.' || directory === '') return path;
  if (path === directory) return '.';
  return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : undefined;
}
