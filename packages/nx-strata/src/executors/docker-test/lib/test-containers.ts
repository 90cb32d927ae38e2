import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { orphanedTestContainers, removeContainersArgs, testContainersArgs } from '../../../engines/container-run';
import { execDocker, startDockerDetached, type DockerHost } from '../../../engines/docker-host';

const REMOVE_TIMEOUT_MS = 60_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Whether no process `pid` runs on this machine (signal 0 checks without sending anything). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The containers one docker-test run starts, each named before it exists (`nx-strata-test-<run>-<n>`) and labelled
 * with its owner, so every way out removes them: the end of the run, a failed or timed-out `docker run` (a container
 * left `Created` by a missing command, or still running after its client was killed), and SIGINT/SIGTERM/SIGHUP
 * (Ctrl-C, Nx ending the task), which no `finally` sees. A run killed outright (SIGKILL) leaves its containers to the
 * next run on the same machine, which removes those whose owner process is gone.
 */
export class TestContainers {
  readonly owner = `${hostname()}:${process.pid}`;
  private readonly run = randomBytes(4).toString('hex');
  private readonly names: string[] = [];
  private readonly onSignal = new Map<string, () => void>();
  private readonly onExit = () => this.removeAllNow();

  constructor(private readonly host: DockerHost) {}

  /** A fresh container name, remembered for removal. */
  next(): string {
    const name = `nx-strata-test-${this.run}-${this.names.length + 1}`;
    this.names.push(name);
    return name;
  }

  /** Removes every container of this run on signals and on exit, until `release`. */
  guard(): void {
    for (const signal of SIGNALS) {
      const handler = () => {
        this.removeAllNow();
        this.release();
        // The default action (end the process) is what the signal asked for, once nobody else handles it.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      this.onSignal.set(signal, handler);
      // First, so a handler that exits the process (as Nx's task wrapper does) cannot run before it.
      process.prependListener(signal, handler);
    }
    process.once('exit', this.onExit);
  }

  release(): void {
    for (const [signal, handler] of this.onSignal) process.removeListener(signal, handler);
    this.onSignal.clear();
    process.removeListener('exit', this.onExit);
  }

  /** Removes the containers this run named (one call; names never created are ignored). */
  async removeAll(): Promise<void> {
    if (this.names.length) await execDocker(this.host, removeContainersArgs(this.names), { timeoutMs: REMOVE_TIMEOUT_MS });
  }

  /** Removes one container by name, e.g. after its `docker run` failed or timed out. */
  async remove(name: string): Promise<void> {
    await execDocker(this.host, removeContainersArgs([name]), { timeoutMs: REMOVE_TIMEOUT_MS });
  }

  /**
   * The same from a signal or `exit` handler: started so that it finishes after this process is gone (Nx ends the
   * task's whole process tree, and a `docker rm` of ours would be ended with it).
   */
  removeAllNow(): void {
    if (this.names.length) startDockerDetached(this.host, removeContainersArgs(this.names));
  }

  /** Removes test containers that runs on this machine left behind when they were killed outright; answers how many. */
  async removeOrphans(): Promise<number> {
    const listed = await execDocker(this.host, testContainersArgs(), { timeoutMs: REMOVE_TIMEOUT_MS });
    if (listed.exitCode !== 0) return 0;
    const orphans = orphanedTestContainers(listed.stdout, hostname(), processGone);
    if (orphans.length) await execDocker(this.host, removeContainersArgs(orphans), { timeoutMs: REMOVE_TIMEOUT_MS });
    return orphans.length;
  }
}
