/**
 * The one place nx-strata starts child processes. Argument arrays only, never a shell string.
 * execa 9 is ESM-only: TypeScript's node16 module mode keeps this CommonJS file's `import()` a real dynamic import.
 */
export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Also copy the child's stdout/stderr to ours as it runs (build logs). */
  stream?: boolean;
  /** Kills the child when aborted (an interrupted build). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Written to the child's stdin (then closed), e.g. the server URL for a docker credential helper. */
  input?: string;
}

export interface ExecResult {
  command: string[];
  exitCode: number | undefined;
  /** Set when the child was killed by a signal (interrupted). */
  signal?: string;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT...). */
  failedToStart?: Error;
  /** Set when `timeoutMs` passed and the child was killed. */
  timedOut?: boolean;
}

/** Runs a program to completion. Never throws for a non-zero exit: the caller decides what it means. */
export async function execCommand(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { execa } = await import('execa');
  const command = [file, ...args];
  const output = options.stream ? (['pipe', 'inherit'] as const) : ('pipe' as const);
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    stdout: output,
    stderr: output,
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  // No exit code and no signal: the program never ran (ENOENT, EACCES...). `cause` may come from another realm under jest.
  const neverRan = result.exitCode === undefined && !result.signal && !result.isCanceled && !result.timedOut;
  const failedToStart = neverRan ? new Error(result.shortMessage ?? String(result.cause), { cause: result.cause }) : undefined;
  return {
    command,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    failedToStart,
    ...(result.timedOut ? { timedOut: true } : {}),
  };
}

/** The last `count` non-empty lines of a program's output, for error messages. */
export function lastLines(text: string, count = 15): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

/** How a command reads in a message: arguments with spaces quoted. */
export function formatCommand(command: readonly string[]): string {
  return command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}
