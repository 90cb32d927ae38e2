import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
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
    directory = mkdtempSync(join(tmpdir(), 'nx-strata-cache-'));
    server = createCacheServer({ storage: new FileStorage(directory), tokens: { read: ['r-token'], write: ['w-token'] }, maxUploadBytes: 1024, log: (line) => logs.push(line) });
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
    expect(readdirSync(directory).filter((entry) => !entry.startsWith('.'))).toEqual([]);
  });

  it('refuses an upload over the limit with 413 and keeps nothing', async () => {
    expect((await fetch(`${base}/v1/cache/big`, { method: 'PUT', headers: write, body: Buffer.alloc(4096) })).status).toBe(413);
    expect(readdirSync(directory).filter((entry) => !entry.startsWith('.'))).toEqual([]);
  });

  it('never serves a truncated or corrupted artifact: 404, and the reason is logged', async () => {
    await fetch(`${base}/v1/cache/777`, { method: 'PUT', headers: write, body: 'complete artifact' });
    truncateSync(join(directory, '777'), 4);
    expect((await fetch(`${base}/v1/cache/777`, { headers: read })).status).toBe(404);
    writeFileSync(join(directory, '777'), 'tampered artifact');
    expect((await fetch(`${base}/v1/cache/777`, { headers: read })).status).toBe(404);
    expect(logs.join('\n')).toContain('fails its integrity check');
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
    expect(readdirSync(directory).filter((entry) => !entry.startsWith('.'))).toEqual([]);
    expect(readdirSync(join(directory, '.incoming'))).toEqual([]);
  });

  it('lets one of two concurrent PUTs of the same hash win; the other gets 409', async () => {
    const statuses = await Promise.all([1, 2].map((n) => fetch(`${base}/v1/cache/888`, { method: 'PUT', headers: write, body: `writer-${n}`.repeat(50) }).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 409]);
  });

  it('reports its backend on /health', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: `file://${directory}` });
  });
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
