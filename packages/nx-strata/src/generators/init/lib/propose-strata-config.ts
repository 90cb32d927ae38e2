import { posix } from 'node:path';
import { StrataInputError } from '../../../config/strata-error';
import { analyzeDockerfile } from '../../../dockerfile/analyze-dockerfile';
import { parseDockerfile } from '../../../dockerfile/parse-dockerfile';
import { chainsToConfig, type ProposedConfig } from './chains-to-config';
import { readDockerfileFacts, type DockerfileFacts } from './dockerfile-facts';
import { findChains, withoutRegistryHost, type BuildInstance } from './find-chains';
import { findMakefileDockerBuilds, findShellDockerBuilds } from './makefile-docker-builds';
import { findComposeBuilds, findWorkflowBuilds, type YamlDockerBuild } from './yaml-docker-builds';

type TextFile = { path: string; text: string };

export interface WorkspaceScan {
  /** Workspace-relative Dockerfile paths and their text. */
  dockerfiles: TextFile[];
  /** Workspace-relative Makefile paths and their text. */
  makefiles: TextFile[];
  /** Shell scripts (`*.sh`) that may run `docker build`. */
  shellScripts?: TextFile[];
  /** `docker-compose*.yml` / `compose*.yml` files. */
  composeFiles?: TextFile[];
  /** GitHub Actions workflows (`.github/workflows/*.yml`). */
  workflows?: TextFile[];
  /** Image name when no build file tag names one (e.g. the package.json name). */
  fallbackImage: string;
  /** Whether a workspace-relative path exists (to infer a context where no build file gives one). */
  exists?: (path: string) => boolean;
}

/**
 * Reads what the workspace has and proposes one strata.json, with what it found and what it could not infer. Build
 * files (Makefiles, shell scripts, compose files, GitHub workflows) give each Dockerfile its context, target and build
 * args; where none does, the context is the nearest directory (the Dockerfile's own first) that holds what it copies.
 */
export function proposeStrataConfig(scan: WorkspaceScan): ProposedConfig & { dockerfiles: number; makefileBuilds: number } {
  const gaps: string[] = [];
  const facts: DockerfileFacts[] = [];
  for (const file of scan.dockerfiles) {
    try {
      facts.push(readDockerfileFacts(file.path, file.text));
    } catch (error) {
      gaps.push(error instanceof StrataInputError ? `${error.message} (left out)` : `${file.path}: ${(error as Error).message} (left out)`);
    }
  }
  const known = new Set(facts.map((file) => file.path));
  const builds = collectBuilds(scan, known, gaps);
  const found = findChains(facts, builds);
  const texts = new Map(scan.dockerfiles.map((file) => [file.path, file.text]));
  const contextOf = (instance: BuildInstance) =>
    instance.context ??
    inferContext(
      instance.file,
      texts.get(instance.file) ?? '',
      facts.find((file) => file.path === instance.file),
      scan.exists,
    );
  const proposed = chainsToConfig(found.chains, facts, imageFrom(builds) ?? scan.fallbackImage, contextOf);
  return {
    config: proposed.config,
    findings: [...found.findings, ...proposed.findings],
    gaps: [...gaps, ...found.gaps, ...proposed.gaps],
    dockerfiles: facts.length,
    makefileBuilds: builds.length,
  };
}

/**
 * Every docker build the build files describe, with workspace-relative Dockerfile and context: Makefile lines run in the
 * Makefile's directory, compose paths are relative to the compose file, workflow paths to the repository root, and a
 * shell script's to the root or to its own directory (whichever names a Dockerfile that exists).
 */
function collectBuilds(scan: WorkspaceScan, dockerfiles: Set<string>, gaps: string[]): YamlDockerBuild[] {
  const builds: YamlDockerBuild[] = [];
  const add = (found: YamlDockerBuild[], bases: string[]) => {
    for (const build of found) {
      const base = bases.find((candidate) => dockerfiles.has(joinInside(candidate, build.dockerfile) ?? '')) ?? bases[0];
      const dockerfile = joinInside(base, build.dockerfile);
      const context = joinInside(base, build.context);
      if (dockerfile === undefined || context === undefined) {
        gaps.push(`${build.source} builds from outside the workspace (${build.dockerfile}, context ${build.context}); left out`);
        continue;
      }
      builds.push({ ...build, dockerfile, context });
    }
  };
  for (const file of scan.makefiles) add(findMakefileDockerBuilds(file.text, file.path), [posix.dirname(file.path)]);
  for (const file of scan.shellScripts ?? []) add(findShellDockerBuilds(file.text, file.path), ['.', posix.dirname(file.path)]);
  for (const file of scan.composeFiles ?? []) add(findComposeBuilds(file.text, file.path), [posix.dirname(file.path)]);
  for (const file of scan.workflows ?? []) add(findWorkflowBuilds(file.text, file.path), ['.']);
  return builds;
}

/** `base/path` joined and normalised, or undefined when it leaves the workspace or is absolute. */
function joinInside(base: string, path: string): string | undefined {
  if (path.startsWith('/')) return undefined;
  const joined = posix.normalize(posix.join(base, path)).replace(/\/+$/, '') || '.';
  return joined === '..' || joined.startsWith('../') ? undefined : joined;
}

/**
 * Where no build file says: the Dockerfile's own directory, or the nearest directory above it, that holds every path
 * its COPY/ADD/bind-mount sources name (what `docker build <dir>` would need). The Dockerfile's directory when none does.
 */
function inferContext(
  file: string,
  text: string,
  facts: DockerfileFacts | undefined,
  exists: ((path: string) => boolean) | undefined,
): string {
  const own = posix.dirname(file);
  if (!exists) return own;
  let sources: string[];
  try {
    const analysis = analyzeDockerfile(parseDockerfile(text, file), {
      buildArgs: {},
      platform: 'linux/amd64',
      parentArg: facts?.parentArg?.name,
    });
    sources = analysis.contextSources
      .map((source) => source.path.split(/[*?[$]/)[0].replace(/\/+$/, ''))
      .filter((path) => path !== '' && path !== '.');
  } catch {
    return own;
  }
  if (sources.length === 0) return own;
  const candidates: string[] = [];
  for (let directory = own; ; directory = posix.dirname(directory)) {
    candidates.push(directory);
    if (directory === '.' || directory === '/' || directory === '') break;
  }
  return candidates.find((directory) => sources.every((source) => exists(directory === '.' ? source : `${directory}/${source}`))) ?? own;
}

/** The repository most build tags share, without registry host or tag: `$(REGISTRY)/acme/vision:base-cpu` → acme/vision. */
function imageFrom(builds: YamlDockerBuild[]): string | undefined {
  const counts = new Map<string, number>();
  for (const tag of builds.flatMap((build) => build.tags)) {
    const repository = withoutRegistryHost(tag.replace(/@.*$/, '').replace(/:[^/:]*$/, ''));
    if (repository && !repository.includes('$') && /^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(repository))
      counts.set(repository, (counts.get(repository) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
