import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** A real distribution registry on a free loopback port with fresh storage; stop and start it to simulate outages. */
export class TestRegistry {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly storage: string,
    /** With a login, the registry answers only requests that carry it (distribution's htpasswd auth). */
    readonly login?: { user: string; password: string },
    /** Whether DELETE of manifests and blobs is enabled (distribution's `storage.delete.enabled`). */
    private readonly deletes = true,
  ) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: { login?: { user: string; password: string }; deletes?: boolean } = {}): Promise<TestRegistry> {
    const registry = new TestRegistry(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'nx-strata-e2e-registry-')),
      options.login,
      options.deletes ?? true,
    );
    await registry.resume();
    return registry;
  }

  /** `Authorization` for this registry's own login (none without one). */
  private get authHeaders(): Record<string, string> {
    return this.login ? { Authorization: `Basic ${Buffer.from(`${this.login.user}:${this.login.password}`).toString('base64')}` } : {};
  }

  async resume(): Promise<void> {
    const config = join(this.storage, 'config.yml');
    let auth = '';
    if (this.login) {
      // distribution takes bcrypt only; Python's crypt (libxcrypt) makes one without another package.
      const hash = execFileSync(
        'python3',
        [
          '-W',
          'ignore',
          '-c',
          'import crypt,sys;print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))',
          this.login.password,
        ],
        {
          encoding: 'utf8',
        },
      ).trim();
      writeFileSync(join(this.storage, 'htpasswd'), `${this.login.user}:${hash}\n`);
      auth = `auth:\n  htpasswd: { realm: test-registry, path: ${this.storage}/htpasswd }\n`;
    }
    writeFileSync(
      config,
      `version: 0.1\nlog: { level: error }\nstorage:\n  filesystem: { rootdirectory: ${this.storage}/data }\n  delete: { enabled: ${this.deletes} }\n${auth}http: { addr: ${this.host} }\n`,
    );
    this.process = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await this.isUp()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`registry on ${this.host} did not start`);
  }

  async pause(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  /** Stops the registry, deletes its storage, and drops the images the engine kept of it (CI reuses machines). */
  async destroy(): Promise<void> {
    await this.pause();
    rmSync(this.storage, { recursive: true, force: true });
    removeLocalImages(`${this.host}/`);
  }

  async isUp(): Promise<boolean> {
    try {
      const status = (await fetch(`http://${this.host}/v2/`)).status;
      return status === 200 || (status === 401 && !!this.login);
    } catch {
      return false;
    }
  }

  async tags(repository: string): Promise<string[]> {
    const response = await fetch(`http://${this.host}/v2/${repository}/tags/list`, { headers: this.authHeaders });
    if (response.status === 404) return [];
    const body = (await response.json()) as { tags: string[] | null };
    return (body.tags ?? []).sort();
  }

  /** Deletes a manifest by digest; returns the HTTP status (202 when deleted). */
  async deleteManifest(repository: string, digest: string): Promise<number> {
    return (await fetch(`http://${this.host}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', headers: this.authHeaders }))
      .status;
  }

  /** Where distribution keeps a blob's bytes on disk (to damage it on purpose). */
  blobPath(digest: string): string {
    const hex = digest.replace('sha256:', '');
    return join(this.storage, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  }

  /** The media type of a manifest (asked with every modern type), or undefined. */
  async mediaType(repository: string, reference: string): Promise<string | undefined> {
    const response = await fetch(`http://${this.host}/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES, ...this.authHeaders },
    });
    return response.ok ? (response.headers.get('content-type') ?? undefined) : undefined;
  }

  /** The digest the registry serves for a tag, asked with every modern manifest type (never schema1). */
  async digest(repository: string, reference: string): Promise<string | undefined> {
    const response = await fetch(`http://${this.host}/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES, ...this.authHeaders },
    });
    return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
  }
}

/** Removes every image in the engine whose repository starts with `prefix` (tagged or not). */
export function removeLocalImages(prefix: string): void {
  const listed = spawnSync('docker', ['images', '--no-trunc', '--format', '{{.Repository}} {{.ID}}'], { encoding: 'utf8' }).stdout ?? '';
  const ids = [
    ...new Set(
      listed
        .split('\n')
        .filter((line) => line.startsWith(prefix))
        .map((line) => line.split(' ')[1]),
    ),
  ];
  if (ids.length) spawnSync('docker', ['rmi', '--force', ...ids], { stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
