import { realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { branchName, WELL_KNOWN_REMOTES } from '../utils/branch-names';
import { StrataInputError } from './strata-error';
import { isInside, realPathAllowingMissing } from './workspace-paths';

/** Options of the nx-strata plugin entry in nx.json (`{ "plugin": "nx-strata", "options": { ... } }`). */
export interface StrataPluginOptions {
  /** Name of the aggregate build target; atomized targets are `<name>--...`. @default "docker-build" */
  buildTargetName?: string;
  /** Name of the publish target(s): `<name>--<variant>` and the aggregate `<name>`. @default "docker-publish" */
  publishTargetName?: string;
  /** More targets `docker-publish` must wait for (e.g. container tests or scans of the same digests). @default [] */
  publishDependsOn?: string[];
  /**
   * The trusted build namespace, e.g. `ghcr.io/acme`: runs on the trusted branches push here and take registry hits
   * from here only. `STRATA_REGISTRY` overrides it. Unset: local mode.
   */
  registry?: string;
  /**
   * Where untrusted runs (pull requests, forks, developer machines) push; they read hits from `registry` and from
   * here. Give it its own write credentials. `STRATA_UNTRUSTED_REGISTRY` overrides it; empty: they push nowhere and
   * build what is not in `registry` locally. @default "<registry>/untrusted"
   */
  untrustedRegistry?: string;
  /**
   * Branches whose CI pushes are trusted runs (GitHub Actions push, GitLab pipeline on the branch); `*` matches within
   * a path segment, `**` across. `STRATA_TRUST=trusted|untrusted` decides instead when set. @default [nx.json defaultBase, else "main"]
   */
  trustedBranches?: string[];
  /** Workspace-relative directory for build records (the targets' outputs). @default "dist/strata" */
  recordsDir?: string;
  /**
   * Where each platform builds: a buildx builder name (`{ "linux/arm64": "arm64-native" }`, the same as
   * `{ "builder": "arm64-native" }`), a docker context (`{ "context": "arm64-host" }`) or a daemon address
   * (`{ "host": "ssh://ci@arm64-host" }`). Every docker call of that platform's tasks goes there.
   */
  builders?: Record<string, BuilderSetting>;
  /** Registry mode: skip a layer's build when its content tag is already in the registry (a registry hit). @default true */
  registryCache?: boolean;
  /**
   * Resolve external base images given by tag (`FROM python:3.11-slim`) to digests on every run and make them part of
   * the task hash and layer key, so an upstream security fix rebuilds the layers on it (builds then use `--pull`). @default false
   */
  pinBaseImages?: boolean;
  /** Workspace-relative directory of the build history (`runs.jsonl`) that `nx-strata report` reads. @default ".nx/strata-history" */
  historyDir?: string;
  /** Largest size of the build history; the oldest runs are dropped beyond it. @default 2097152 (2 MiB, about 1,000 runs of 10 layers) */
  historyMaxBytes?: number;
  /** Record each run's layer and binary tasks in the build history. @default true */
  recordHistory?: boolean;
  /**
   * Targets of the projects an image depends on (the projects whose files or outputs its layers read) that run before
   * its layers: a layer that copies `dist/apps/api` waits for `api:build`, and is hashed after it. @default ["build"]
   */
  followTargets?: string[];
}

/** One platform's build host in the plugin's `builders`. */
export type BuilderSetting = string | { builder: string } | { context: string } | { host: string };

/** A platform's build host as the docker-build target's options carry it. */
export interface PlatformBuildHost {
  builder?: string;
  dockerContext?: string;
  dockerHost?: string;
}

const HOST_URL = /^(unix|tcp|ssh|npipe|fd):\/\/\S+$/;

/** The build host `builders` gives `platform` ({} for the default engine). Throws a StrataInputError naming nx.json for a malformed entry. */
export function platformBuildHost(builders: Record<string, BuilderSetting>, platform: string): PlatformBuildHost {
  const setting = builders[platform];
  if (setting === undefined) return {};
  const problem = (what: string) =>
    new StrataInputError({
      file: 'nx.json',
      problem: `the nx-strata plugin option "builders" gives ${platform} ${what}`,
      hint: 'give each platform a buildx builder name ("arm64-native" or { "builder": "arm64-native" }), a docker context ({ "context": "arm64-host" }) or a daemon address ({ "host": "ssh://ci@arm64-host" })',
    });
  if (typeof setting === 'string') {
    if (!setting.trim()) throw problem('an empty builder name');
    return { builder: setting };
  }
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) throw problem(`${JSON.stringify(setting)}`);
  const keys = Object.keys(setting);
  if (keys.length !== 1)
    throw problem(
      `${JSON.stringify(setting)}, which sets ${keys.length ? keys.join(' and ') : 'nothing'}: set exactly one of builder, context, host`,
    );
  const [key] = keys;
  const value = (setting as Record<string, unknown>)[key];
  if (typeof value !== 'string' || !value.trim()) throw problem(`a "${key}" that is not a non-empty string`);
  if (key === 'builder') return { builder: value };
  if (key === 'context') return { dockerContext: value };
  if (key === 'host') {
    if (!HOST_URL.test(value)) throw problem(`the host ${JSON.stringify(value)}, which is not a daemon address (unix://, tcp://, ssh://)`);
    return { dockerHost: value };
  }
  throw problem(`an unknown key "${key}"`);
}

export type NormalizedPluginOptions = Required<Omit<StrataPluginOptions, 'registry' | 'untrustedRegistry'>> &
  Pick<StrataPluginOptions, 'registry' | 'untrustedRegistry'>;

