import { posix } from 'node:path';
import { parseDockerfile } from '../../../dockerfile/parse-dockerfile';
import { expandVariables, referencesVariable } from '../../../dockerfile/expand-variables';

/** What a Dockerfile says about where it sits in a chain of layers. */
export interface DockerfileFacts {
  /** Workspace-relative, posix. */
  path: string;
  /** From the file name: `Dockerfile.ml` → ml, `api.Dockerfile` → api, `docker/app/Dockerfile` → app. */
  layer: string;
  /** The global ARG its `FROM` takes the parent image from (`ARG BASE_IMAGE` / `FROM ${BASE_IMAGE}`). */
  parentArg?: { name: string; defaultValue?: string };
  /** Images its stages start from by name (ARG defaults expanded; earlier stages left out). */
  fromImages: string[];
}

/** Reads one Dockerfile; throws StrataInputError (file and line) if docker would reject it. */
export function readDockerfileFacts(path: string, text: string): DockerfileFacts {
  const model = parseDockerfile(text, path);
  const defaults = new Map(model.globalArgs.filter((arg) => arg.defaultValue !== undefined).map((arg) => [arg.name, arg.defaultValue!]));
  const stageNames = new Set<string>();
  const fromImages: string[] = [];
  let parentArg: DockerfileFacts['parentArg'];
  for (const stage of model.stages) {
    // The parent's ARG is the whole image (`FROM ${BASE_IMAGE}`); an ARG that is part of a name
    // (`FROM mcr.microsoft.com/devcontainers/typescript-node:0-${VARIANT}`) is expanded into it instead.
    const arg = model.globalArgs.find(
      (candidate) => referencesVariable(stage.from, candidate.name) && isWholeVariable(stage.from, candidate.name),
    );
    if (arg && !parentArg)
      parentArg = { name: arg.name, ...(arg.defaultValue ? { defaultValue: expandVariables(arg.defaultValue, defaults) } : {}) };
    else if (!arg && !stageNames.has(stage.from.toLowerCase()) && stage.from.toLowerCase() !== 'scratch')
      fromImages.push(expandVariables(stage.from, defaults));
    if (stage.name) stageNames.add(stage.name);
  }
  return { path, layer: layerNameOf(path), ...(parentArg ? { parentArg } : {}), fromImages };
}

/** Whether `from` is the variable alone: `$NAME`, `${NAME}`, `${NAME:-default}`. */
function isWholeVariable(from: string, name: string): boolean {
  const trimmed = from.trim();
  return trimmed === `$${name}` || trimmed === `\${${name}}` || new RegExp(`^\\$\\{${name}:?[-+][^}]*\\}$`).test(trimmed);
}

/** Directory names that say nothing about the image a plain `Dockerfile` in them builds. */
export const GENERIC_DIRECTORIES: ReadonlySet<string> = new Set([
  'docker',
  '.docker',
  'dockerfiles',
  'build',
  'ci',
  '.ci',
  'deploy',
  'deployment',
  'container',
  'containers',
  'image',
  'images',
  'infra',
]);

/** Whether a file name is a Dockerfile: `Dockerfile`, `Dockerfile.ml`, `Dockerfile_intel`, `Dockerfile-dev`, `api.Dockerfile`. */
export function isDockerfileName(name: string): boolean {
  return /^dockerfile([._-].+)?$|[._-]dockerfile$/i.test(name) && !/\.dockerignore$/i.test(name);
}

export function layerNameOf(path: string): string {
  const file = posix.basename(path);
  const directory = posix
    .dirname(path)
    .split('/')
    .reverse()
    .find((part) => part !== '.' && !GENERIC_DIRECTORIES.has(part.toLowerCase()));
  const raw = /^dockerfile[._-](.+)$/i.exec(file)?.[1] ?? /^(.+)[._-]dockerfile$/i.exec(file)?.[1] ?? directory ?? 'image';
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'image'
  );
}
