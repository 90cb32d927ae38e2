import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { roleOf, type TokenSets } from './auth';
import type { CacheStorage } from './storage/cache-storage';

export interface CacheServerOptions {
  storage: CacheStorage;
  tokens: TokenSets;
  /** Largest accepted artifact. @default 2 GiB */
  maxUploadBytes?: number;
  log?: (line: string) => void;
}

export const DEFAULT_PORT = 3535;
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const HASH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Nx's self-hosted remote cache protocol (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`): GET /v1/cache/{hash} → 200 or 404;
 * PUT /v1/cache/{hash} → 200 stored, 409 exists, 403 not allowed (or backend down: Nx reads it as "not stored"),
 * 413 too large; 401 without a known token. GET /health reports the backend. Streams both ways.
 */
/** How long one /health probe answers for, and how long it may take. */
const HEALTH_REUSE_MS = 5_000;
const HEALTH_DEADLINE_MS = 5_000;

export function createCacheServer(options: CacheServerOptions): {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
} {
  const log = options.log ?? ((line: string) => console.log(line));
  const maxBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const uploading = new Set<string>();
  // /health is open to anyone: one probe of the backend answers every request for a few seconds, and a probe that
  // stalls answers "degraded" at its deadline instead of holding each request as long as the backend does.
  let lastHealth: { at: number; answer: Promise<{ ok: boolean; detail: string }> } | undefined;
  const healthOf = () => {
    if (!lastHealth || Date.now() - lastHealth.at > HEALTH_REUSE_MS) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<{ ok: boolean; detail: string }>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, detail: `the backend did not answer its probe within ${HEALTH_DEADLINE_MS / 1000} s` }),
          HEALTH_DEADLINE_MS,
        );
        timer.unref();
      });
      const probe = options.storage
        .health()
        .catch((error: Error) => ({ ok: false, detail: `the backend failed its probe: ${error.message}` }))
        .finally(() => clearTimeout(timer));
      lastHealth = { at: Date.now(), answer: Promise.race([probe, deadline]) };
    }
    return lastHealth.answer;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://cache');
    if (url.pathname === '/health') {
      // Anyone may learn whether the cache works; only a token holder learns where it stores and what went wrong.
      const health = await healthOf();
      const status = { status: health.ok ? 'ok' : 'degraded' };
      const body =
        roleOf(request.headers.authorization, options.tokens) === 'none'
          ? status
          : { ...status, storage: options.storage.url, detail: health.detail };
      return send(response, health.ok ? 200 : 503, JSON.stringify(body), 'application/json');
    }
    const hash = /^\/v1\/cache\/([^/]+)$/.exec(url.pathname)?.[1];
    if (!hash) return send(response, 404, 'not found');
    if (!HASH.test(hash)) return send(response, 400, 'invalid hash');
    const role = roleOf(request.headers.authorization, options.tokens);
    if (role === 'none') return send(response, 401, 'missing or unknown bearer token');

    if (request.method === 'GET') {
      // Whatever the backend does, Nx must read a miss: an error answer would stop every task of the run.
      const found: Awaited<ReturnType<CacheStorage['get']>> = await options.storage
        .get(hash)
        .catch((error: Error) => ({ kind: 'down', detail: `the backend failed: ${error.message}` }));
      if (found.kind === 'down') log(`GET ${hash}: backend down (${found.detail}); answering 404 so the build goes on`);
      if (found.kind === 'missing' && found.detail) log(`GET ${hash}: ${found.detail}`);
      if (found.kind !== 'found') return send(response, 404, 'not found');
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(found.size) });
      await pipeline(await found.stream(), response).catch((error: Error) => log(`GET ${hash}: stream ended early: ${error.message}`));
      return;
    }
    if (request.method === 'PUT') {
      if (role !== 'write') return drain(request, response, 403, 'this token may read but not write');
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes)
        return drain(request, response, 413, `artifact of ${declared} bytes is over the limit of ${maxBytes}`);
      if (uploading.has(hash)) return drain(request, response, 409, 'this hash is being stored right now');
      uploading.add(hash);
      try {
        const stored: Awaited<ReturnType<CacheStorage['put']>> = await options.storage
          .put(hash, request, {
            maxBytes,
            ...(Number.isFinite(declared) ? { declaredBytes: declared } : {}),
          })
          .catch((error: Error) => ({ kind: 'down', detail: `the backend failed: ${error.message}` }));
        switch (stored.kind) {
          case 'stored':
            return send(response, 200, 'stored');
          case 'exists':
            return drain(request, response, 409, 'this hash already exists; it is never overwritten');
          case 'too-large':
            return drain(request, response, 413, `artifact is over the limit of ${maxBytes} bytes`);
          case 'aborted':
            log(`PUT ${hash}: ${stored.detail}; nothing stored`);
            return send(response, 400, 'upload incomplete');
          case 'down':
            log(`PUT ${hash}: backend down (${stored.detail}); answering 403 so Nx treats it as not stored`);
            return drain(request, response, 403, 'the cache backend is unavailable; not stored');
          case 'rejected':
            log(`PUT ${hash}: the backend refused the artifact (${stored.detail}); answering 403 so Nx treats it as not stored`);
            return drain(request, response, 403, 'the cache backend refused the artifact; not stored');
        }
      } finally {
        uploading.delete(hash);
      }
    }
    return send(response, 405, 'method not allowed');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      log(`${request.method} ${request.url}: ${error.message}`);
      if (!response.headersSent) send(response, 500, 'internal error');
      else response.destroy();
    });
  });
  // Clients (Nx's fetch) keep connections for the server's advertised keep-alive less a second; at Node's default of
  // 5 s a request on a connection idle that long races the server closing it ("other side closed"). Keep them longer.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** Answers without reading a (possibly huge) body into memory, then lets the client go. */
function drain(request: IncomingMessage, response: ServerResponse, status: number, body: string): void {
  send(response, status, body);
  request.resume();
}
