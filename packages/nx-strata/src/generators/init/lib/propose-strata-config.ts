import { StrataInputError } from '../../../config/strata-error';
import { chainsToConfig, type ProposedConfig } from './chains-to-config';
import { readDockerfileFacts, type DockerfileFacts } from './dockerfile-facts';
import { findChains, withoutRegistryHost } from './find-chains';
import { findMakefileDockerBuilds, type MakefileDockerBuild } from './makefile-docker-builds';

export interface WorkspaceScan {
  /** Workspace-relative Dockerfile paths and their text. */
  dockerfiles: Array<{ path: string; text: string }>;
  /** Workspace-relative Makefile paths and their text. */
  makefiles: Array<{ path: string; text: string }>;
  /** Image name when no Makefile tag names one (e.g. the package.json name). */
  fallbackImage: string;
}

/** Reads what the workspace has and proposes one strata.json, with what it found and what it could not infer. */
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
  const builds: MakefileDockerBuild[] = scan.makefiles.flatMap((makefile) => findMakefileDockerBuilds(makefile.text, makefile.path));
  const rootBuilds = builds.filter((build) => !build.source.includes('/'));
  if (builds.length > rootBuilds.length) gaps.push(`docker build lines in Makefiles below the workspace root were not read (${[...new Set(builds.filter((build) => build.source.includes('/')).map((build) => build.source.split(':')[0]))].join(', ')})`);
  const found = findChains(facts, rootBuilds);
  const proposed = chainsToConfig(found.chains, facts, imageFrom(rootBuilds) ?? scan.fallbackImage);
  return {
    config: proposed.config,
    findings: [...found.findings, ...proposed.findings],
    gaps: [...gaps, ...found.gaps, ...proposed.gaps],
    dockerfiles: facts.length,
    makefileBuilds: rootBuilds.length,
  };
}

/** The repository most Makefile tags share, without registry host or tag: `$(REGISTRY)/acme/vision:base-cpu` → acme/vision. */
function imageFrom(builds: MakefileDockerBuild[]): string | undefined {
  const counts = new Map<string, number>();
  for (const tag of builds.flatMap((build) => build.tags)) {
    const repository = withoutRegistryHost(tag.replace(/@.*$/, '').replace(/:[^/:]*$/, ''));
    if (repository && !repository.includes('$(')) counts.set(repository, (counts.get(repository) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