/**
 * Every default of the plugin lives here. `defaultBase` is nx.json's (the trusted branch when none is given): a git ref
 * such as `origin/main`, of which the trusted branch is the branch name alone (`main`, as CI names the branch it
 * runs); so are trusted branches written as refs. `remotes` are the repository's remote names (gitRemoteNames).
 */
export function normalizePluginOptions(
  options: StrataPluginOptions | undefined,
  defaultBase?: string,
  remotes: string[] = WELL_KNOWN_REMOTES,
): NormalizedPluginOptions {
  checkOptionTypes(options);
  const normalized = { ...options } as NormalizedPluginOptions;
  normalized.trustedBranches = (normalized.trustedBranches ?? [defaultBase ?? 'main']).map((branch) => branchName(branch, remotes));
  normalized.buildTargetName ??= 'docker-build';
  normalized.publishTargetName ??= 'docker-publish';
  normalized.publishDependsOn ??= [];
  normalized.recordsDir ??= 'dist/strata';
  normalized.recordsDir = normalized.recordsDir.replace(/\/+$/, '');
  normalized.builders ??= {};
  normalized.registryCache ??= true;
  normalized.pinBaseImages ??= false;
  normalized.historyDir = (normalized.historyDir ?? '.nx/strata-history').replace(/\/+$/, '');
  normalized.historyMaxBytes ??= 2 * 1024 * 1024;
  normalized.recordHistory ??= true;
  normalized.followTargets ??= ['build'];
  return normalized;
}

const OPTION_TYPES: Record<string, 'string' | 'boolean' | 'number' | 'string[]' | 'object'> = {
  buildTargetName: 'string',
  publishTargetName: 'string',
  publishDependsOn: 'string[]',
  registry: 'string',
  untrustedRegistry: 'string',
  trustedBranches: 'string[]',
  recordsDir: 'string',
  builders: 'object',
  registryCache: 'boolean',
  pinBaseImages: 'boolean',
  historyDir: 'string',
  historyMaxBytes: 'number',
  recordHistory: 'boolean',
  followTargets: 'string[]',
};

/** nx.json's options are whatever a user typed: each known one must have its type (`historyDir: 5` is not a path). */
function checkOptionTypes(options: StrataPluginOptions | undefined): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options))
    throw new Error('nx.json: the options of the nx-strata plugin entry must be an object: { "plugin": "nx-strata", "options": { ... } }');
  for (const [key, value] of Object.entries(options)) {
    const expected = OPTION_TYPES[key];
    if (expected === undefined || value === undefined) continue;
    const fits =
      expected === 'string[]'
        ? Array.isArray(value) && value.every((item) => typeof item === 'string')
        : expected === 'object'
          ? typeof value === 'object' && value !== null && !Array.isArray(value)
          : typeof value === expected;
    if (!fits)
      throw new Error(
        `nx.json: the nx-strata option "${key}" is ${JSON.stringify(value)?.slice(0, 60)}, which is not ${expected === 'string[]' ? 'a list of strings' : expected === 'object' ? 'an object' : `a ${expected}`}; fix it in the plugin entry's "options"`,
      );
  }
}

/** The trust settings a build or publish target carries to its executor (see engines/registry/trust.ts). */
export function trustOptions(options: Pick<NormalizedPluginOptions, 'registry' | 'untrustedRegistry' | 'trustedBranches'>): {
  registry?: string;
  untrustedRegistry?: string;
  trustedBranches: string[];
} {
  return {
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.untrustedRegistry !== undefined ? { untrustedRegistry: options.untrustedRegistry } : {}),
    trustedBranches: options.trustedBranches,
  };
}

/**
 * `recordsDir` and `historyDir` must stay inside the workspace: nx-strata writes there, and Nx caches what is there.
 * Throws a StrataInputError naming nx.json and the option.
 */
const checkedOptionPaths = new Set<string>();

export function checkPluginOptionPaths(options: Pick<NormalizedPluginOptions, 'recordsDir' | 'historyDir'>, workspaceRoot: string): void {
  // Every strata.json of a graph computation asks with the same options: check each combination once per process.
  const memo = `${workspaceRoot}\0${options.recordsDir}\0${options.historyDir}`;
  if (checkedOptionPaths.has(memo)) return;
  for (const key of ['recordsDir', 'historyDir'] as const) {
    const value = options[key];
    const lexical = isAbsolute(value) ? value : join(workspaceRoot, value);
    // Strictly below the root: the workspace root itself is no place for records.
    const inside = (root: string, path: string) => path !== root && isInside(root, path);
    // It may not exist yet: resolve the part that does (a symlinked parent must not lead out either).
    const real = realPathAllowingMissing(lexical);
    if (!inside(workspaceRoot, lexical) || !inside(realpathSync.native(workspaceRoot), real)) {
      throw new StrataInputError({
        file: 'nx.json',
        problem: `the nx-strata plugin option "${key}" (${JSON.stringify(value)}) is not a directory inside the workspace`,
        hint: `use a workspace-relative directory such as "${key === 'recordsDir' ? 'dist/strata' : '.nx/strata-history'}"`,
      });
    }
  }
  checkedOptionPaths.add(memo);
}

/** The package name under which nx.json registers the plugin. */
export const PLUGIN_NAME = 'nx-strata';

/** nx-strata's entry among nx.json's `plugins` (a string or `{ plugin, options }`), or undefined when not registered. */
export function findStrataPluginEntry<Entry extends string | { plugin: string }>(plugins: Entry[] | undefined): Entry | undefined {
  return (plugins ?? []).find((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
}
