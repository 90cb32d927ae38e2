import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registryRequest, streamDownload, streamUpload, DEFAULT_REGISTRY_TIMEOUTS } from './raw-http';

async function serve(
  handler: (request: IncomingMessage, body: Buffer) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = handler(request, Buffer.concat(chunks));
    response.writeHead(answer.status, answer.headers ?? {});
    response.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('raw-http', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('uploads every chunk of a streamed body and returns the answer', async () => {
    const seen: { method?: string; bytes?: number; auth?: string } = {};
    const target = await serve((request, body) => {
      Object.assign(seen, { method: request.method, bytes: body.length, auth: request.headers.authorization });
      return { status: 202, headers: { Location: '/next' }, body: 'ok' };
    });
    servers.push(target.server);
    const chunk = Buffer.alloc(64 * 1024, 1);
    const body = (async function* () {
      for (let i = 0; i < 40; i++) yield chunk;
    })();
    const answer = await streamUpload(`${target.url}/upload`, 'PATCH', { Authorization: 'Bearer t' }, body);
    expect(answer).toMatchObject({ status: 202, text: 'ok' });
    expect(answer.headers.location).toBe('/next');
    expect(seen).toEqual({ method: 'PATCH', bytes: 40 * 64 * 1024, auth: 'Bearer t' });
  });

  it('rejects when the body fails midway, so a half upload is never taken for a whole one', async () => {
    const target = await serve(() => ({ status: 202 }));
    servers.push(target.server);
    const body = (async function* () {
      yield Buffer.from('start');
      throw new Error('client went away');
    })();
    await expect(streamUpload(`${target.url}/upload`, 'PATCH', {}, body)).rejects.toThrow('client went away');
  });

  it('follows redirects, sending the token only to the registry itself', async () => {
    const storageAuth: Array<string | undefined> = [];
    const storage = await serve((request) => {
      storageAuth.push(request.headers.authorization);
      return { status: 200, body: 'blob-bytes' };
    });
    const registry = await serve((request) =>
      request.headers.authorization === 'Bearer t' ? { status: 307, headers: { Location: `${storage.url}/signed?x=1` } } : { status: 401 },
    );
    servers.push(storage.server, registry.server);
    const response = await streamDownload(`${registry.url}/v2/r/blobs/sha256:abc`, 'Bearer t');
    let text = '';
    for await (const chunk of response) text += chunk;
    expect(response.statusCode).toBe(200);
    expect(text).toBe('blob-bytes');
    expect(storageAuth).toEqual([undefined]);
  });

  it('drops the Authorization header when a GET or HEAD is redirected to another origin, and keeps it on its own', async () => {
    const seen: Array<{ where: string; method?: string; auth?: string }> = [];
    const elsewhere = await serve((request) => {
      seen.push({ where: 'elsewhere', method: request.method, auth: request.headers.authorization });
      return { status: 200, body: '{}' };
    });
    const registry = await serve((request) => {
      seen.push({ where: request.url ?? '', method: request.method, auth: request.headers.authorization });
      if (request.url === '/v2/r/manifests/moved') return { status: 302, headers: { Location: '/v2/r/manifests/here' } };
      if (request.url === '/v2/r/manifests/here') return { status: 307, headers: { Location: `${elsewhere.url}/cdn` } };
      return { status: 404 };
    });
    servers.push(elsewhere.server, registry.server);
    const basic = `Basic ${Buffer.from('ciuser:hunter2').toString('base64')}`;
    for (const method of ['GET', 'HEAD']) {
      const answer = await registryRequest(`${registry.url}/v2/r/manifests/moved`, {
        method,
        headers: { Authorization: basic, Accept: 'application/json' },
        timeouts: DEFAULT_REGISTRY_TIMEOUTS,
      });
      expect(answer.status).toBe(200);
    }
    expect(seen).toEqual([
      { where: '/v2/r/manifests/moved', method: 'GET', auth: basic },
      { where: '/v2/r/manifests/here', method: 'GET', auth: basic },
      { where: 'elsewhere', method: 'GET', auth: undefined },
      { where: '/v2/r/manifests/moved', method: 'HEAD', auth: basic },
      { where: '/v2/r/manifests/here', method: 'HEAD', auth: basic },
      { where: 'elsewhere', method: 'HEAD', auth: undefined },
    ]);
  });

  it('never sends credentials to a URL outside the origin they were given for, redirected or not', async () => {
    const seen: Array<string | undefined> = [];
    const other = await serve((request) => {
      seen.push(request.headers.authorization);
      return { status: 202 };
    });
    servers.push(other.server);
    const origin = 'http://127.0.0.1:1';
    await streamUpload(`${other.url}/upload`, 'PUT', { authorization: 'Bearer t' }, [Buffer.from('x')], DEFAULT_REGISTRY_TIMEOUTS, origin);
    const response = await streamDownload(`${other.url}/blob`, 'Bearer t', DEFAULT_REGISTRY_TIMEOUTS, origin);
    response.resume();
    await registryRequest(`${other.url}/api`, {
      method: 'GET',
      headers: { Authorization: 'Bearer t' },
      timeouts: DEFAULT_REGISTRY_TIMEOUTS,
      credentialOrigin: origin,
    });
    expect(seen).toEqual([undefined, undefined, undefined]);
  });

  it('ends an answer that trickles a byte at a time at the whole-request deadline (issue 20 item 5)', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      // One byte every 300 ms never trips a 1 s idle timeout.
      const timer = setInterval(() => response.write(' '), 300);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
    const started = Date.now();
    await expect(registryRequest(url, { method: 'GET', timeouts: { connectMs: 1000, responseMs: 1000, idleMs: 1000 } })).rejects.toThrow(
      /did not finish its answer within 3 s/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an answer larger than 4 MiB instead of holding it in memory', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && response.write(chunk)) sent++;
        if (sent < 64) response.once('drain', pump);
        else response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/acme/manifests/huge`;
    await expect(registryRequest(url, { method: 'GET', timeouts: DEFAULT_REGISTRY_TIMEOUTS })).rejects.toThrow(
      /answered GET \/v2\/acme\/manifests\/huge with more than 4194304 bytes/,
    );
  });

  it('rejects when the registry cannot be reached', async () => {
    const gone = await serve(() => ({ status: 200 }));
    await new Promise((resolve) => gone.server.close(resolve));
    await expect(streamDownload(`${gone.url}/v2/`, undefined)).rejects.toThrow(/ECONNREFUSED/);
  });
});
