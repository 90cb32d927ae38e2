import { globAsync, logger, readNxJson, type Tree } from 'nx/src/devkit-exports';
import { branchName, gitRemoteNames, gitRemoteUrl } from '../../utils/branch-names';
import { ciValueProblem, type CiValueKind } from '../../config/ci-values';
import { findStrataPluginEntry, normalizePluginOptions, type StrataPluginOptions } from '../../config/plugin-options';
import { STRATA_CONFIG_GLOB } from '../../config/strata-config';
import { readImageFamily, type ImageFamily } from '../../model/image-family';
import { githubRepositoryOf, readWorkflowPublishing } from '../init/lib/workflow-publishing';
import { workingBranches } from '../init/lib/working-branch';
import { GITHUB_WORKFLOW_PATH, repositoryWorkflows } from '../lib/repository-workflows';
import { githubWorkflow } from './github-workflow';
import { pipelinePublishing, type PipelinePublishing } from './repository-publishing';
import { describePackageManager, detectToolchain } from './toolchain';
import {
  GITLAB_HEADER,
  GITLAB_INCLUDED_PATH,
  GITLAB_PIPELINE_PATH,
  GITLAB_TEMPLATES_PATH,
  gitlabJobTemplates,
  gitlabPipeline,
  type GitlabPipelineOptions,
} from './gitlab-pipeline';
import type { CiGeneratorSchema } from './schema';

export { GITHUB_WORKFLOW_PATH };
export { GITLAB_INCLUDED_PATH, GITLAB_PIPELINE_PATH, GITLAB_TEMPLATES_PATH };
const DEFAULT_REGISTRY = 'ghcr.io/${{ github.repository_owner }}';
/**
 * GitLab's defaults: the trusted namespace is another project's registry (the job token of any pipeline, a merge
 * request's too, writes this project's own), the untrusted one is this project's registry.
 */
const GITLAB_DEFAULT_REGISTRY = '$CI_REGISTRY/$CI_PROJECT_NAMESPACE/nx-strata-trusted';
const GITLAB_DEFAULT_UNTRUSTED = '$CI_REGISTRY_IMAGE/untrusted';
/** The GitLab variables a registry path may name, as plain stand-ins for the check below. */
const GITLAB_REGISTRY_VARIABLES: Array<[string, string]> = [
  ['$CI_REGISTRY_IMAGE', 'registry.example.com/group/project'],
  ['$CI_REGISTRY', 'registry.example.com'],
  ['$CI_PROJECT_NAMESPACE', 'group'],
];
/** A registry path: lower-case host and namespace (OCI names are lower-case); the default's owner expression aside. */
const REGISTRY = /^[a-z0-9][a-z0-9.-]*(:\d+)?(\/[a-z0-9._-]+)*$/;

