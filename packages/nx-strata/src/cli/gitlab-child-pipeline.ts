import { GITLAB_TEMPLATES, yamlString } from '../model/gitlab-job-templates';
import type { MatrixEntry } from './matrix-entries';

/** A job variable's value: quoted, and `$` doubled, GitLab's escape, so a file name in `why` never expands a variable. */
const variable = (value: string) => yamlString(value.split('$').join('$$'));

export interface GitlabChildOptions {
  /** The base and head Nx compared (published with `nx affected` against the same pair). */
  base: string;
  head: string;
}

/** The job name of one (project, platform) pair, as GitLab shows it. */
const gitlabBuildJobName = (entry: Pick<MatrixEntry, 'project' | 'platform'>) => `build ${entry.project} ${entry.platform}`;

/**
 * The jobs of the GitLab child pipeline for one matrix: one build job per affected (project, platform), which extends
 * the build template with its values as job variables (quoted, so the scripts read them as "$PROJECT", never as text),
 * and the runner tag of its platform; then publish (the template runs it on trusted pipelines only) and a summary of
 * the pairs. Nothing affected:
 * one job that says so, because GitLab refuses a child pipeline without jobs. The templates file is prepended to this
 * text by the plan job (`cat`), so the child needs no include. Pure.
 */
export function gitlabChildJobs(entries: MatrixEntry[], options: GitlabChildOptions): string {
  const lines = [
    '# Written by `nx-strata matrix --format gitlab`: the jobs of this run, one per affected (project, platform).',
    'variables:',
    `  NX_BASE: ${yamlString(options.base)}`,
    `  NX_HEAD: ${yamlString(options.head)}`,
    '',
  ];
  if (entries.length === 0) {
    lines.push(`${yamlString('nothing affected')}:`, `  extends: ${GITLAB_TEMPLATES.nothing}`, '');
    return lines.join('\n');
  }
  for (const entry of entries) {
    lines.push(
      `${yamlString(gitlabBuildJobName(entry))}:`,
      `  extends: ${GITLAB_TEMPLATES.build}`,
      '  variables:',
      `    PROJECT: ${yamlString(entry.project)}`,
      `    PLATFORM: ${yamlString(entry.platform)}`,
      `    TARGET: ${yamlString(entry.target)}`,
      `    VERIFY: ${yamlString(entry.verify)}`,
      `    LINT: ${yamlString(String(entry.lint))}`,
      `    QEMU: ${yamlString(String(entry.qemu))}`,
      `    LAYERS: ${yamlString(String(entry.layers.length))}`,
      `    WHY: ${variable(entry.why)}`,
      ...(entry.runner ? [`  tags: [${yamlString(entry.runner)}]`] : []),
      '',
    );
  }
  const summary = entries.map(
    (entry) =>
      `${entry.project} ${entry.platform} on ${entry.runner || 'any runner'}${entry.qemu ? ' (QEMU)' : ''}: ${entry.layers.length} affected layer${entry.layers.length === 1 ? '' : 's'} (${entry.why})`,
  );
  lines.push(
    'publish:',
    `  extends: ${GITLAB_TEMPLATES.publish}`,
    '',
    'summary:',
    `  extends: ${GITLAB_TEMPLATES.summary}`,
    '  variables:',
    `    SUMMARY: ${variable(summary.join('\n'))}`,
    '',
  );
  return lines.join('\n');
}
