import { posix } from 'node:path';
import type { DockerfileFacts } from './dockerfile-facts';
import type { MakefileDockerBuild } from './makefile-docker-builds';

/** One way a Dockerfile is built: a Makefile line, or the file on its own. */
export interface BuildInstance {
  file: string;
  /** A compose service name, when a compose file builds it: a good layer name. */
  name?: string;
  tags: string[];
  /** The image its parent ARG receives (Makefile `--build-arg`, else the ARG default), or a literal `FROM`. */
  parentRef?: string;
  platforms: string[];
  buildArgs: Record<string, string>;
  /** Workspace-relative, as a build file gives it. */
  context?: string;
  target?: string;
  source?: string;
}

/** A chain of layers from a root Dockerfile (no parent in this repository) to a top one. */
export interface Chain {
  files: string[];
  /** Platforms its Makefile lines name; empty when they name none. */
  platforms: string[];
  instances: BuildInstance[];
}

export interface FoundChains {
  chains: Chain[];
  /** How each link was found, for the report. */
  findings: string[];
  /** What could not be inferred, each with what to do. */
  gaps: string[];
}

const ARCH_PLATFORMS: Record<string, string> = {
  amd64: 'linux/amd64',
  x86_64: 'linux/amd64',
  x64: 'linux/amd64',
  arm64: 'linux/arm64',
  aarch64: 'linux/arm64',
  armv7: 'linux/arm/v7',
};

export function archPlatformOf(name: string): string | undefined {
  return ARCH_PLATFORMS[name.toLowerCase()];
}

/**
 * Links Dockerfiles into chains: a Makefile's `--build-arg BASE_IMAGE=<tag>` naming the tag another line builds, an
 * `ARG BASE_IMAGE=<image>` default or a `FROM <image>` naming an image of this repository (by a Makefile tag, or by
 * layer and directory names: `acme/vision:base-cpu` → `docker/cpu/Dockerfile.base`).
 */
export function findChains(dockerfiles: DockerfileFacts[], builds: Array<MakefileDockerBuild & { name?: string }>): FoundChains {
  const findings: string[] = [];
  const gaps: string[] = [];
  const addGap = (gap: string) => void (gaps.includes(gap) || gaps.push(gap));
  const byPath = new Map(dockerfiles.map((facts) => [facts.path, facts]));
  const instances: BuildInstance[] = [];
  for (const build of builds) {
    const file = posix.normalize(build.dockerfile);
    const facts = byPath.get(file);
    if (!facts) {
      addGap(`${build.source} builds ${file}, which is not in the workspace; left out`);
      continue;
    }
    const parentRef = facts.parentArg ? (build.buildArgs[facts.parentArg.name] ?? facts.parentArg.defaultValue) : facts.fromImages[0];
    const buildArgs = Object.fromEntries(Object.entries(build.buildArgs).filter(([name]) => name !== facts.parentArg?.name));
    // The same Dockerfile built again (a pull-request job and a release job, one step per registry) is one image: its
    // platforms and tags add up, and the first build that names a context, target or parent gives them.
    const same = instances.find((instance) => instance.file === file && (instance.parentRef ?? '') === (parentRef ?? ''));
    if (same) {
      same.platforms = [...new Set([...same.platforms, ...build.platforms])];
      same.tags = [...new Set([...same.tags, ...build.tags])];
      same.context ??= build.context;
      if (!same.target && build.target) same.target = build.target;
      for (const [name, value] of Object.entries(buildArgs)) if (!(name in same.buildArgs)) same.buildArgs[name] = value;
    } else
      instances.push({
        file,
        ...(build.name ? { name: build.name } : {}),
        tags: build.tags,
        parentRef,
        platforms: build.platforms,
        buildArgs,
        context: build.context,
        ...(build.target ? { target: build.target } : {}),
        source: build.source,
      });
    for (const name of build.unresolved)
      addGap(`${build.source} uses ${name.startsWith('$') ? name : `$(${name})`}, which the file does not define; its value was not used`);
  }
  for (const facts of dockerfiles) {
    if (instances.some((instance) => instance.file === facts.path)) continue;
    instances.push({
      file: facts.path,
      tags: [],
      parentRef: facts.parentArg?.defaultValue ?? facts.fromImages[0],
      platforms: [],
      buildArgs: {},
    });
  }

  // No file is ever its own parent: `FROM nixos/nix` in Dockerfile.nix names an outside image, not itself.
  const resolve = (ref: string | undefined, self: string): string | undefined => {
    if (!ref) return undefined;
    const found =
      byTag(
        ref,
        instances.filter((instance) => instance.file !== self),
      ) ??
      byName(
        ref,
        dockerfiles.filter((facts) => facts.path !== self),
      );
    return found === self ? undefined : found;
  };
  const parentOf = new Map<BuildInstance, string | undefined>(
    instances.map((instance) => [instance, resolve(instance.parentRef, instance.file)]),
  );
  for (const [instance, parent] of parentOf) {
    if (parent)
      findings.push(
        `${instance.file} builds on ${parent} (${instance.source ? `${instance.source} passes ${instance.parentRef}` : `it names ${instance.parentRef}`})`,
      );
  }

  // A parent ARG nobody sets: a Dockerfile beside exactly one root Dockerfile builds on it (Dockerfile.base → Dockerfile.ml).
  const isOpen = (instance: BuildInstance) => !parentOf.get(instance) && !!byPath.get(instance.file)?.parentArg && !instance.parentRef;
  const isRoot = (instance: BuildInstance) => !parentOf.get(instance) && !isOpen(instance);
  for (const instance of instances.filter(isOpen)) {
    const directory = posix.dirname(instance.file);
    const siblings = instances.filter((other) => other !== instance && posix.dirname(other.file) === directory && isRoot(other));
    if (siblings.length !== 1) continue;
    parentOf.set(instance, siblings[0].file);
    findings.push(
      `${instance.file} builds on ${siblings[0].file} (ARG ${byPath.get(instance.file)!.parentArg!.name} is set by nobody; the only root Dockerfile beside it)`,
    );
  }
  // One left (the shared `docker/app/Dockerfile`) goes on top of every chain.
  const open = instances.filter(isOpen);
  const roots = instances.filter(isRoot);
  const chains: Chain[] = [];
  const walk = (path: BuildInstance[]) => {
    const top = path[path.length - 1];
    const children = instances.filter(
      (instance) => parentOf.get(instance) === top.file && !path.some((seen) => seen.file === instance.file),
    );
    if (children.length === 0) {
      chains.push({
        files: path.map((instance) => instance.file),
        platforms: [...new Set(path.flatMap((instance) => instance.platforms))],
        instances: path,
      });
      return;
    }
    for (const child of children) walk([...path, child]);
  };
  for (const root of roots) walk([root]);

  if (open.length === 1 && chains.length > 0) {
    const [shared] = open;
    for (const chain of chains) {
      chain.files.push(shared.file);
      chain.instances.push(shared);
    }
    findings.push(
      `${shared.file} takes its parent from ARG ${byPath.get(shared.file)!.parentArg!.name}, which nobody sets: assumed to build on top of every chain (${chains.map((chain) => chain.files[chain.files.length - 2]).join(', ')})`,
    );
  } else if (open.length > 0) {
    for (const instance of open)
      gaps.push(
        `${instance.file}: ARG ${byPath.get(instance.file)!.parentArg!.name} has no default and no Makefile line sets it, so its parent layer is unknown; set "parent" in strata.json`,
      );
    chains.push(...open.map((instance) => ({ files: [instance.file], platforms: instance.platforms, instances: [instance] })));
  }
  for (const instance of instances) {
    if (instance.parentRef && !parentOf.get(instance) && byPath.get(instance.file)?.parentArg) {
      findings.push(`${instance.file} starts from ${instance.parentRef}, an image from outside this repository`);
    }
  }
  return { chains, findings, gaps };
}

