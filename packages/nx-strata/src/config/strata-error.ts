/**
 * An error in user input (strata.json, a Dockerfile, nx.json options) that names where it is and what to do.
 * `file` is workspace-relative; `line` and `column` are 1-based.
 */
export class StrataInputError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint: string;

  constructor(options: { file: string; line?: number; column?: number; problem: string; hint: string; cause?: unknown }) {
    const where = options.line ? `${options.file}:${options.line}${options.column ? `:${options.column}` : ''}` : options.file;
    super(`${where}: ${options.problem}\n  → ${options.hint}`, { cause: options.cause });
    this.name = 'StrataInputError';
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.hint = options.hint;
  }
}
