import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './paths';

/** One `npm publish` the stand-in received: the package, the versions and dist-tags it carried, and whether it was authorised. */
export interface NpmPublish {
  name: string;
  versions: string[];
  distTags: Record<string, string>;
  authorized: boolean;
}

/**
 * A stand-in npm registry (fixtures/npm-registry/serve.mjs) in its own process on a local port, for the JS package of a
 * mixed release group: it knows no package and records each publish with whether its token was the one given here.
 */
export class NpmRegistryStandIn {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(token: string): Promise<NpmRegistryStandIn> {
    const dir = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-npm-'));
    const child = spawn(process.execPath, [join(FIXTURES, 'npm-registry/serve.mjs'), join(dir, 'published.jsonl'), token], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the stand-in npm registry did not start within 10 s')), 10_000);
      child.stdout!.once('data', (data: Buffer) => {
        clearTimeout(timer);
        resolve(data.toString().trim());
      });
      child.once('exit', (code) => reject(new Error(`the stand-in npm registry exited with ${code}`)));
    });
    return new NpmRegistryStandIn(child, dir, `http://127.0.0.1:${port}/`);
  }

  /** Every publish received so far, in order. */
  published(): NpmPublish[] {
    const log = join(this.dir, 'published.jsonl');
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as NpmPublish);
  }

  close(): void {
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
