import { globAsync, logger, readNxJson, type Tree } from 'nx/src/devkit-exports';
import { posix } from 'node:path';
import { unsupportedNxProblem, workspaceNxVersion } from '../../config/nx-version';
import { findStrataPluginEntry, PLUGIN_NAME, type StrataPluginOptions } from '../../config/plugin-options';
import { formatNewJson } from '../lib/format-created';
import { appendToJsonArray, formattingOf, parseJsonText } from '../lib/json-text';
import { repositoryWorkflows } from '../lib/repository-workflows';
import { isDockerfileName } from './lib/dockerfile-facts';
import type { ContextReads } from '../../dockerfile/context-files';
import { proposedContextWarnings } from './lib/context-warnings';
import { proposeStrataConfig } from './lib/propose-strata-config';
import { githubRepositoryOf } from './lib/workflow-publishing';
import { branchName, gitRemoteNames, gitRemoteUrl } from '../../utils/branch-names';
import { workingBranches } from './lib/working-branch';
import type { InitGeneratorSchema } from './schema';

const SKIPPED_DIRECTORIES = /(^|\/)(node_modules|\.git|\.nx|dist|tmp)\//;

/**
 * `nx add nx-strata` / `nx g nx-strata:init`: registers the plugin in nx.json and, when the workspace has Dockerfiles
 * and no strata.json yet, proposes one that reproduces the layer chains it can infer. Running it again changes nothing.
 */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  // An Nx the plugin cannot serve would fail every later nx command once nx.json names it: refuse before touching it.
  const unsupported = unsupportedNxProblem(workspaceNxVersion(tree.root));
  if (unsupported) throw new Error(`nx-strata:init: ${unsupported}. nx.json was not changed.`);
  registerPlugin(tree, await trustedBranchesOption(tree));
  if (!options.skipStrataConfig) await proposeStrataJson(tree, options);
}

export default initGenerator;

/**
 * Adds the plugin to nx.json's `plugins` by editing the text in place: the rest of the file keeps its bytes (tabs,
 * inline arrays, comments, key order), where Nx's `updateNxJson` would write the whole file again in its own format.
 */
function registerPlugin(tree: Tree, options: StrataPluginOptions): void {
  const entry = { plugin: PLUGIN_NAME, options };
  const text = tree.read('nx.json', 'utf-8');
  if (text === null) {
    const created = { $schema: './node_modules/nx/schemas/nx-schema.json', plugins: [entry] };
    tree.write('nx.json', `${JSON.stringify(created, null, 2)}\n`);
    logger.info('nx-strata: created nx.json and registered the plugin in it');
    return;
  }
  const nxJson = parseJsonText<{ plugins?: Array<string | { plugin: string; options?: StrataPluginOptions }> } | null>(text, 'nx.json');
  if (findStrataPluginEntry(nxJson?.plugins ?? [])) {
    logger.info(`nx-strata: already registered in nx.json`);
    return;
  }
  tree.write('nx.json', appendToJsonArray(text.trim() === '' ? '{}\n' : text, 'nx.json', ['plugins'], entry));
  logger.info(`nx-strata: registered the plugin in nx.json`);
}

/**
 * The plugin's `trustedBranches` when the repository works and releases on other branches than nx.json's
 * defaultBase names (its remote's default branch, the push branches of its publishing workflows), said once;
 * nothing when they agree, so the entry stays `{}` and the default applies.
 */
async function trustedBranchesOption(tree: Tree): Promise<StrataPluginOptions> {
  const workflows = await repositoryWorkflows(tree);
  const remotes = gitRemoteNames(tree.root);
  const working = workingBranches(tree.root, workflows, remotes);
  let defaultBase: string | undefined;
  try {
    defaultBase = readNxJson(tree)?.defaultBase;
  } catch {
    // an nx.json that is not JSON: registerPlugin names the file and line
  }
  const fallback = branchName(defaultBase ?? 'main', remotes);
  if (!working || (working.branches.length === 1 && working.branches[0] === fallback)) return {};
  logger.info(
    `nx-strata: trusted branch${working.branches.length === 1 ? '' : 'es'} ${working.branches.join(', ')}, from ${working.source} (nx.json's defaultBase ${defaultBase ? `is ${defaultBase}` : 'is not set'}): written to the plugin's trustedBranches, which the generated pipeline runs its trusted jobs on`,
  );
  return { trustedBranches: working.branches };
}

