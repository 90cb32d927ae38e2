// The cache server under concurrent load from a loopback load generator, beside the registry serving blobs directly
// (the ceiling: the server stores every artifact in that registry). PUT and GET throughput and latency (p50/p99) for
// COUNT artifacts of SIZE_KB each at CONCURRENCY, and the server's peak memory (VmHWM) while it stores and serves one
// 1 GB artifact, streamed from and to the load generator. Bounded in count and time. Not run by CI.
// usage: node tools/bench/cache-server.mjs    env: COUNT=400 SIZE_KB=1024 CONCURRENCY=16 BIG_MB=1024
//        SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server, SERVER_LOG=1 to see its log
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/free-port.mjs';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const count = Number(process.env.COUNT ?? 400);
const sizeKb = Number(process.env.SIZE_KB ?? 1024);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const bigMb = Number(process.env.BIG_MB ?? 1024);
const deadline = Date.now() + 10 * 60 * 1000;

const waitFor = async (url) => {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
};
const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function pool(jobs, worker) {
  const latencies = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length && Date.now() < deadline) {
        const job = jobs[next++];
        const t = process.hrtime.bigint();
        await worker(job);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests: latencies.length, seconds, mbps: (latencies.length * sizeKb) / 1024 / seconds, p50: at(0.5), p99: at(0.99) };
}

const template = randomBytes(sizeKb * 1024);
const payload = (i) => {
  const b = Buffer.from(template);
  b.writeUInt32LE(i, 0);
  b.writeUInt32LE(process.pid, 4);
  return b;
};
const ok = async (response, expected) => {
  if (!expected.includes(response.status)) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
};

const work = mkdtempSync(join(tmpdir(), 'nx-strata-bench-cache-'));
const registryPort = await freePort();
writeFileSync(
  join(work, 'registry.yml'),
  `version: 0.1\nlog: { level: error }\nstorage:\n  filesystem: { rootdirectory: ${work}/registry }\n  delete: { enabled: true }\nhttp: { addr: 127.0.0.1:${registryPort} }\n`,
);
const registry = spawn('docker-registry', ['serve', join(work, 'registry.yml')], { stdio: 'ignore' });
const startServer = async () => {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(repoRoot, 'packages/nx-strata/bin/nx-strata.js'),
      'cache-server',
      '--port',
      String(port),
      '--storage',
      `oci://127.0.0.1:${registryPort}/nx-cache`,
      '--max-upload-mb',
      String(bigMb + 64),
    ],
    {
      env: { ...process.env, STRATA_CACHE_WRITE_TOKENS: 'bench' },
      stdio: ['ignore', process.env.SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  servers.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`);
  return { proc, url };
};
const servers = [];
// Streams `mb` MiB with backpressure (Node's fetch would hold an async-iterable body in memory), hashing it if asked.
const streamBody = (url, method, headers, mb, hash) =>
  new Promise((resolvePromise, reject) => {
    const chunk = randomBytes(1024 * 1024);
    const request = httpRequest(url, { method, headers }, async (response) => {
      let text = '';
      for await (const part of response) text += part;
      resolvePromise({ status: response.statusCode, headers: response.headers, text });
    });
    request.on('error', reject);
    pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < mb; i++) {
            hash?.update(chunk);
            yield chunk;
          }
        })(),
      ),
      request,
    ).catch(reject);
  });
const download = async (url, headers = {}) => {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`);
  let received = 0;
  for await (const part of response.body) received += part.length;
  return received;
};
const timed = async (work) => {
  const t = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value };
};

