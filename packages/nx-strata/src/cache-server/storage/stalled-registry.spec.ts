import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../engines/registry/registry-client';
import { createCacheServer } from '../cache-server';
import { openStorage } from './open-storage';

/**
 * Hardening item 6: a registry that accepts connections and then stops answering, or stalls in the middle of a blob.
 * Every request is bounded; the cache server answers as for a down backend and frees the hash; /health answers.
 */
describe('a registry that stops answering', () => {
  const servers: Server[] = [];
  const env = { STRATA_REGISTRY_CONNECT_TIMEOUT: '1', STRATA_REGISTRY_RESPONSE_TIMEOUT: '0.4', STRATA_REGISTRY_IDLE_TIMEOUT: '0.4' };
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** Answers manifests as an nx-strata artifact, then sends half the blob and stalls; `frozen` answers nothing at all. */
  async function stallingRegistry(mode: 'frozen' | 'mid-body'): Promise<string> {
    const blob = Buffer.alloc(64 * 1024, 7);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const server = createServer((request, response) => {
      if (mode === 'frozen') return; // accepts, reads, never answers
      if (request.url?.includes('/manifests/')) {
        const manifest = JSON.stringify({
          schemaVersion: 2,
          layers: [{ mediaType: 'application/vnd.nx-strata.cache.artifact.v1', digest, size: blob.length }],
        });
        response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': 'sha256:m' });
        return void response.end(request.method === 'HEAD' ? undefined : manifest);
      }
      if (request.url?.includes('/blobs/')) {
        response.writeHead(200, { 'content-length': String(blob.length) });
        return void response.write(blob.subarray(0, blob.length / 2)); // and never the rest
      }
      response.writeHead(200).end('{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('bounds a request the registry never answers, naming the registry, the operation and the limit', async () => {
    const host = await stallingRegistry('frozen');
    const started = Date.now();
    const probe = await new RegistryClient(host, env).manifest('team/cache', 'abc');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(probe).toEqual({
      ok: false,
      failure: {
        kind: 'unreachable',
        detail: `${host} sent no answer within 0.4 s (HEAD /v2/team/cache/manifests/abc; limit STRATA_REGISTRY_RESPONSE_TIMEOUT=0.4)`,
        timedOut: true,
      },
    });
  });

  it('bounds a blob that stalls mid-body', async () => {
    const host = await stallingRegistry('mid-body');
    const client = new RegistryClient(host, env);
    const download = await client.download('/v2/team/cache/blobs/sha256:x', 'team/cache');
    if (!download.ok) throw new Error(download.failure.detail);
    const blob = download.value;
    await expect(
      (async () => {
        for await (const _chunk of blob) void _chunk;
      })(),
    ).rejects.toThrow(
      `${host} stopped sending data within 0.4 s (GET /v2/team/cache/blobs/sha256:x; limit STRATA_REGISTRY_IDLE_TIMEOUT=0.4)`,
    );
  });

  test.each(['frozen', 'mid-body'] as const)(
    'the cache server answers 404/403 in bounded time, frees the hash and keeps /health answering (%s)',
    async (mode) => {
      const host = await stallingRegistry(mode);
      const logs: string[] = [];
      const cache = createCacheServer({
        storage: openStorage(`oci://${host}/team/cache`, env),
        tokens: { read: [], write: ['w'] },
        log: (line) => logs.push(line),
      });
      const { port } = await cache.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      const auth = { Authorization: 'Bearer w' };
      try {
        const started = Date.now();
        expect((await fetch(`${base}/v1/cache/h1`, { headers: auth })).status).toBe(404);
        // Twice in a row: the first PUT must not leave the hash "being stored" (409) for the second.
        expect(
          (await fetch(`${base}/v1/cache/h2`, { method: 'PUT', headers: { ...auth, 'Content-Length': '5' }, body: 'hello' })).status,
        ).toBe(403);
        expect(
          (await fetch(`${base}/v1/cache/h2`, { method: 'PUT', headers: { ...auth, 'Content-Length': '5' }, body: 'hello' })).status,
        ).toBe(403);
        const health = await fetch(`${base}/health`);
        expect([200, 503]).toContain(health.status);
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(logs.join('\n')).toMatch(/backend down .*(sent no answer|stopped sending data) within 0\.4 s/);
      } finally {
        await cache.close();
      }
    },
  );
});

describe('openStorage', () => {
  it('refuses a relative file:// URL instead of storing under / (item 11)', () => {
    expect(() => openStorage('file://relstore')).toThrow(
      '--storage file://relstore: a file URL needs an absolute path: file:///absolute/path (three slashes), or give a plain path such as ./cache',
    );
    expect(() => openStorage('file://')).toThrow('needs an absolute path');
  });
});
