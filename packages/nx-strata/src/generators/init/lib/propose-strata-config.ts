import { posix } from 'node:path';
import { ciValueProblem } from '../../../config/ci-values';
import { StrataInputError } from '../../../config/strata-error';
import { analyzeDockerfile } from '../../../dockerfile/analyze-dockerfile';
import { parseDockerfile } from '../../../dockerfile/parse-dockerfile';
import type { StrataConfig } from '../../../config/strata-config';
import { chainsToConfig } from './chains-to-config';
import { GENERIC_DIRECTORIES, readDockerfileFacts, type DockerfileFacts } from './dockerfile-facts';
import { findChains, withoutRegistryHost, type BuildInstance, type Chain } from './find-chains';
import { findMakefileDockerBuilds, findPackageScriptBuilds, findShellDockerBuilds } from './makefile-docker-builds';
import { mostNamed } from './most-named';
import { proposePublishing, type ReadWorkflow } from './publishing-proposal';
import { readWorkflowPublishing } from './workflow-publishing';
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
  /** package.json files, whose scripts may run `docker build` (in the package's own directory). */
  packageJsons?: TextFile[];
  /** GitHub Actions workflows (`.github/workflows/*.yml`). */
  workflows?: TextFile[];
  /** The GitHub repository (`owner/name`) the checkout's origin remote names: what `${{ github.repository }}` is. */
  repository?: string;
  /** Image name when no build file tag names one (e.g. the package.json name). */
  fallbackImage: string;
  /** Whether a workspace-relative path exists (to infer a context where no build file gives one). */
  exists?: (path: string) => boolean;
}

/** One proposed strata.json: where it goes (workspace-relative) and what it says (paths relative to it). */
export interface ProposedFile {
  path: string;
  config: StrataConfig;
  /** Where each proposed value came from (`image acme/api ← .github/workflows/release.yml:31 (-t ...)`), for init to print. */
  sources?: string[];
}

export interface Proposal {
  files: ProposedFile[];
  findings: string[];
  gaps: string[];
  /** Dockerfiles no build file builds, where build files build others: each once, with why. */
  leftOut: string[];
  dockerfiles: number;
  makefileBuilds: number;
}

/**
 * Reads what the workspace has and proposes its strata.json files, with what it found and what it could not infer.
 * What the build files (workflows, compose files, Makefiles, scripts) build is the evidence: where they build images,
 * exactly those images (and the in-repository layers they start from) are proposed, and every other Dockerfile is
 * named once with why it was left out. They give each Dockerfile its context, target, build args and platforms; where
 * none does, the context is the nearest directory (the Dockerfile's own first) that holds what it copies. Each image
 * family (a chain of layers and its variants) gets one strata.json in its own directory (above a generic one such as
 * docker/), with paths relative to it.
 */
