import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import fg from 'fast-glob';
import {
  checkPluginOptionPaths,
  findStrataPluginEntry,
  normalizePluginOptions,
  type NormalizedPluginOptions,
  type StrataPluginOptions,
} from '../config/plugin-options';
import { readImageFamily, type ImageFamily } from '../model/image-family';

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
  plugins?: Array<string | { plugin: string; options?: StrataPluginOptions }>;
}

/** The workspace around `cwd`: its root, nx.json, the plugin's options and its strata.json files. */
export function openWorkspace(cwd: string, configFile?: string): StrataWorkspace {
  const workspaceRoot = findWorkspaceRoot(cwd);
  const nxJson = readNxJson(workspaceRoot);
  const pluginOptions = pluginOptionsOf(nxJson, workspaceRoot);
  const configFiles = configFile
    ? [relative(workspaceRoot, resolve(cwd, configFile)).split('\\').join('/')]
    : findStrataConfigs(workspaceRoot);
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
  const options = normalizePluginOptions(typeof entry === 'object' ? entry.options : undefined, nxJson.defaultBase);
  checkPluginOptionPaths(options, workspaceRoot);
  return options;
}

/** Every strata.json of the workspace, workspace-relative, sorted. */
export function findStrataConfigs(workspaceRoot: string): string[] {
  return fg.sync('**/strata.json', { cwd: workspaceRoot, ignore: ['**/node_modules/**', '**/.nx/**', '**/dist/**', '**/.git/**'] }).sort();
}
