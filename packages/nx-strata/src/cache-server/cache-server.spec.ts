import { createTempWorkspace } from '../test-utils/temp-workspace';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createCacheServer } from './cache-server';
import { FileStorage } from './storage/file-storage';
import { roleOf } from './auth';

describe('cache server with the file backend (real HTTP)', () => {
  let directory: string;
  let server: ReturnType<typeof createCacheServer>;
  let base: string;
  const logs: string[] = [];
  const write = { Authorization: 'Bearer w-token' };
  const read = { Authorization: 'Bearer r-token' };

  beforeEach(async () => {
    directory = createTempWorkspace({});
    server = createCacheServer({
      storage: new FileStorage(directory, (line) => logs.push(line)),
      tokens: { read: ['r-token'], write: ['w-token'] },
      maxUploadBytes: 1024,
      log: (line) => logs.push(line),
    });
    const address = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterEach(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
    logs.length = 0;
  });

  it('stores once, serves what was stored, and never overwrites (409)', async () => {
    expect((await fetch(`${base}/v1/cache/123`, { method: 'PUT', headers: write, body: 'artifact-1' })).status).toBe(200);
    const got = await fetch(`${base}/v1/cache/123`, { headers: read });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('artifact-1');
    expect((await fetch(`${base}/v1/cache/123`, { method: 'PUT', headers: write, body: 'artifact-2' })).status).toBe(409);
    expect(await (await fetch(`${base}/v1/cache/123`, { headers: read })).text()).toBe('artifact-1');
  });

  it('answers 404 for an unknown hash, 401 without a known token, 403 for a read token PUT (nothing stored)', async () => {
    expect((await fetch(`${base}/v1/cache/999`, { headers: read })).status).toBe(404);
    expect((await fetch(`${base}/v1/cache/999`)).status).toBe(401);
    expect((await fetch(`${base}/v1/cache/999`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}/v1/cache/999`, { method: 'PUT', headers: read, body: 'x' })).status).toBe(403);
    expect(readdirSync(join(directory, 'artifacts'))).toEqual([]);
  });

  it('refuses an upload over the limit with 413 and keeps nothing', async () => {
    expect((await fetch(`${base}/v1/cache/big`, { method: 'PUT', headers: write, body: Buffer.alloc(4096) })).status).toBe(413);
    expect(readdirSync(join(directory, 'artifacts'))).toEqual([]);
  });

  it('never serves a truncated or corrupted artifact: 404, moved aside and logged, and the hash can be stored again (item 7)', async () => {
    const artifact = join(directory, 'artifacts/777');
    expect((await fetch(`${base}/v1/cache/777`, { method: 'PUT', headers: write, body: 'complete artifact' })).status).toBe(200);
    truncateSync(artifact, 90);
    expect((await fetch(`${base}/v1/cache/777`, { headers: read })).status).toBe(404);
    expect(logs.join('\n')).toMatch(/artifact 777 failed verification \(.*\); moved to .*\.corrupt/);
    expect(readdirSync(join(directory, '.corrupt'))).toHaveLength(1);
    expect((await fetch(`${base}/v1/cache/777`, { method: 'PUT', headers: write, body: 'stored again' })).status).toBe(200);
    expect(await (await fetch(`${base}/v1/cache/777`, { headers: read })).text()).toBe('stored again');
    // Tampered in place (same size): caught by the digest, not the size.
    const bytes = readFileSync(artifact);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(artifact, bytes);
    expect((await fetch(`${base}/v1/cache/777`, { headers: read })).status).toBe(404);
    expect(logs.join('\n')).toContain('fails its integrity check (sha256');
    expect((await fetch(`${base}/v1/cache/777`, { method: 'PUT', headers: write, body: 'third time' })).status).toBe(200);
  });

  it('keeps a hash and its metadata apart: storing "victim.sha256" then "victim" keeps both (item 9)', async () => {
    expect((await fetch(`${base}/v1/cache/victim.sha256`, { method: 'PUT', headers: write, body: 'first artifact' })).status).toBe(200);
    expect((await fetch(`${base}/v1/cache/victim`, { method: 'PUT', headers: write, body: 'second artifact' })).status).toBe(200);
    expect(await (await fetch(`${base}/v1/cache/victim.sha256`, { headers: read })).text()).toBe('first artifact');
    expect(await (await fetch(`${base}/v1/cache/victim`, { headers: read })).text()).toBe('second artifact');
  });

  it('sends the bytes it verified, from the same descriptor, even when the entry is replaced in between (item 10)', async () => {
    const storage = new FileStorage(directory);
    await fetch(`${base}/v1/cache/race`, { method: 'PUT', headers: write, body: 'verified bytes' });
    const found = await storage.get('race');
    if (found.kind !== 'found') throw new Error(`expected found, got ${found.kind}`);
    // What another server does to a published entry: move it aside and publish another file under the name.
    renameSync(join(directory, 'artifacts/race'), join(directory, '.corrupt/race.moved'));
    writeFileSync(join(directory, 'artifacts/race'), 'other bytes entirely');
    let sent = '';
    for await (const chunk of await found.stream()) sent += chunk;
    expect(sent).toBe('verified bytes');
  });

  it('answers 404 and logs one line (no stack) when an entry is a directory (item 13)', async () => {
    mkdirSync(join(directory, 'artifacts/adir'));
    expect((await fetch(`${base}/v1/cache/adir`, { headers: read })).status).toBe(404);
    expect(logs.join('\n')).toMatch(/GET adir: artifact adir cannot be opened \(EISDIR\)|GET adir: artifact adir is not a regular file/);
    expect(logs.join('\n')).not.toContain('    at ');
  });

  it('keeps nothing when the client drops the connection mid-upload', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${base}/v1/cache/555`, { method: 'PUT', headers: { ...write, 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100));
      setTimeout(() => {
        req.destroy();
        setTimeout(resolve, 100);
      }, 100);
    });
    expect((await fetch(`${base}/v1/cache/555`, { headers: read })).status).toBe(404);
    expect(readdirSync(join(directory, 'artifacts'))).toEqual([]);
    expect(readdirSync(join(directory, '.incoming'))).toEqual([]);
  });

  it('lets one of two concurrent PUTs of the same hash win; the other gets 409', async () => {
    const statuses = await Promise.all(
      [1, 2].map((n) =>
        fetch(`${base}/v1/cache/888`, { method: 'PUT', headers: write, body: `writer-${n}`.repeat(50) }).then((r) => r.status),
      ),
    );
    expect(statuses.sort()).toEqual([200, 409]);
  });

  it('tells anyone its status on /health, and only a token holder its storage and details (item 13)', async () => {
    const anonymous = await fetch(`${base}/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    const withToken = await fetch(`${base}/health`, { headers: read });
    expect(await withToken.json()).toEqual({ status: 'ok', storage: `file://${directory}`, detail: `file://${directory} is writable` });
  });
});

describe('cache server whose backend throws (a malformed registry answer, a bug)', () => {
  it('answers Nx a miss for GET and a refused store for PUT, never a 500 that stops the whole run', async () => {
    const logs: string[] = [];
    const throwing = {
      url: 'oci://broken/cache',
      get: () => Promise.reject(new SyntaxError('Unexpected token < in JSON at position 0')),
      put: (_hash: string, body: NodeJS.ReadableStream) => {
        body.resume();
        return Promise.reject(new SyntaxError('Unexpected token < in JSON at position 0'));
      },
      health: () => Promise.resolve({ ok: true, detail: '' }),
    };
    const server = createCacheServer({
      storage: throwing as never,
      tokens: { read: [], write: ['w'] },
      maxUploadBytes: 1024,
      log: (line) => logs.push(line),
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const ask = (method: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const call = request(`http://127.0.0.1:${port}/v1/cache/abc123`, { method, headers: { Authorization: 'Bearer w' } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        call.on('error', reject);
        call.end(body);
      });
    try {
      expect(await ask('GET')).toBe(404);
      expect(await ask('PUT', 'artifact')).toBe(403);
      expect(logs.join('\n')).toContain('backend down (the backend failed: Unexpected token < in JSON at position 0)');
    } finally {
      await server.close();
    }
  });
});

describe('/health against a backend that stalls (item 9)', () => {
  it('probes once for many requests, and answers degraded at the deadline instead of waiting for the backend', async () => {
    let probes = 0;
    const stalled = {
      url: 'oci://stalled/cache',
      get: () => Promise.resolve({ kind: 'missing' as const }),
      put: () => Promise.resolve({ kind: 'stored' as const }),
      health: () => {
        probes++;
        return new Promise<{ ok: boolean; detail: string }>(() => undefined);
      },
    };
    const server = createCacheServer({ storage: stalled as never, tokens: { read: [], write: ['w'] }, log: () => undefined });
    const { port } = await server.listen(0, '127.0.0.1');
    const health = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const call = request(`http://127.0.0.1:${port}/health`, { headers: { Authorization: 'Bearer w' } }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        call.on('error', reject);
        call.end();
      });
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 20 }, health));
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(probes).toBe(1);
      expect(answers.every((answer) => answer.status === 503)).toBe(true);
      expect(answers[0].body).toContain('did not answer its probe within 5 s');
    } finally {
      await server.close();
    }
  }, 15_000);
});

describe('roleOf', () => {
  it('gives write tokens write, read tokens read, anything else none', () => {
    const tokens = { read: ['r1', 'r2'], write: ['w1'] };
    expect(roleOf('Bearer w1', tokens)).toBe('write');
    expect(roleOf('bearer r2', tokens)).toBe('read');
    expect(roleOf('Bearer r', tokens)).toBe('none');
    expect(roleOf('Basic w1', tokens)).toBe('none');
    expect(roleOf(undefined, tokens)).toBe('none');
  });
});