export function proposeStrataConfig(scan: WorkspaceScan): Proposal {
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
  const findings = [...found.findings];
  let chains = found.chains;
  let chainGaps = found.gaps;
  const leftOut: string[] = [];
  const built = new Set(builds.map((build) => build.dockerfile).filter((file) => known.has(file)));
  if (built.size > 0) {
    chains = chains.filter((chain) => chain.files.some((file) => built.has(file)));
    const kept = new Set(chains.flatMap((chain) => chain.files));
    leftOut.push(...[...known].filter((file) => !kept.has(file)).sort());
    chainGaps = chainGaps.filter((gap) => !leftOut.some((file) => gap.startsWith(`${file}:`) || gap.startsWith(`${file} `)));
  }
  const texts = new Map(scan.dockerfiles.map((file) => [file.path, file.text]));
  const contextOf = (instance: BuildInstance) =>
    instance.context ??
    inferContext(
      instance.file,
      texts.get(instance.file) ?? '',
      facts.find((file) => file.path === instance.file),
      scan.exists,
    );
  const homes = groupByHome(chains);
  const workflows = (scan.workflows ?? []).flatMap((file): ReadWorkflow[] => {
    const publishing = readWorkflowPublishing(file.text, file.path, { repository: scan.repository });
    return publishing ? [{ file: file.path, publishing }] : [];
  });
  const files: ProposedFile[] = [];
  const proposedGaps: string[] = [];
  for (const [home, group] of homes) {
    const groupFiles = new Set(group.flatMap((chain) => chain.files));
    const familyBuilds = builds.filter((build) => groupFiles.has(build.dockerfile));
    const tagged = homes.size === 1 ? imageOrigin(builds) : imageOrigin(familyBuilds);
    // How the repository publishes it today: the metadata-action steps of the jobs that build it, the pushed names.
    const publishing = (variants: boolean) => proposePublishing({ image: tagged?.image, builds: familyBuilds, workflows, variants });
    const image =
      tagged?.image ??
      publishing(false).image?.name ??
      (homes.size === 1 ? scan.fallbackImage : `${scan.fallbackImage}-${posix.basename(home === '.' ? scan.fallbackImage : home)}`);
    const proposed = chainsToConfig(group, facts, image, contextOf);
    findings.push(...proposed.findings);
    proposedGaps.push(...proposed.gaps);
    if (!proposed.config) continue;
    const published = publishing(proposed.config.variants !== undefined);
    proposedGaps.push(...published.gaps);
    if (published.publish) proposed.config.publish = { ...proposed.config.publish, ...published.publish };
    // Never the workspace root: a project there owns every file no other project owns, so a README would select it.
    const own =
      home === '.'
        ? imageDirectory(image, new Set([...homes.keys(), ...files.map((file) => posix.dirname(file.path))]), scan.exists)
        : home;
    const config = relocate(proposed.config, own);
    const named = acceptedProjectName(own, scan.exists);
    if (named) {
      config.project = named.name;
      findings.push(named.finding);
    }
    if (own !== home)
      findings.push(
        `${image}: its strata.json goes to ${own}/strata.json, not the workspace root (a project at the root owns every file no other project owns, so every change, a README too, would mark the image affected); its Dockerfiles and context point back (${config.context ?? posix.relative(own, '.')})`,
      );
    const untagged =
      homes.size === 1
        ? 'no build line tags it: the package name (init --image sets another)'
        : "no build line tags it: the package name and the image's directory";
    files.push({
      path: `${own}/strata.json`,
      config,
      // The image first, then the Dockerfiles, then how it is published.
      sources: [
        ...published.sources.filter((line) => line.startsWith('image ')),
        ...valueSources(image, tagged, untagged, group, builds, published.image !== undefined),
        ...published.sources.filter((line) => !line.startsWith('image ')),
      ],
    });
  }
  if (files.length > 1) findings.push(`${files.length} images, one strata.json each: ${files.map((file) => file.path).join(', ')}`);
  return {
    files,
    findings: [...new Set(findings)],
    gaps: [...new Set([...gaps, ...chainGaps, ...proposedGaps])],
    leftOut,
    dockerfiles: facts.length,
    makefileBuilds: builds.length,
  };
}

/**
 * Chains grouped into image families (chains that share a Dockerfile are one family), and families by the directory
 * their strata.json goes to: the deepest directory holding all their Dockerfiles, above generic ones (docker/, build/).
 */
function groupByHome(chains: Chain[]): Map<string, Chain[]> {
  const families: Chain[][] = [];
  for (const chain of chains) {
    const joined = families.filter((family) => family.some((other) => other.files.some((file) => chain.files.includes(file))));
    const merged = [chain, ...joined.flat()];
    for (const family of joined) families.splice(families.indexOf(family), 1);
    families.push(merged);
  }
  const homes = new Map<string, Chain[]>();
  for (const family of families) {
    let home = commonDirectory(family.flatMap((chain) => chain.files));
    while (home !== '.' && GENERIC_DIRECTORIES.has(posix.basename(home).toLowerCase())) home = posix.dirname(home);
    homes.set(home, [...(homes.get(home) ?? []), ...family]);
  }
  return new Map([...homes].sort(([a], [b]) => a.localeCompare(b)));
}

function commonDirectory(files: string[]): string {
  const parts = files.map((file) => posix.dirname(file).split('/'));
  const common: string[] = [];
  for (let index = 0; parts.every((each) => index < each.length && each[index] === parts[0][index]); index++) common.push(parts[0][index]);
  return common.length === 0 || common[0] === '.' ? '.' : common.join('/');
}

/**
 * A directory of its own for an image whose Dockerfiles sit at the workspace root or in generic directories:
 * `images/<last segment of the image name>`, one not taken (`-image` appended, then a number).
 */
function imageDirectory(image: string, taken: Set<string>, exists: ((path: string) => boolean) | undefined): string {
  const name =
    (image.split('/').pop() ?? 'image')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'image';
  for (const candidate of [name, `${name}-image`, ...Array.from({ length: 20 }, (_, index) => `${name}-${index + 2}`)]) {
    const directory = `images/${candidate}`;
    // A directory that holds a strata.json already is this image's from an earlier init (it is never overwritten).
    if (!taken.has(directory) && (!exists?.(directory) || exists(`${directory}/strata.json`))) return directory;
  }
  return `images/${name}-${Date.now()}`;
}