/** `nx g nx-strata:ci`: writes the CI pipeline for GitHub Actions (github-workflow.ts) or GitLab CI (gitlab-pipeline.ts). */
export async function ciGenerator(tree: Tree, options: CiGeneratorSchema = {}): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const entry = findStrataPluginEntry(nxJson.plugins);
  if (!entry)
    logger.warn('nx-strata: the plugin is not registered in nx.json; run `nx g nx-strata:init` first, or the pipeline will find no layers');
  const remotes = gitRemoteNames(tree.root);
  const plugin = normalizePluginOptions(
    typeof entry === 'object' ? (entry.options as StrataPluginOptions) : undefined,
    nxJson.defaultBase,
    remotes,
  );
  const provider = options.provider ?? 'github';
  if (provider !== 'github' && provider !== 'gitlab')
    throw new Error(`nx-strata:ci: --provider=${String(provider)} is not supported; use --provider=github or --provider=gitlab`);
  const gitlab = provider === 'gitlab';
  const registry = options.registry ?? plugin.registry ?? (gitlab ? GITLAB_DEFAULT_REGISTRY : DEFAULT_REGISTRY);
  const untrustedRegistry =
    options.untrustedRegistry ??
    plugin.untrustedRegistry ??
    (gitlab && registry === GITLAB_DEFAULT_REGISTRY ? GITLAB_DEFAULT_UNTRUSTED : `${registry}/untrusted`);
  const workflowFiles = await repositoryWorkflows(tree);
  const mainBranch = options.mainBranch ? [branchName(options.mainBranch, remotes)] : [];
  // Where the repository works and releases, when neither --mainBranch nor the plugin's trustedBranches say.
  const explicit = typeof entry === 'object' && (entry.options as StrataPluginOptions | undefined)?.trustedBranches !== undefined;
  const working = mainBranch.length || explicit ? undefined : workingBranches(tree.root, workflowFiles, remotes);
  if (working)
    logger.info(
      `nx-strata: trusted branch${working.branches.length === 1 ? '' : 'es'} ${working.branches.join(', ')}, from ${working.source}${nxJson.defaultBase ? ` (nx.json's defaultBase is ${nxJson.defaultBase})` : ''}; --mainBranch sets another`,
    );
  const trustedBranches = [...new Set([...mainBranch, ...(working?.branches ?? plugin.trustedBranches)])];
  const families = await imageFamilies(tree, plugin);
  const toolchain = detectToolchain((path) => tree.read(path, 'utf-8'));
  logger.info(
    `nx-strata: the pipeline sets up Node ${toolchain.node.imageTag} (${toolchain.node.source}) and ${describePackageManager(toolchain.packageManager)} (${toolchain.packageManager.source}), installing with \`${toolchain.packageManager.install}\``,
  );
  const workflow = {
    toolchain,
    trustedBranches,
    // GitHub's default label is applied where the workflow is written; GitLab's default is no tag (any runner).
    runner: options.runner,
    arm64Runner: options.arm64Runner,
    remoteCache: options.remoteCache ?? 'self-hosted',
    registry,
    untrustedRegistry,
    trustedEnvironment: options.trustedEnvironment ?? 'nx-strata-trusted',
    buildTargetName: plugin.buildTargetName,
    publishTargetName: plugin.publishTargetName,
    historyDir: plugin.historyDir,
    signing: families.some(signs),
  } as const;

  // Everything written into the workflow as text must be data there, never YAML or shell.
  const checks: Array<[string, CiValueKind, string | undefined]> = [
    ...trustedBranches.map((branch): [string, CiValueKind, string] => ['trusted branch', 'branch', branch.replace(/\*+/g, 'x')]),
    ['--runner', 'runner label', workflow.runner],
    ['--arm64Runner', 'runner label', workflow.arm64Runner],
    ['--trustedEnvironment', 'environment', workflow.trustedEnvironment],
    ['buildTargetName', 'target name', workflow.buildTargetName],
    ['publishTargetName', 'target name', workflow.publishTargetName],
    ['historyDir', 'directory', workflow.historyDir],
    ...imageProjects(families).map((project): [string, CiValueKind, string] => ['image project', 'project name', project]),
  ];
  const problems = checks.flatMap(([what, kind, value]) => {
    const problem = value === undefined ? undefined : ciValueProblem(kind, value);
    return problem ? [`${what}: ${problem}`] : [];
  });
  for (const [what, value] of [
    ['--registry', registry],
    ['--untrustedRegistry', untrustedRegistry],
  ] as const) {
    const plain = GITLAB_REGISTRY_VARIABLES.reduce(
      (text, [variable, standIn]) => (gitlab ? text.split(variable).join(standIn) : text),
      value.replace(DEFAULT_REGISTRY, 'ghcr.io/owner'),
    );
    if (!REGISTRY.test(plain)) problems.push(`${what}: ${JSON.stringify(value)} is not a lower-case registry path such as ghcr.io/acme`);
  }
  if (untrustedRegistry === registry)
    problems.push('--untrustedRegistry is the trusted registry itself: pull requests would write what main publishes');
  if (gitlab && registry.startsWith('$CI_REGISTRY_IMAGE'))
    problems.push(
      "--registry is this project's own registry, which the job token of every pipeline (a merge request's too) can write: use another project's registry for the trusted namespace",
    );
  if (problems.length) {
    throw new Error(
      `nx-strata:ci: refusing to write a workflow that would run these as code or break its trust:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n  → rename them to plain names (letters, digits, @ . _ / -)`,
    );
  }
  const publishing = repositoryPublishing(tree, workflowFiles, families, registry, options.publishOn ?? 'auto');
  if (gitlab) {
    writeGitlabPipeline(tree, {
      publishing,
      toolchain,
      trustedBranches,
      runnerTag: workflow.runner,
      arm64RunnerTag: workflow.arm64Runner,
      engine: options.dockerEngine ?? 'dind',
      remoteCache: workflow.remoteCache,
      registry,
      untrustedRegistry,
      buildTargetName: workflow.buildTargetName,
      publishTargetName: workflow.publishTargetName,
      historyDir: workflow.historyDir,
      templatesPath: GITLAB_TEMPLATES_PATH,
    });
    return;
  }
  tree.write(GITHUB_WORKFLOW_PATH, githubWorkflow({ ...workflow, runner: workflow.runner ?? 'ubuntu-latest', publishing }));
  logger.info(
    `nx-strata: wrote ${GITHUB_WORKFLOW_PATH}; create the GitHub environment "${workflow.trustedEnvironment}" with the secrets it names at its top, then push`,
  );
}

