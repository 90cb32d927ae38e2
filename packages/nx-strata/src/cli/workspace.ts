import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fg from 'fast-glob';
import {
  checkPluginOptionPaths,
  findStrataPluginEntry,
  normalizePluginOptions,
  type NormalizedPluginOptions,
  type StrataPluginOptions,
} from '../config/plugin-options';

/** The Nx workspace around `from`: the nearest directory with nx.json. */
export function findWorkspaceRoot(from: string): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'nx.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`no nx.json in ${from} or above: run nx-strata inside an Nx workspace`);
  }
}

/** The options of the nx-strata entry in nx.json (defaults when the plugin is listed without options). */
export function readPluginOptions(workspaceRoot: string): NormalizedPluginOptions {
  const nxJson = JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as {
    plugins?: Array<string | { plugin: string; options?: StrataPluginOptions }>;
  };
  const entry = findStrataPluginEntry(nxJson.plugins);
  const options = normalizePluginOptions(typeof entry === 'object' ? entry.options : undefined);
  checkPluginOptionPaths(options, workspaceRoot);
  return options;
}

/** Every strata.json of the workspace, workspace-relative, sorted. */
export function findStrataConfigs(workspaceRoot: string): string[] {
  return fg.sync('**/strata.json', { cwd: workspaceRoot, ignore: ['**/node_modules/**', '**/.nx/**', '**/dist/**', '**/.git/**'] }).sort();
}
