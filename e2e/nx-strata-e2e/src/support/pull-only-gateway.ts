import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A real registry as GHCR serves a public package: anyone may pull (GET, HEAD), only one login may push. A small
 * gateway in front of an unauthenticated distribution registry, in its own process: writes (and the /v2/ check)
 * without that login get a Basic challenge; everything else is passed through with its own Host, so the registry's
 * upload URLs point back to the gateway.
 */
export class PullOnlyGateway {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(backendPort: number, login: { user: string; password: string }): Promise<PullOnlyGateway> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [join(__dirname, 'pull-only-gateway-server.js'), String(port), String(backendPort), login.user, login.password],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the pull-only gateway exited (${code}) before listening`)));
      child.stdout!.once('data', () => resolve());
    });
    return new PullOnlyGateway(child, port);
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
