import { GITLAB_TEMPLATES } from '../model/gitlab-job-templates';
import type { MatrixEntry } from './matrix';

export interface GitlabChildOptions {
  /** The base and head Nx compared (published with `nx affected` against the same pair). */
  base: string;
  head: string;
}

/** A YAML double-quoted scalar: JSON's string syntax is YAML's, so no value is ever read as YAML. Pure. */
const quoted = (value: string) => JSON.stringify(value);

/** The job name of one (project, platform) pair, as GitLab shows it. */
export const gitlabBuildJobName = (entry: Pick<MatrixEntry, 'project' | 'platform'>) => `build ${entry.project} ${entry.platform}`;

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
    `  NX_BASE: ${quoted(options.base)}`,
    `  NX_HEAD: ${quoted(options.head)}`,
    '',
  ];
  if (entries.length === 0) {
    lines.push(`${quoted('nothing affected')}:`, `  extends: ${GITLAB_TEMPLATES.nothing}`, '');
    return lines.join('\n');
  }
  for (const entry of entries) {
    lines.push(
      `${quoted(gitlabBuildJobName(entry))}:`,
      `  extends: ${GITLAB_TEMPLATES.build}`,
      '  variables:',
      `    PROJECT: ${quoted(entry.project)}`,
      `    PLATFORM: ${quoted(entry.platform)}`,
      `    TARGET: ${quoted(entry.target)}`,
      `    VERIFY: ${quoted(entry.verify)}`,
      `    LINT: ${quoted(String(entry.lint))}`,
      `    QEMU: ${quoted(String(entry.qemu))}`,
      `    LAYERS: ${quoted(String(entry.layers.length))}`,
      ...(entry.runner ? [`  tags: [${quoted(entry.runner)}]`] : []),
      '',
    );
  }
  const summary = entries.map(
    (entry) =>
      `${entry.project} ${entry.platform} on ${entry.runner || 'any runner'}${entry.qemu ? ' (QEMU)' : ''}: ${entry.layers.length} affected layer${entry.layers.length === 1 ? '' : 's'}`,
  );
  lines.push(
    'publish:',
    `  extends: ${GITLAB_TEMPLATES.publish}`,
    '',
    'summary:',
    `  extends: ${GITLAB_TEMPLATES.summary}`,
    '  variables:',
    `    SUMMARY: ${quoted(summary.join('\n'))}`,
    '',
  );
  return lines.join('\n');
}