const cleanup = () => {
  for (const proc of servers) proc.kill();
  registry.kill();
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
try {
  const reg = `http://127.0.0.1:${registryPort}`;
  await waitFor(`${reg}/v2/`);
  const { proc: loaded, url: srv } = await startServer();
  const auth = { Authorization: 'Bearer bench' };
  const jobs = Array.from({ length: count }, (_, i) => i);
  const base = 7_000_000_000 + process.pid * 10_000;

  const rows = [];
  rows.push({
    target: 'cache server (oci backend)',
    op: 'PUT',
    ...(await pool(jobs, async (i) =>
      ok(await fetch(`${srv}/v1/cache/${base + i}`, { method: 'PUT', headers: auth, body: payload(i) }), [200]),
    )),
  });
  rows.push({
    target: 'cache server (oci backend)',
    op: 'GET',
    ...(await pool(jobs, async (i) => ok(await fetch(`${srv}/v1/cache/${base + i}`, { headers: auth }), [200]))),
  });
  const loadedPeak = peakRssMb(loaded.pid);
  loaded.kill();
  const digests = [];
  rows.push({
    target: 'registry blobs, directly',
    op: 'PUT',
    ...(await pool(jobs, async (i) => {
      const body = payload(count + i);
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      digests[i] = digest;
      const start = await fetch(`${reg}/v2/direct/blobs/uploads/`, { method: 'POST' });
      const location = start.headers.get('location');
      await start.arrayBuffer();
      ok(
        await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/octet-stream' },
          body,
        }),
        [201],
      );
    })),
  });
  rows.push({
    target: 'registry blobs, directly',
    op: 'GET',
    ...(await pool(jobs, async (i) => ok(await fetch(`${reg}/v2/direct/blobs/${digests[i]}`), [200]))),
  });

  // One big artifact, streamed both ways through a fresh server: its peak memory must not follow the artifact's size.
  const { proc: fresh, url: bigSrv } = await startServer();
  const idle = peakRssMb(fresh.pid);
  const bigHash = base + count + 1;
  const put = await timed(() => streamBody(`${bigSrv}/v1/cache/${bigHash}`, 'PUT', auth, bigMb));
  if (put.value.status !== 200) throw new Error(`big PUT: HTTP ${put.value.status} ${put.value.text}`);
  const get = await timed(() => download(`${bigSrv}/v1/cache/${bigHash}`, auth));
  const bigPeak = peakRssMb(fresh.pid);
  // The same amount straight into and out of the registry: POST, streamed PATCH, PUT ?digest=, then GET by digest.
  const directPut = await timed(async () => {
    const start = await fetch(`${reg}/v2/direct/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    const digest = createHash('sha256');
    const patch = await streamBody(start.headers.get('location'), 'PATCH', { 'Content-Type': 'application/octet-stream' }, bigMb, digest);
    const committed = `sha256:${digest.digest('hex')}`;
    const location = patch.headers.location;
    await ok(await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${committed}`, { method: 'PUT' }), [201]);
    return committed;
  });
  const directGet = await timed(() => download(`${reg}/v2/direct/blobs/${directPut.value}`));

  console.log(
    `\ncache server vs the registry it stores into: ${count} artifacts of ${sizeKb} KiB, ${concurrency} concurrent requests, loopback\n`,
  );
  console.log('| target | op | requests | seconds | MB/s | p50 (ms) | p99 (ms) |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const row of rows)
    console.log(
      `| ${row.target} | ${row.op} | ${row.requests} | ${row.seconds.toFixed(2)} | ${row.mbps.toFixed(0)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} |`,
    );
  for (const op of ['PUT', 'GET']) {
    const ours = rows.find((r) => r.op === op && r.target.startsWith('cache')).mbps;
    const ceiling = rows.find((r) => r.op === op && r.target.startsWith('registry')).mbps;
    console.log(
      `${op}: the cache server reaches ${((100 * ours) / ceiling).toFixed(0)}% of the registry's own throughput (${(ceiling / ours).toFixed(2)}× slower)`,
    );
  }
  console.log(`server peak RSS under that load: ${loadedPeak.toFixed(0)} MB`);
  console.log(`\none ${bigMb} MiB artifact, streamed, one at a time\n`);
  console.log('| target | PUT (s) | PUT MB/s | GET (s) | GET MB/s | server peak RSS (MB) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(
    `| cache server (oci backend) | ${put.seconds.toFixed(1)} | ${(bigMb / put.seconds).toFixed(0)} | ${get.seconds.toFixed(1)} | ${(get.value / 1048576 / get.seconds).toFixed(0)} | ${bigPeak.toFixed(0)} (idle: ${idle.toFixed(0)}) |`,
  );
  console.log(
    `| registry blobs, directly | ${directPut.seconds.toFixed(1)} | ${(bigMb / directPut.seconds).toFixed(0)} | ${directGet.seconds.toFixed(1)} | ${(directGet.value / 1048576 / directGet.seconds).toFixed(0)} | — |`,
  );
} finally {
  cleanup();
}