/**
 * A project name for a strata.json in `directory` when the one the plugin would derive (`<directory>-image`) is one
 * that `nx g nx-strata:ci` and the matrix refuse (`.devcontainer-image`): the directory's name made plain. Undefined
 * when the derived name is accepted, or a project.json / package.json there names the project.
 */
function acceptedProjectName(
  directory: string,
  exists: ((path: string) => boolean) | undefined,
): { name: string; finding: string } | undefined {
  if (directory === '.' || exists?.(`${directory}/project.json`) || exists?.(`${directory}/package.json`)) return undefined;
  const derived = `${posix.basename(directory)}-image`;
  if (!ciValueProblem('project name', derived)) return undefined;
  const plain = posix
    .basename(directory)
    .replace(/[^A-Za-z0-9@._-]+/g, '-')
    .replace(/^[^A-Za-z0-9_@]+/, '')
    .replace(/\.\.+/g, '.');
  const name = `${plain || 'image'}-image`;
  return {
    name,
    finding: `${directory}/strata.json: project "${name}", not "${derived}" (a name that starts with "${derived[0]}" or holds such characters is one CI pipelines refuse)`,
  };
}

/** A config proposed with workspace-relative paths, made relative to `home` (where its strata.json goes). */
function relocate(config: StrataConfig, home: string): StrataConfig {
  if (home === '.') return config;
  const relative = (path: string) => posix.relative(home, path) || '.';
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        (key === 'dockerfile' || key === 'context') && typeof item === 'string' ? relative(item) : walk(item),
      ]),
    );
  };
  // Every context made explicit first: one left out meant the workspace root, and in home/strata.json it means home.
  const { image, context, ...rest } = walk({ ...config, context: config.context ?? '.' }) as StrataConfig;
  const moved: StrataConfig = { image, ...(context !== '.' ? { context } : {}), ...rest };
  for (const layer of Object.values(moved.layers)) if (layer.context === '.' && moved.context === undefined) delete layer.context;
  return moved;
}

/**
 * Every docker build the build files describe, with workspace-relative Dockerfile and context: Makefile lines run in the
 * Makefile's directory, compose paths are relative to the compose file, package.json scripts run in the package's
 * directory, workflow paths are relative to the repository root (a `run:` line's to its working directory), and a
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
  for (const file of scan.packageJsons ?? []) add(findPackageScriptBuilds(file.text, file.path), [posix.dirname(file.path)]);
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

/**
 * The repository most build tags share, without registry host or tag (`$(REGISTRY)/acme/vision:base-cpu` →
 * acme/vision), and the first build line and tag that give it.
 */
function imageOrigin(builds: YamlDockerBuild[]): { image: string; source: string; tag: string } | undefined {
  const origin = mostNamed(
    builds.flatMap((build) =>
      build.tags.map((tag) => ({
        repository: withoutRegistryHost(tag.replace(/@.*$/, '').replace(/:[^/:]*$/, '')),
        source: build.source,
        tag,
      })),
    ),
  );
  return origin && { image: origin.repository, source: origin.source, tag: origin.tag };
}

/**
 * Where each value of one proposed strata.json came from, a line each: the image name (the build line that tags it, or
 * what stands in for it), then every Dockerfile with each build line that builds it and what that line gives
 * (context, target, platforms, build args), or how it was found without one. Pure.
 */
function valueSources(
  image: string,
  tagged: { source: string; tag: string } | undefined,
  untagged: string,
  group: Chain[],
  builds: YamlDockerBuild[],
  namedByWorkflow: boolean,
): string[] {
  // A name the metadata-action steps gave is said by proposePublishing's own lines.
  const lines = namedByWorkflow ? [] : [`image ${image} ← ${tagged ? `${tagged.source} (tag ${tagged.tag})` : untagged}`];
  for (const file of [...new Set(group.flatMap((chain) => chain.files))]) {
    const mine = builds.filter((build) => build.dockerfile === file);
    if (mine.length === 0) {
      lines.push(`${file} ← no build line: found by its name and FROM / ARG lines`);
      continue;
    }
    for (const build of mine) {
      const gave = [
        `context ${build.context}`,
        ...(build.target ? [`target ${build.target}`] : []),
        ...(build.platforms.length ? [`platforms ${build.platforms.join(', ')}`] : []),
        ...Object.keys(build.buildArgs).map((name) => `--build-arg ${name}`),
      ];
      lines.push(`${file} ← ${build.source}: ${gave.join('; ')}`);
    }
  }
  return lines;
}
