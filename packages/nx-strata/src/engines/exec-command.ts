import { spawnSync } from 'node:child_process';

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
  /**
   * Runs the child in a process group of its own and ends the whole group (SIGKILL) on the timeout, an abort or our
   * own exit: `docker buildx ...` runs buildx as a plugin child of the docker CLI, which outlives a killed docker and
   * keeps its output pipes open.
   */
  killGroup?: boolean;
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
  const group = options.killGroup === true && process.platform !== 'win32';
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    stdout: output,
    stderr: output,
    cancelSignal: options.signal,
    timeout: group ? undefined : options.timeoutMs,
    detached: group,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  let groupTimedOut = false;
  const endGroup = () => {
    try {
      if (subprocess.pid !== undefined) process.kill(-subprocess.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  const timer =
    group && options.timeoutMs !== undefined
      ? setTimeout(() => {
          groupTimedOut = true;
          endGroup();
        }, options.timeoutMs)
      : undefined;
  if (group) {
    options.signal?.addEventListener('abort', endGroup, { once: true });
    process.once('exit', endGroup);
  }
  const result = await subprocess;
  if (timer) clearTimeout(timer);
  if (group) {
    options.signal?.removeEventListener('abort', endGroup);
    process.removeListener('exit', endGroup);
  }
  // No exit code and no signal: the program never ran (ENOENT, EACCES...). `cause` may come from another realm under jest.
  const timedOut = result.timedOut || groupTimedOut;
  const neverRan = result.exitCode === undefined && !result.signal && !result.isCanceled && !timedOut;
  const failedToStart = neverRan ? new Error(result.shortMessage ?? String(result.cause), { cause: result.cause }) : undefined;
  return {
    command,
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    failedToStart,
    ...(timedOut ? { timedOut: true } : {}),
  };
}

/**
 * Starts a program that outlives us: for cleanup in a signal or `exit` handler, where Nx is ending this process and
 * everything below it (SIGTERM, then SIGKILL, to the whole tree). A constant `sh` script starts the program in the
 * background and exits at once, so the program is no longer our child (it is re-parented to init) and no tree kill
 * reaches it; the arguments go in as positional parameters, never into the script. Returns once it is started.
 */
export function startDetached(file: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): void {
  spawnSync('/bin/sh', ['-c', '"$0" "$@" </dev/null >/dev/null 2>&1 &', file, ...args], {
    env: { ...process.env, ...options.env },
    stdio: 'ignore',
    timeout: 5_000,
  });
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
