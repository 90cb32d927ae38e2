import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamDownload, streamUpload } from './raw-http';

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

  it('rejects when the registry cannot be reached', async () => {
    const gone = await serve(() => ({ status: 200 }));
    await new Promise((resolve) => gone.server.close(resolve));
    await expect(streamDownload(`${gone.url}/v2/`, undefined)).rejects.toThrow(/ECONNREFUSED/);
  });
});