/**
 * How the repository publishes its images today, read from its own workflows (never the one this generator writes):
 * what publishes on release tags, and the credentials it logs in to each publish registry with. Says what it chose.
 */
function repositoryPublishing(
  tree: Tree,
  workflowFiles: Array<{ path: string; text: string }>,
  families: ImageFamily[],
  registry: string,
  publishOn: 'auto' | 'tag' | 'branch',
): PipelinePublishing {
  const repository = githubRepositoryOf(gitRemoteUrl(tree.root) ?? '');
  const workflows = workflowFiles.flatMap(({ path, text }) => {
    const publishing = readWorkflowPublishing(text, path, { repository });
    return publishing ? [{ file: path, publishing }] : [];
  });
  const images = families.flatMap((family) => {
    const project = family.tasks[0]?.project;
    if (!project) return [];
    const registries = [family.config.publish, ...Object.values(family.config.variants ?? {}).map((variant) => variant.publish)].flatMap(
      (publish) => publish?.registries ?? [],
    );
    return [{ project, image: family.config.image, registries }];
  });
  const publishing = pipelinePublishing({ images, workflows, trustedHost: registry.split('/')[0], publishOn });
  for (const note of publishing.notes) logger.info(`nx-strata: ${note}`);
  return publishing;
}

/**
 * Writes the GitLab pipeline and its job templates. A .gitlab-ci.yml of the team's own is never overwritten: the
 * pipeline then goes beside it, to be included.
 */
function writeGitlabPipeline(tree: Tree, pipeline: GitlabPipelineOptions): void {
  const existing = tree.exists(GITLAB_PIPELINE_PATH) ? (tree.read(GITLAB_PIPELINE_PATH, 'utf-8') ?? '') : undefined;
  const ours = existing === undefined || existing.startsWith(GITLAB_HEADER);
  const path = ours ? GITLAB_PIPELINE_PATH : GITLAB_INCLUDED_PATH;
  tree.write(path, gitlabPipeline(pipeline));
  tree.write(GITLAB_TEMPLATES_PATH, gitlabJobTemplates(pipeline));
  if (!ours)
    logger.warn(
      `nx-strata: ${GITLAB_PIPELINE_PATH} is your own, so it is left as it is; the nx-strata pipeline is in ${GITLAB_INCLUDED_PATH}.\n  → add "include: [{ local: ${GITLAB_INCLUDED_PATH} }]" to ${GITLAB_PIPELINE_PATH} and the stages plan and build to its stages`,
    );
  logger.info(
    `nx-strata: wrote ${path} and ${GITLAB_TEMPLATES_PATH}; protect ${pipeline.trustedBranches.join(', ')} and set the protected variables named at the top of ${path}, then push`,
  );
}

/** The Nx names of the workspace's image projects, as the plugin names them: the same ones the plugin and the CLI see. */
function imageProjects(families: ImageFamily[]): string[] {
  return [...new Set(families.flatMap((family) => family.tasks.map((task) => task.project)))];
}

/** The workspace's image families (a strata.json it cannot read yet is left out), from the files Nx lists. */
async function imageFamilies(tree: Tree, plugin: ReturnType<typeof normalizePluginOptions>): Promise<ImageFamily[]> {
  const configFiles = await globAsync(tree, [STRATA_CONFIG_GLOB]);
  return configFiles.flatMap((configFile) => {
    try {
      return [readImageFamily(configFile, tree.root, plugin)];
    } catch {
      return [];
    }
  });
}

/** Whether a family signs what it publishes (publish.sign at the top or in a variant). */
function signs(family: ImageFamily): boolean {
  return !!family.config.publish?.sign || Object.values(family.config.variants ?? {}).some((variant) => !!variant.publish?.sign);
}

export default ciGenerator;
