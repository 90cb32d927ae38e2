import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { CacheStorage, GetOutcome, PutOutcome } from './cache-storage';

/**
 * Artifacts in a local directory: `<hash>` plus `<hash>.sha256`. The digest is written first and the artifact made
 * visible last with link(2), which fails if it exists: never overwritten, never half-written. GET re-hashes the file
 * before the first byte is sent, so a corrupted or truncated artifact is never served.
 */
export class FileStorage implements CacheStorage {
  readonly url: string;

  constructor(private readonly directory: string) {
    this.url = `file://${directory}`;
    mkdirSync(join(directory, '.incoming'), { recursive: true });
  }

  async get(hash: string): Promise<GetOutcome> {
    const path = join(this.directory, hash);
    const digestPath = `${path}.sha256`;
    if (!existsSync(path) || !existsSync(digestPath)) return { kind: 'missing' };
    const expected = readFileSync(digestPath, 'utf8').trim();
    const actual = await sha256File(path);
    if (actual !== expected) return { kind: 'missing', detail: `artifact ${hash} fails its integrity check (sha256 ${actual}, recorded ${expected}); not serving it` };
    return { kind: 'found', size: statSync(path).size, stream: () => createReadStream(path) };
  }

  async put(hash: string, body: Readable, limits: { maxBytes: number }): Promise<PutOutcome> {
    const path = join(this.directory, hash);
    if (existsSync(path)) return { kind: 'exists' };
    const temporary = join(this.directory, '.incoming', `${hash}.${randomBytes(6).toString('hex')}`);
    try {
      const written = await writeLimited(body, temporary, limits.maxBytes);
      if (written.kind !== 'ok') return written.kind === 'too-large' ? { kind: 'too-large' } : { kind: 'aborted', detail: written.detail };
      writeFileSync(`${temporary}.sha256`, `${written.sha256}\n`);
      renameSync(`${temporary}.sha256`, `${path}.sha256`);
      try {
        linkSync(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { kind: 'exists' };
        throw error;
      }
      return { kind: 'stored' };
    } catch (error) {
      return { kind: 'down', detail: `${this.url}: ${(error as Error).message}` };
    } finally {
      rmSync(temporary, { force: true });
      rmSync(`${temporary}.sha256`, { force: true });
    }
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      const probe = join(this.directory, '.incoming', `health-${process.pid}`);
      writeFileSync(probe, 'ok');
      rmSync(probe);
      return { ok: true, detail: `${this.url} is writable` };
    } catch (error) {
      return { ok: false, detail: `${this.url}: ${(error as Error).message}` };
    }
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

/** Streams `body` to `path` with bounded memory, hashing as it goes; stops at `maxBytes`. */
function writeLimited(body: Readable, path: string, maxBytes: number): Promise<{ kind: 'ok'; sha256: string; bytes: number } | { kind: 'too-large' } | { kind: 'aborted'; detail: string }> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const out = createWriteStream(path);
    let bytes = 0;
    let settled = false;
    const finish = (result: Parameters<typeof resolve>[0]) => {
      if (settled) return;
      settled = true;
      body.unpipe(out);
      out.destroy();
      resolve(result);
    };
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        body.pause();
        finish({ kind: 'too-large' });
        return;
      }
      hash.update(chunk);
    });
    body.on('close', () => {
      if ('complete' in body && !(body as Readable & { complete: boolean }).complete) finish({ kind: 'aborted', detail: 'the client went away mid-upload' });
    });
    body.on('error', (error) => finish({ kind: 'aborted', detail: error.message }));
    out.on('error', (error) => finish({ kind: 'aborted', detail: error.message }));
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve({ kind: 'ok', sha256: hash.digest('hex'), bytes });
    });
    body.pipe(out);
  });
}
