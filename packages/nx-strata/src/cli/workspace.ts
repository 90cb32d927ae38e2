import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  checkPluginOptionPaths,
  findStrataPluginEntry,
  normalizePluginOptions,
  type NormalizedPluginOptions,
  type StrataPluginOptions,
} from '../config/plugin-options';
import { gitRemoteNames } from '../utils/branch-names';
import { readImageFamily, type ImageFamily } from '../model/image-family';
import { STRATA_CONFIG_GLOB } from '../config/strata-config';

/** The Nx workspace around `from`: the nearest directory with nx.json. */
export function findWorkspaceRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'nx.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no nx.json in ${from} or above: run nx-strata inside an Nx workspace`);
  }
}

/** What every command that reads the image families starts from. */
export interface StrataWorkspace {
  workspaceRoot: string;
  /** nx.json as written (for `defaultBase` and the like). */
  nxJson: NxJsonFile;
  pluginOptions: NormalizedPluginOptions;
  /** Every strata.json, workspace-relative, sorted (or the one a command was given). */
  configFiles: string[];
  /** Reads, plans and computes the inputs of one strata.json. */
  family(configFile: string): ImageFamily;
}

interface NxJsonFile {
  defaultBase?: string;
  plugins?: Array<string | PluginEntry>;
}

/** An nx.json plugin entry: its options and the config files Nx hands it (`include` / `exclude` globs). */
interface PluginEntry {
  plugin: string;
  options?: StrataPluginOptions;
  include?: string[];
  exclude?: string[];
}

/** The workspace around `cwd`: its root, nx.json, the plugin's options and its strata.json files. */
export function openWorkspace(cwd: string, configFile?: string): StrataWorkspace {
  const workspaceRoot = findWorkspaceRoot(cwd);
  const nxJson = readNxJson(workspaceRoot);
  const pluginOptions = pluginOptionsOf(nxJson, workspaceRoot);
  const configFiles = configFile
    ? [relative(workspaceRoot, resolve(cwd, configFile)).split('\\').join('/')]
    : findStrataConfigs(workspaceRoot, findStrataPluginEntry(nxJson.plugins));
  return { workspaceRoot, nxJson, pluginOptions, configFiles, family: (file) => readImageFamily(file, workspaceRoot, pluginOptions) };
}

/** The options of the nx-strata entry in nx.json (defaults when the plugin is listed without options). */
export function readPluginOptions(workspaceRoot: string): NormalizedPluginOptions {
  return pluginOptionsOf(readNxJson(workspaceRoot), workspaceRoot);
}

function readNxJson(workspaceRoot: string): NxJsonFile {
  return JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as NxJsonFile;
}

function pluginOptionsOf(nxJson: NxJsonFile, workspaceRoot: string): NormalizedPluginOptions {
  const entry = findStrataPluginEntry(nxJson.plugins);
  const options = normalizePluginOptions(
    typeof entry === 'object' ? entry.options : undefined,
    nxJson.defaultBase,
    gitRemoteNames(workspaceRoot),
  );
  checkPluginOptionPaths(options, workspaceRoot);
  return options;
}

/**
 * Every strata.json Nx gives the plugin, workspace-relative and sorted: Nx's own file list (its .gitignore and
 * .nxignore rules, dot-directories included) matched against the plugin's pattern and the nx.json entry's
 * `include` / `exclude`, so the CLI sees exactly the image families the project graph has.
 */
export function findStrataConfigs(workspaceRoot: string, entry?: string | PluginEntry): string[] {
  // Loaded here: commands given one strata.json never pay for Nx's native file walker.
  let globWithWorkspaceContextSync: typeof import('nx/src/utils/workspace-context').globWithWorkspaceContextSync;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ globWithWorkspaceContextSync } = require('nx/src/utils/workspace-context') as typeof import('nx/src/utils/workspace-context'));
  } catch {
    throw new Error(
      `nx is not installed where nx-strata can load it (from ${workspaceRoot}): run npm install (or your package manager's) first`,
    );
  }
  const scoped: Partial<PluginEntry> = typeof entry === 'object' ? entry : {};
  const files = globWithWorkspaceContextSync(workspaceRoot, [STRATA_CONFIG_GLOB], scoped.exclude);
  const included = scoped.include?.length
    ? new Set(globWithWorkspaceContextSync(workspaceRoot, scoped.include, scoped.exclude))
    : undefined;
  return files.filter((file) => !included || included.has(file)).sort();
}