async function proposeStrataJson(tree: Tree, options: InitGeneratorSchema): Promise<void> {
  const dockerfiles: Array<{ path: string; text: string }> = [];
  const makefiles: Array<{ path: string; text: string }> = [];
  const shellScripts: Array<{ path: string; text: string }> = [];
  const composeFiles: Array<{ path: string; text: string }> = [];
  const workflows: Array<{ path: string; text: string }> = [];
  const packageJsons: Array<{ path: string; text: string }> = [];
  const strataFiles: string[] = [];
  const read = (path: string) => ({ path, text: tree.read(path, 'utf-8') ?? '' });
  // Nx's own file list: what .gitignore and .nxignore leave, dot-directories included (.github, .deploy).
  for (const path of (await globAsync(tree, ['**/*'])).sort()) {
    if (SKIPPED_DIRECTORIES.test(path)) continue;
    const name = posix.basename(path);
    if (name === 'strata.json') strataFiles.push(path);
    else if (isDockerfileName(name)) dockerfiles.push(read(path));
    else if (/^(gnu)?makefile$|\.mk$/i.test(name)) makefiles.push(read(path));
    else if (/\.(ba)?sh$/i.test(name)) shellScripts.push(read(path));
    else if (/^(docker-)?compose[^/]*\.ya?ml$/i.test(name)) composeFiles.push(read(path));
    else if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) workflows.push(read(path));
    else if (name === 'package.json') packageJsons.push(read(path));
  }
  if (strataFiles.length > 0) {
    logger.info(
      `nx-strata: ${strataFiles.join(', ')} already describe${strataFiles.length === 1 ? 's' : ''} the images; not proposing another`,
    );
    return;
  }
  if (dockerfiles.length === 0) {
    logger.info('nx-strata: no Dockerfiles found, so no strata.json was written. Add one when you have images (see the nx-strata README).');
    return;
  }
  const proposal = proposeStrataConfig({
    dockerfiles,
    makefiles,
    shellScripts,
    composeFiles,
    packageJsons,
    workflows,
    repository: githubRepositoryOf(gitRemoteUrl(tree.root) ?? ''),
    fallbackImage: options.image ?? packageImageName(tree),
    exists: (path) => tree.exists(path),
  });
  const lines = [
    `nx-strata: read ${proposal.dockerfiles} Dockerfile${proposal.dockerfiles === 1 ? '' : 's'}${proposal.makefileBuilds ? ` and ${proposal.makefileBuilds} docker build${proposal.makefileBuilds === 1 ? '' : 's'} in build files (Makefiles, scripts, package.json scripts, compose files, workflows)` : ''}`,
  ];
  lines.push(...proposal.findings.map((finding) => `  inferred: ${finding}`));
  // One short block per image: each proposed value and the file and line it came from.
  for (const file of proposal.files)
    if (file.sources?.length) lines.push(`  ${file.path}, from:`, ...file.sources.map((source) => `    ${source}`));
  if (proposal.leftOut.length > 0)
    lines.push(
      `  left out (no workflow, compose file, Makefile, package.json script or shell script builds them; add one by hand if you ship it): ${proposal.leftOut.join(', ')}`,
    );
  logger.info(lines.join('\n'));
  if (proposal.gaps.length > 0) logger.warn(['nx-strata: could not infer:', ...proposal.gaps.map((gap) => `  - ${gap}`)].join('\n'));
  if (proposal.files.length === 0) {
    logger.warn('nx-strata: no strata.json was written; write one by hand (see the nx-strata README).');
    return;
  }
  const like = formattingOf(tree.read('nx.json', 'utf-8') ?? '');
  const warnings = new Set<string>();
  const unmade = new Set<string>();
  const walks = new Map<string, ContextReads>();
  for (const file of proposal.files) {
    // Never over a strata.json that is there (one Nx's file list did not show yet): init changes nothing the second time.
    if (tree.exists(file.path)) continue;
    try {
      const found = proposedContextWarnings(tree.root, file.path, file.config, (path) => tree.read(path, 'utf-8'), walks);
      for (const warning of found.sent) warnings.add(warning);
      for (const line of found.unmade) unmade.add(line);
    } catch (error) {
      // A proposal the planner cannot read is still written: the user fixes it, and inspect says the rest.
      logger.warn(`nx-strata: could not check what the build contexts of ${file.path} send (${(error as Error).message})`);
    }
    const config = {
      $schema: `${posix.relative(posix.dirname(file.path), '.') || '.'}/node_modules/nx-strata/strata.schema.json`,
      ...file.config,
    };
    tree.write(file.path, await formatNewJson(tree.root, file.path, config, like));
  }
  if (warnings.size > 0)
    logger.warn(
      ['nx-strata: the proposed build contexts send more than the images need:', ...[...warnings].map((line) => `  - ${line}`)].join('\n'),
    );
  if (unmade.size > 0)
    logger.warn(
      [
        'nx-strata: layers copy what exists nowhere (made by a step nx-strata cannot see yet):',
        ...[...unmade].map((line) => `  - ${line}`),
      ].join('\n'),
    );
  logger.info(
    `nx-strata: proposed ${proposal.files.map((file) => file.path).join(', ')}; check ${proposal.files.length === 1 ? 'it' : 'them'}, then \`npx nx show projects\` and \`npx nx-strata inspect\` show the targets.`,
  );
}

function packageImageName(tree: Tree): string {
  try {
    const name = (JSON.parse(tree.read('package.json', 'utf-8') ?? '{}') as { name?: string }).name;
    if (name) return name.replace(/^@/, '');
  } catch {
    // no usable package.json: fall through to the directory name
  }
  return (
    posix
      .basename(tree.root)
      .toLowerCase()
      .replace(/[^a-z0-9._/-]+/g, '-') || 'app'
  );
}
