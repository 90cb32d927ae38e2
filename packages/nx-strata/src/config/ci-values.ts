/**
 * Values that reach a generated CI file or a shell line in it (project names, platforms, runner labels, branches)
 * must be plain data there: no quote, `$`, backtick, space, newline, `#`, `:` or YAML indicator. Nx accepts project
 * names such as `web$(touch${IFS}/tmp/x)`; a pipeline must never run them.
 */
const PLAIN_VALUE = /^[A-Za-z0-9_@][A-Za-z0-9@._/-]*$/;
/** A workspace directory may also start with a dot (`.nx/strata-history`). */
const PLAIN_DIRECTORY = /^[A-Za-z0-9_@.][A-Za-z0-9@._/-]*$/;

export type CiValueKind =
  'project name' | 'platform' | 'runner label' | 'branch' | 'tag pattern' | 'target name' | 'environment' | 'directory';

/** Why `value` cannot go into a CI file or shell line as data, or undefined when it can. Pure. */
export function ciValueProblem(kind: CiValueKind, value: string): string | undefined {
  const plain = kind === 'directory' ? PLAIN_DIRECTORY : PLAIN_VALUE;
  if (plain.test(value) && !value.includes('..') && value.length <= 200) return undefined;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return `the ${kind} ${shown} has characters a shell or YAML would read as code (only letters, digits and @ . _ / - are taken, starting with a letter, digit, _ or @)`;
}

/**
 * Why `revision` cannot be handed on as a git revision in a generated file (quoted there, and read by its scripts as
 * `"$NX_BASE"`), or undefined. Every revision git accepts is taken (`HEAD~1`, `main^`, `origin/main`, `v1.2@{1}`, a
 * SHA); refused only what git would read as an option (a leading `-`), what a line cannot hold (control characters),
 * `$` (GitLab expands variables in job variables) and the empty or overlong. Pure.
 */
export function revisionProblem(revision: string): string | undefined {
  const shown = JSON.stringify(revision.length > 80 ? `${revision.slice(0, 80)}…` : revision);
  if (!revision.trim() || revision.length > 200) return `the revision ${shown} is empty or longer than 200 characters`;
  if (revision.startsWith('-')) return `the revision ${shown} starts with "-", which git would read as an option`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(revision)) return `the revision ${shown} holds a control character (a newline, a tab)`;
  if (revision.includes('$')) return `the revision ${shown} holds "$", which GitLab would expand as a variable`;
  return undefined;
}
