import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { startCacheServer, type CacheServerProcess } from './support/cache-server-process';
import { FIXTURES, VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/** Lets the event loop deliver the server's output (spawnSync runs of nx block it). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * The /health status once it has had time to see a change: the server answers every request of 5 s with one probe of
 * the backend (HEALTH_REUSE_MS), so a recovery shows within that window, not at once. Polls for up to 15 s.
 */
async function healthAfterChange(url: string, wanted: number): Promise<number> {
  const end = Date.now() + 15_000;
  for (;;) {
    const status = (await fetch(`${url}/health`)).status;
    if (status === wanted || Date.now() > end) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The self-hosted Nx cache kept in an OCI registry, driven by the real nx binary. */
describe('cache server backed by a registry', () => {
  let builds: TestRegistry;
  let cache: TestRegistry;
  let server: CacheServerProcess;
  let url: string;
  let origin: E2EWorkspace;
  const clones: E2EWorkspace[] = [];
  const TASKS = ['docker-build', 'binary-build'];
  const envFor = (token: string): NodeJS.ProcessEnv => ({
    STRATA_REGISTRY: `${builds.host}/builds`,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
  });
  const cloneOf = (workspace: E2EWorkspace) => {
    const clone = workspace.clone();
    clones.push(clone);
    return clone;
  };

  beforeAll(async () => {
    [builds, cache] = await Promise.all([TestRegistry.start(), TestRegistry.start()]);
    origin = E2EWorkspace.create(VISION_EXAMPLE);
    for (const file of ['go.mod', 'main.go', 'platform_darwin.go', 'platform_other.go'])
      origin.write(file, readFileSync(join(FIXTURES, 'go-cli', file), 'utf8'));
    const config = JSON.parse(origin.read('strata.json'));
    config.binaries = { hello: { preset: 'go', platforms: ['linux/amd64', 'linux/arm64'] } };
    origin.write('strata.json', JSON.stringify(config, null, 2));
    origin.commitAll('images and a binary');

    server = await startCacheServer(origin.root, `oci://${cache.host}/nx-cache`, {
      env: { STRATA_CACHE_READ_TOKENS: 'pr-token,other-pr-token' },
    });
    url = server.base;
  });
  afterAll(async () => {
    if (process.env.STRATA_E2E_DEBUG) console.log(server?.log());
    server?.stop();
    origin?.remove();
    clones.forEach((clone) => clone.remove());
    await Promise.all([builds, cache].map((registry) => registry?.destroy()));
  });

  test('1. clone B with an empty local cache gets every task from the remote cache: zero builds', async () => {
    const a = cloneOf(origin);
    let started = Date.now();
    expectSuccess(a.nx(['run-many', '-t', ...TASKS], envFor('main-token')));
    expect(a.builtSince(started)).toHaveLength(9);
    expect(a.binariesBuiltSince(started)).toHaveLength(2);
    const stored = await cache.tags('nx-cache');
    expect(stored).toHaveLength(11);

    const b = cloneOf(origin);
    expectSuccess(b.nx(['reset'], envFor('main-token')));
    started = Date.now();
    const run = b.nx(['run-many', '-t', ...TASKS], envFor('main-token'));
    expectSuccess(run);
    expect(b.builtSince(started)).toEqual([]);
    expect(b.registryHitsSince(started)).toEqual([]);
    expect(b.binariesBuiltSince(started)).toEqual([]);
    expect(run.output.match(/\[remote cache\]/g)?.length).toBe(11);
    expect(b.records()).toHaveLength(9);
    expect(readFileSync(join(b.root, 'dist/bin/hello-linux-amd64')).length).toBeGreaterThan(100_000);
    // The build history sees them as remote-cache hits, with the sizes of what was restored.
    const runs = readFileSync(join(b.root, '.nx/strata-history/runs.jsonl'), 'utf8').trim().split('\n');
    const tasks = (JSON.parse(runs[runs.length - 1]) as { tasks: Array<{ kind: string; outcome: string; sizeBytes?: number }> }).tasks;
    expect(tasks.map((task) => `${task.kind} ${task.outcome}`).sort()).toEqual([
      ...Array(2).fill('binary remote-cache'),
      ...Array(9).fill('layer remote-cache'),
    ]);
    expect(tasks.every((task) => (task.sizeBytes ?? 0) > 0)).toBe(true);
  });

  test('2. a read-only token: builds pass, nothing is stored', async () => {
    const before = await cache.tags('nx-cache');
    const pr = cloneOf(origin);
    pr.append('src/vision/main.py', '# a pull request\n');
    const started = Date.now();
    expectSuccess(pr.nx(['run-many', '-t', ...TASKS], envFor('pr-token')));
    expect(pr.builtSince(started)).toHaveLength(3);
    expect(await cache.tags('nx-cache')).toEqual(before);
  });

  test('3. the protocol: 409 for an existing hash, 404 for an unknown one, 401 for a bad token, 403 for a read token PUT', async () => {
    const [existing] = await cache.tags('nx-cache');
    const put = (token: string, hash: string) =>
      fetch(`${url}/v1/cache/${hash}`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body: 'x' });
    expect((await put('main-token', existing)).status).toBe(409);
    expect((await fetch(`${url}/v1/cache/12345678901234567890`, { headers: { Authorization: 'Bearer pr-token' } })).status).toBe(404);
    expect((await fetch(`${url}/v1/cache/${existing}`, { headers: { Authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await put('pr-token', '98765')).status).toBe(403);
    expect(await cache.tags('nx-cache')).not.toContain('98765');
  });

  test('4. the backing registry down: the Nx run still succeeds (misses); back up: hits again', async () => {
    await cache.pause();
    expect(await healthAfterChange(url, 503)).toBe(503);
    const c = cloneOf(origin);
    expectSuccess(c.nx(['reset'], envFor('main-token')));
    c.append('src/vision/main.py', '# built while the cache is down\n');
    const started = Date.now();
    expectSuccess(c.nx(['run-many', '-t', ...TASKS], envFor('main-token')));
    expect(c.builtSince(started).length + c.registryHitsSince(started).length).toBe(9);
    await settle();
    expect(server.log()).toContain('backend down');

    await cache.resume();
    expect(await healthAfterChange(url, 200)).toBe(200);
    const d = cloneOf(origin);
    expectSuccess(d.nx(['reset'], envFor('main-token')));
    const again = Date.now();
    const run = d.nx(['run-many', '-t', ...TASKS], envFor('main-token'));
    expectSuccess(run);
    expect(d.builtSince(again)).toEqual([]);
    expect(run.output.match(/\[remote cache\]/g)?.length).toBe(11);
  });

  test('5. a truncated artifact in the backend is not served', async () => {
    const [hash] = await cache.tags('nx-cache');
    const manifest = (await (
      await fetch(`http://${cache.host}/v2/nx-cache/manifests/${hash}`, {
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { layers: Array<{ digest: string }> };
    truncateSync(cache.blobPath(manifest.layers[0].digest), 10);
    expect((await fetch(`${url}/v1/cache/${hash}`, { headers: { Authorization: 'Bearer pr-token' } })).status).toBe(404);
    await settle();
    expect(server.log()).toMatch(/fails its integrity check|could not be read whole/);
    // The entry repairs: the next PUT of that hash is stored (not 409 forever), and served.
    expect(
      (
        await fetch(`${url}/v1/cache/${hash}`, {
          method: 'PUT',
          headers: { Authorization: 'Bearer main-token' },
          body: 'a fresh artifact for this hash',
        })
      ).status,
    ).toBe(200);
    const back = await fetch(`${url}/v1/cache/${hash}`, { headers: { Authorization: 'Bearer pr-token' } });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe('a fresh artifact for this hash');
  });

  test('5b. a blob whose bytes flipped repairs on the next PUT of the same bytes, with registry deletes enabled or not', async () => {
    // distribution keeps an existing blob when the same digest is uploaded again, so a plain re-upload changes nothing.
    const noDeletes = await TestRegistry.start({ deletes: false });
    const other = await startCacheServer(origin.root, `oci://${noDeletes.host}/nx-cache`);
    try {
      for (const [base, registry, deletes] of [
        [url, cache, 'deletes'],
        [other.base, noDeletes, 'no-deletes'],
      ] as const) {
        // 4 KiB is held in memory; 12 MiB is over the 8 MiB an artifact may hold, so it streams (up) and spools (down).
        for (const size of [4096, 12 * 1024 * 1024]) {
          const hash = `flipped-${deletes}-${size}`;
          const body = randomBytes(size);
          const put = () => fetch(`${base}/v1/cache/${hash}`, { method: 'PUT', headers: { Authorization: 'Bearer main-token' }, body });
          const get = () => fetch(`${base}/v1/cache/${hash}`, { headers: { Authorization: 'Bearer pr-token' } });
          expect({ hash, stored: (await put()).status }).toEqual({ hash, stored: 200 });
          const manifest = (await (
            await fetch(`http://${registry.host}/v2/nx-cache/manifests/${hash}`, {
              headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
            })
          ).json()) as { layers: Array<{ digest: string }> };
          const blob = registry.blobPath(manifest.layers[0].digest);
          const file = openSync(blob, 'r+');
          writeSync(file, Buffer.from('flipped!'), 0, 8, 64);
          closeSync(file);
          expect({ hash, corrupt: (await get()).status }).toEqual({ hash, corrupt: 404 });
          expect({ hash, repaired: (await put()).status }).toEqual({ hash, repaired: 200 });
          const back = await get();
          expect({ hash, status: back.status, same: Buffer.from(await back.arrayBuffer()).equals(body) }).toEqual({
            hash,
            status: 200,
            same: true,
          });
        }
      }
      await settle();
      expect(other.log()).toMatch(/flipped-no-deletes-4096 failed verification and could not be deleted/);
    } finally {
      other.stop();
      await noDeletes.destroy();
    }
  });

  test('6. an artifact too big to hold in memory streams through whole; one over the upload limit gets 413 and stores nothing', async () => {
    const chunk = randomBytes(1024 * 1024);
    const chunked = (mib: number) =>
      (async function* () {
        for (let i = 0; i < mib; i++) yield chunk;
      })();
    const expected = createHash('sha256');
    for (let i = 0; i < 24; i++) expected.update(chunk);
    const put = (base: string, hash: string, mib: number) =>
      fetch(`${base}/v1/cache/${hash}`, {
        method: 'PUT',
        headers: { Authorization: 'Bearer main-token' },
        body: chunked(mib),
        duplex: 'half',
      } as RequestInit);

    expect((await put(url, '4242424242', 24)).status).toBe(200);
    const back = await fetch(`${url}/v1/cache/4242424242`, { headers: { Authorization: 'Bearer pr-token' } });
    expect(back.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await back.arrayBuffer()))
        .digest('hex'),
    ).toBe(expected.digest('hex'));

    const limited = await startCacheServer(origin.root, `oci://${cache.host}/nx-cache`, { args: ['--max-upload-mb', '16'] });
    try {
      const base = limited.base;
      expect((await put(base, '4343434343', 24)).status).toBe(413);
      expect(await cache.tags('nx-cache')).not.toContain('4343434343');
    } finally {
      limited.stop();
    }
  });

  test('7. a registry that stalls mid-blob or stops answering: bounded 404/403, the hash freed, /health answers', async () => {
    // A proxy in front of the real registry: `stall-blobs` passes 32 KiB of a blob and then nothing; `frozen` answers nothing.
    let mode: 'stall-blobs' | 'frozen' = 'stall-blobs';
    const held: Array<import('node:http').ServerResponse> = [];
    const proxy = createHttpServer((request, response) => {
      if (mode === 'frozen') return void held.push(response);
      const upstream = httpRequest(`http://${cache.host}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        if (request.method === 'GET' && request.url?.includes('/blobs/')) {
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent < 32 * 1024) response.write(chunk.subarray(0, 32 * 1024 - sent));
            sent += chunk.length;
          });
          held.push(response);
          return;
        }
        answer.pipe(response);
      });
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const stalled = await startCacheServer(origin.root, `oci://${proxyHost}/nx-cache`, {
      env: { STRATA_REGISTRY_RESPONSE_TIMEOUT: '1', STRATA_REGISTRY_IDLE_TIMEOUT: '1' },
    });
    const read = { Authorization: 'Bearer pr-token' };
    const write = { Authorization: 'Bearer main-token' };
    try {
      let started = Date.now();
      expect((await fetch(`${stalled.base}/v1/cache/4242424242`, { headers: read })).status).toBe(404);
      expect(Date.now() - started).toBeLessThan(10_000);
      await settle();
      expect(stalled.log()).toMatch(
        /GET 4242424242: backend down \(.*stopped sending data within 1 s \(GET \/v2\/nx-cache\/blobs\/sha256:[0-9a-f]+; limit STRATA_REGISTRY_IDLE_TIMEOUT=1\)/,
      );

      mode = 'frozen';
      started = Date.now();
      const health = await fetch(`${stalled.base}/health`, { headers: read });
      expect(health.status).toBe(503);
      expect(((await health.json()) as { detail: string }).detail).toContain('sent no answer within 1 s');
      for (let attempt = 0; attempt < 2; attempt++) {
        // 403 both times: the first PUT frees its hash instead of leaving it "being stored" (409).
        expect((await fetch(`${stalled.base}/v1/cache/5151515151`, { method: 'PUT', headers: write, body: 'artifact' })).status).toBe(403);
      }
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await fetch(`${stalled.base}/health`)).status).toBe(503);
    } finally {
      stalled.stop();
      held.forEach((response) => response.destroy());
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  test('8. two file-backend servers on one directory racing on 30 new hashes agree on one artifact per hash', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-filecache-'));
    const [a, b] = await Promise.all([startCacheServer(origin.root, directory), startCacheServer(origin.root, directory)]);
    try {
      for (let trial = 0; trial < 30; trial++) {
        const hash = `race-${trial}`;
        const bodies = [`from server A, trial ${trial} `.repeat(2000), `from server B, trial ${trial} `.repeat(2100)];
        const statuses = await Promise.all(
          [a, b].map((server, index) =>
            fetch(`${server.base}/v1/cache/${hash}`, {
              method: 'PUT',
              headers: { Authorization: 'Bearer main-token' },
              body: bodies[index],
            }).then((response) => response.status),
          ),
        );
        expect(statuses.sort()).toEqual([200, 409]);
        const served = await Promise.all(
          [a, b].map(async (server) => {
            const response = await fetch(`${server.base}/v1/cache/${hash}`, { headers: { Authorization: 'Bearer pr-token' } });
            return { status: response.status, body: await response.text() };
          }),
        );
        expect(served.map((answer) => answer.status)).toEqual([200, 200]);
        expect(served[0].body).toBe(served[1].body);
        expect(bodies).toContain(served[0].body);
      }
    } finally {
      a.stop();
      b.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('9. 30 concurrent PUTs of identical 20 MB bodies under different hashes are all stored', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        fetch(`${url}/v1/cache/same-body-${index}`, { method: 'PUT', headers: { Authorization: 'Bearer main-token' }, body }).then(
          (response) => response.status,
        ),
      ),
    );
    await settle();
    // On a failure, show why the server did not store it (its log names the registry's answer).
    expect({ statuses, log: statuses.every((status) => status === 200) ? '' : server.log().slice(-4000) }).toEqual({
      statuses: Array(30).fill(200),
      log: '',
    });
    expect(server.log()).not.toMatch(/PUT same-body-\d+: backend down/);
    const expected = createHash('sha256').update(body).digest('hex');
    for (const index of [0, 17, 29]) {
      const back = await fetch(`${url}/v1/cache/same-body-${index}`, { headers: { Authorization: 'Bearer pr-token' } });
      expect(
        createHash('sha256')
          .update(Buffer.from(await back.arrayBuffer()))
          .digest('hex'),
      ).toBe(expected);
    }
  });
});