function byTag(ref: string, instances: BuildInstance[]): string | undefined {
  const wanted = comparable(ref);
  return instances.find((instance) => instance.tags.some((tag) => comparable(tag) === wanted))?.file;
}

/**
 * `acme/vision:base-cpu` → the one Dockerfile whose layer name and directory both appear in the reference's tag. Only
 * the tag is read: a repository path such as `nixos/nix:2.18.8` names an image from elsewhere, not `Dockerfile.nix`.
 */
function byName(ref: string, dockerfiles: DockerfileFacts[]): string | undefined {
  const plain = comparable(ref).replace(/@.*$/, '');
  const colon = plain.lastIndexOf(':');
  const slash = plain.lastIndexOf('/');
  // A bare name (`base`, an ARG default naming a layer) is read whole; a repository path only by its tag.
  const named = colon > slash ? plain.slice(colon + 1) : slash === -1 ? plain : undefined;
  if (named === undefined) return undefined;
  const tokens = new Set(named.split(/[/:@._-]+/).filter(Boolean));
  const matches = dockerfiles.filter((facts) => {
    const directory = posix.basename(posix.dirname(facts.path)).toLowerCase();
    return tokens.has(facts.layer) && (tokens.has(directory) || dockerfiles.filter((other) => other.layer === facts.layer).length === 1);
  });
  return matches.length === 1 ? matches[0].path : undefined;
}

/** Drops a registry host, `docker.io/`, `library/` and a `:latest` tag, so references written differently compare equal. */
function comparable(ref: string): string {
  return withoutRegistryHost(ref.trim().toLowerCase())
    .replace(/^library\//, '')
    .replace(/:latest$/, '');
}

/** `localhost:5000/acme/vision:ml` or `$(REGISTRY)/acme/vision:ml` → `acme/vision:ml`. */
export function withoutRegistryHost(ref: string): string {
  const first = ref.split('/')[0];
  const isHost = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost' || first.includes('$('));
  return isHost ? ref.slice(first.length + 1) : ref;
}
