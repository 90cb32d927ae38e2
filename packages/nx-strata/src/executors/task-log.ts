import type { logger as NxLogger } from 'nx/src/devkit-exports';

/**
 * Where an executor's messages go. One task alone logs through Nx's logger; a task in a batch (many tasks in one
 * process, some at once) writes to its own buffer, which becomes that task's terminal output in Nx.
 */
export interface TaskLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * A child process's whole output once it ended (it was also streamed to the terminal as it came, so a long build
   * shows progress in a batch too): a batched task keeps it for its own terminal output; one task alone has shown it.
   */
  childOutput(text: string): void;
}

// Loaded on first use: a batch of tasks never needs Nx's logger, and Nx's devkit exports take about 70 ms to load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nxLogger = (): typeof NxLogger => (require('nx/src/devkit-exports') as { logger: typeof NxLogger }).logger;

export const NX_TASK_LOG: TaskLog = {
  info: (message) => nxLogger().info(message),
  warn: (message) => nxLogger().warn(message),
  error: (message) => nxLogger().error(message),
  childOutput: () => undefined,
};

/** One batched task's log: every line kept, in order, for the task's terminal output. */
export class BufferedTaskLog implements TaskLog {
  private readonly chunks: string[] = [];

  info(message: string): void {
    this.chunks.push(`${message}\n`);
  }
  warn(message: string): void {
    this.chunks.push(`${message}\n`);
  }
  error(message: string): void {
    this.chunks.push(`${message}\n`);
  }
  childOutput(text: string): void {
    this.chunks.push(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  text(): string {
    return this.chunks.join('');
  }
}
