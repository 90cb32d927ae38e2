import { join, posix } from 'node:path';
import type { LayerTask } from '../config/layer-task';
import { analyzeDockerfile, type ExternalImage } from './analyze-dockerfile';
import { listContextReads } from './context-files';
import type { DockerfileModel } from './dockerfile-model';
import { findDockerignore, loadDockerignore } from './dockerignore';

/** Everything one layer reads, computed before building. Paths are workspace-relative unless named otherwise. */
export interface LayerInputs {
  dockerfile: string;
  /** The .dockerignore that applies (per-Dockerfile or the context's), if any. */
  dockerignore?: string;
  /** Files read from the build context, context-relative, sorted (this is what the layer key hashes). */
  contextFiles: string[];
  /** Same files, workspace-relative. */
  files: string[];
  /** Exact, compact description of `files` for Nx inputs: whole directories and single files. */
  cover: { directories: string[]; files: string[] };
  /** Context sources that match nothing (docker would fail). */
  missing: string[];
  externalImages: ExternalImage[];
  warnings: string[];
}

export interface LayerInputsOptions {
  workspaceRoot: string;
  /** Workspace-relative paths that are never inputs (nx-strata's own records). */
  excluded?: string[];
}

export function computeLayerInputs(
  task: Pick<LayerTask, 'dockerfile' | 'context' | 'args' | 'target' | 'platform' | 'parentArg'>,
  model: DockerfileModel,
  options: LayerInputsOptions,
): LayerInputs {
  const contextAbsolute = join(options.workspaceRoot, task.context);
  const analysis = analyzeDockerfile(model, { buildArgs: task.args, target: task.target, platform: task.platform, parentArg: task.parentArg });
  const dockerignoreAbsolute = findDockerignore(join(options.workspaceRoot, task.dockerfile), contextAbsolute);
  const rules = loadDockerignore(dockerignoreAbsolute);
  const excluded = (options.excluded ?? []).map((path) => relativeTo(task.context, path)).filter((path): path is string => path !== undefined);
  const ignore = excluded.length
    ? {
        ...rules,
        ignores: (path: string) => excluded.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)) || rules.ignores(path),
      }
    : rules;
  const reads = listContextReads(contextAbsolute, analysis.contextSources.map((source) => source.path), ignore);
  const toWorkspace = (path: string) => (path === '.' ? task.context : posix.join(task.context, path));
  return {
    dockerfile: task.dockerfile,
    dockerignore: dockerignoreAbsolute ? posix.relative(options.workspaceRoot.split('\\').join('/'), dockerignoreAbsolute.split('\\').join('/')) : undefined,
    contextFiles: reads.files,
    files: reads.files.map(toWorkspace),
    cover: { directories: reads.cover.directories.map(toWorkspace), files: reads.cover.files.map(toWorkspace) },
    missing: reads.missing,
    externalImages: analysis.externalImages,
    warnings: analysis.warnings,
  };
}

/** `path` relative to `directory` when inside it ('.' for the directory itself), else undefined. */
function relativeTo(directory: string, path: string): string | undefined {
  if (directory === '.' || directory === '') return path;
  if (path === directory) return '.';
  return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : undefined;
}
