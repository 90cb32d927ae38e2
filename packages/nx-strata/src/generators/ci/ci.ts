import { logger, readNxJson, type Tree } from '@nx/devkit';
import { findStrataPluginEntry, normalizePluginOptions, type StrataPluginOptions } from '../../config/plugin-options';
import { githubWorkflow } from './github-workflow';
import type { CiGeneratorSchema } from './schema';

export const GITHUB_WORKFLOW_PATH = '.github/workflows/nx-strata.yml';

/** `nx g nx-strata:ci --provider=github`: writes the CI pipeline (see github-workflow.ts). */
export async function ciGenerator(tree: Tree, options: CiGeneratorSchema = {}): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const entry = findStrataPluginEntry(nxJson.plugins);
  if (!entry)
    logger.warn('nx-strata: the plugin is not registered in nx.json; run `nx g nx-strata:init` first, or the pipeline will find no layers');
  const plugin = normalizePluginOptions(typeof entry === 'object' ? (entry.options as StrataPluginOptions) : undefined, nxJson.defaultBase);
  const provider = options.provider ?? 'github';
  if (provider !== 'github') throw new Error(`nx-strata:ci: --provider=${provider} is not supported yet; use --provider=github`);
  tree.write(
    GITHUB_WORKFLOW_PATH,
    githubWorkflow({
      mainBranch: options.mainBranch ?? nxJson.defaultBase ?? 'main',
      runner: options.runner ?? 'ubuntu-latest',
      arm64Runner: options.arm64Runner,
      remoteCache: options.remoteCache ?? 'self-hosted',
      registry: options.registry ?? plugin.registry ?? 'ghcr.io/${{ github.repository_owner }}',
      buildTargetName: plugin.buildTargetName,
      publishTargetName: plugin.publishTargetName,
      historyDir: plugin.historyDir,
    }),
  );
  logger.info(`nx-strata: wrote ${GITHUB_WORKFLOW_PATH}; set the secrets it names at its top, then push`);
}

export default ciGenerator;
