import { branchName, remoteDefaultBranch } from '../../../utils/branch-names';
import { GITHUB_WORKFLOW_PATH } from '../../lib/repository-workflows';
import { readWorkflowPublishing } from './workflow-publishing';
import { findWorkflowBuilds } from './yaml-docker-builds';

/** The branches a repository works and releases on, and what says so. */
export interface WorkingBranches {
  branches: string[];
  source: string;
}

/**
 * The branches whose pushes a repository publishes from: the remote's default branch (what the clone recorded as
 * `origin/HEAD`) and the push branches of the workflows that publish images (a docker/login-action or
 * docker/metadata-action step, a build that pushes), the generated nx-strata workflow aside. Undefined when neither says anything: the
 * caller keeps nx.json's defaultBase. A negated pattern (`!x`) is not a branch.
 */
export function workingBranches(
  workspaceRoot: string,
  workflows: Array<{ path: string; text: string }>,
  remotes: string[],
): WorkingBranches | undefined {
  const sources: string[] = [];
  const branches: string[] = [];
  const add = (branch: string, source: string) => {
    const name = branchName(branch, remotes);
    if (name.startsWith('!') || branches.includes(name)) return;
    branches.push(name);
    if (!sources.includes(source)) sources.push(source);
  };
  const remoteDefault = remoteDefaultBranch(workspaceRoot);
  if (remoteDefault) add(remoteDefault, "the remote's default branch (origin/HEAD)");
  for (const workflow of workflows) {
    if (workflow.path === GITHUB_WORKFLOW_PATH) continue;
    const publishing = readWorkflowPublishing(workflow.text, workflow.path);
    const publishes =
      !!publishing &&
      (publishing.steps.length > 0 ||
        publishing.logins.length > 0 ||
        findWorkflowBuilds(workflow.text, workflow.path).some((build) => build.published));
    if (!publishing || !publishes) continue;
    for (const branch of publishing.triggers.branches) add(branch, `the pushes ${publishing.triggers.source} publishes from`);
  }
  return branches.length ? { branches, source: sources.join(' and ') } : undefined;
}
