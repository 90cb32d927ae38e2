import { createTempWorkspace } from '../../test-utils/temp-workspace';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { findDockerCredentials } from './docker-credentials';
import { parseRegistryAddress, registryScheme, repositoryName } from './registry-address';
import { MANIFEST_ACCEPT, RegistryClient } from './registry-client';
import { parseWwwAuthenticate } from './www-authenticate';

const MODERN = `sha256:${'a'.repeat(64)}`;
const MADE_UP = `sha256:${'2'.repeat(64)}`;

/** A tiny real registry with token auth: what the client must cope with, over real HTTP. */
function startFakeRegistry(): Promise<{
  server: Server;
  host: string;
  requests: Array<{ method: string; url: string; auth?: string; accept?: string }>;
}> {
  const requests: Array<{ method: string; url: string; auth?: string; accept?: string }> = [];
  const server = createServer((request: IncomingMessage, response) => {
    const url = request.url ?? '';
    requests.push({ method: request.method ?? '', url, auth: request.headers.authorization, accept: request.headers.accept });
    const host = request.headers.host;
    if (url.startsWith('/token')) {
      const basic = `Basic ${Buffer.from('robot:s3cret').toString('base64')}`;
      if (request.headers.authorization !== basic) return void response.writeHead(401).end();
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok-123' }));
    }
    if (request.headers.authorization !== 'Bearer tok-123') {
      return void response
        .writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="fake",scope="repository:acme/app:pull"` })
        .end();
    }
    if (url === '/v2/acme/app/manifests/strata-abc') {
      const modern = (request.headers.accept ?? '').includes('application/vnd.oci.image.index.v1+json');
      return void response
        .writeHead(200, {
          'docker-content-digest': modern ? MODERN : `sha256:${'b'.repeat(64)}`,
          'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
        })
        .end();
    }
    if (url === '/v2/acme/app/manifests/poisoned') {
      // A proxy's HTML page under a made-up digest: never a hit.
      return void response.writeHead(200, { 'docker-content-digest': MADE_UP, 'content-type': 'text/html' }).end('<html>welcome</html>');
    }
    if (url === '/v2/acme/app/tags/list?n=1000') {
      return void response
        .writeHead(200, { link: '</v2/acme/app/tags/list?n=1000&last=b>; rel="next"' })
        .end(JSON.stringify({ tags: ['b', 'a'] }));
    }
    if (url === '/v2/acme/app/tags/list?n=1000&last=b') return void response.writeHead(200).end(JSON.stringify({ tags: ['c'] }));
    // A registry whose pages never end, and one whose next page is itself.
    if (url.startsWith('/v2/acme/endless/tags/list')) {
      const page = Number(new URL(url, 'http://x').searchParams.get('page') ?? 0);
      return void response
        .writeHead(200, { link: `</v2/acme/endless/tags/list?n=1000&page=${page + 1}>; rel="next"` })
        .end(JSON.stringify({ tags: [`t${page}`] }));
    }
    if (url === '/v2/acme/loop/tags/list?n=1000')
      return void response.writeHead(200, { link: `<${url}>; rel="next"` }).end(JSON.stringify({ tags: ['x'] }));
    // A registry that fails a read once (distribution under load), and one that always fails.
    if (url === '/v2/acme/app/manifests/flaky') {
      const seen = requests.filter((entry) => entry.url === url && entry.auth === 'Bearer tok-123').length;
      if (seen === 1) return void response.writeHead(500).end('boom');
      return void response.writeHead(404).end();
    }
    if (url === '/v2/acme/app/manifests/broken') return void response.writeHead(503).end();
    if (request.method === 'DELETE' && url.includes('/broken')) return void response.writeHead(500).end();
    if (request.method === 'DELETE') return void response.writeHead(405).end();
    response.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, host: `127.0.0.1:${(server.address() as { port: number }).port}`, requests })),
  );
}

describe('RegistryClient (real HTTP)', () => {
  let fake: Awaited<ReturnType<typeof startFakeRegistry>>;
  let dockerConfig: string;
  beforeEach(async () => {
    fake = await startFakeRegistry();
    dockerConfig = createTempWorkspace({});
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from('robot:s3cret').toString('base64') } } }),
    );
  });
  afterEach(() => {
    fake.server.close();
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  it('follows the Bearer challenge with docker config credentials and asks for every modern manifest type', async () => {
    const client = new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig });
    expect(await client.manifest('acme/app', 'strata-abc')).toEqual({
      ok: true,
      value: { digest: MODERN, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const tokenRequest = fake.requests.find((request) => request.url.startsWith('/token'))!;
    expect(tokenRequest.url).toBe('/token?service=fake&scope=repository%3Aacme%2Fapp%3Apull');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'HEAD', auth: 'Bearer tok-123', accept: MANIFEST_ACCEPT });
    expect(await client.manifest('acme/app', 'strata-none')).toEqual({ ok: true, value: null });
    expect(fake.requests.filter((request) => request.url.startsWith('/token'))).toHaveLength(1);
  });

  it('refuses a 200 whose body is not a manifest with the digest claimed, naming the registry and the reference', async () => {
    const client = new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig });
    const answer = await client.manifest('acme/app', 'poisoned', { withBody: true });
    expect(answer).toEqual({
      ok: false,
      failure: { kind: 'error', detail: expect.stringContaining(`${fake.host} answered acme/app:poisoned`) },
    });
    expect(JSON.stringify(answer)).not.toContain('welcome');
    expect(JSON.stringify(answer)).not.toContain(MADE_UP.slice(7));
  });

  it('reports refused credentials, an unreachable registry and a registry without deletes, without throwing', async () => {
    const kindOf = (result: { ok: boolean; failure?: { kind: string } }) => (result.ok ? 'ok' : result.failure!.kind);
    expect(kindOf(await new RegistryClient(fake.host, { DOCKER_CONFIG: '/nonexistent' }).manifest('acme/app', 'x'))).toBe('unauthorized');
    expect(kindOf(await new RegistryClient('127.0.0.1:1', {}).manifest('acme/app', 'x'))).toBe('unreachable');
    const deleted = await new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig }).deleteManifest('acme/app', 'sha256:1');
    expect(deleted).toEqual({ ok: false, failure: { kind: 'error', detail: expect.stringContaining('does not allow deletes') } });
  });

  it('asks once more after a 5xx on a read, never twice, and never repeats a write', async () => {
    const client = new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig });
    expect(await client.manifest('acme/app', 'flaky')).toEqual({ ok: true, value: null });
    expect(await client.manifest('acme/app', 'broken')).toEqual({
      ok: false,
      failure: { kind: 'error', detail: `HTTP 503 from ${fake.host}` },
    });
    const asked = (url: string, method: string) =>
      fake.requests.filter((entry) => entry.url === url && entry.method === method && entry.auth === 'Bearer tok-123').length;
    expect(asked('/v2/acme/app/manifests/flaky', 'HEAD')).toBe(2);
    expect(asked('/v2/acme/app/manifests/broken', 'HEAD')).toBe(2);
    await client.deleteManifest('acme/app/broken', 'sha256:1');
    expect(asked('/v2/acme/app/broken/manifests/sha256:1', 'DELETE')).toBe(1);
  });

  it('stops following tag pages that never end or go round, with a failure naming the registry', async () => {
    const client = new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig });
    const before = fake.requests.length;
    expect(await client.tags('acme/loop')).toEqual({
      ok: false,
      failure: { kind: 'error', detail: expect.stringContaining('sends the tag pages of acme/loop in a loop') },
    });
    expect(await client.tags('acme/endless')).toEqual({
      ok: false,
      failure: { kind: 'error', detail: expect.stringContaining('sends more than 1000 pages of tags for acme/endless') },
    });
    expect(fake.requests.filter((request) => request.url.includes('/tags/list')).length).toBeLessThan(1010);
    expect(fake.requests.length - before).toBeLessThan(1100);
  });

  it('lists tags across pages', async () => {
    expect(await new RegistryClient(fake.host, { DOCKER_CONFIG: dockerConfig }).tags('acme/app')).toEqual({
      ok: true,
      value: ['a', 'b', 'c'],
    });
  });
});

describe('findDockerCredentials', () => {
  let dir: string;
  beforeEach(() => (dir = createTempWorkspace({})));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asks the registry credential helper the way docker does (server on stdin)', async () => {
    const bin = join(dir, 'bin');
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        credHelpers: { 'ghcr.io': 'strata-test' },
        auths: { 'ghcr.io': { auth: Buffer.from('inline:nope').toString('base64') } },
      }),
    );
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'docker-credential-strata-test'),
      '#!/bin/sh\nread server\n[ "$1" = get ] && printf \'{"ServerURL":"%s","Username":"bot","Secret":"from-helper-for-%s"}\' "$server" "$server"\n',
    );
    chmodSync(join(bin, 'docker-credential-strata-test'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      expect(await findDockerCredentials('ghcr.io', { DOCKER_CONFIG: dir })).toEqual({
        kind: 'basic',
        username: 'bot',
        password: 'from-helper-for-ghcr.io',
      });
    } finally {
      process.env.PATH = path;
    }
  });

  it('reads inline auths and identity tokens, and finds nothing for other registries', async () => {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'registry.example.com': { auth: Buffer.from('me:pa:ss').toString('base64') },
          'https://gcr.io': { identitytoken: 'refresh' },
        },
      }),
    );
    expect(await findDockerCredentials('registry.example.com', { DOCKER_CONFIG: dir })).toEqual({
      kind: 'basic',
      username: 'me',
      password: 'pa:ss',
    });
    expect(await findDockerCredentials('gcr.io', { DOCKER_CONFIG: dir })).toEqual({ kind: 'identity-token', token: 'refresh' });
    expect(await findDockerCredentials('quay.io', { DOCKER_CONFIG: dir })).toBeUndefined();
  });
});

describe('registry addresses and challenges', () => {
  test.each([
    ['ghcr.io/acme', { host: 'ghcr.io', prefix: 'acme' }],
    ['127.0.0.1:5000/team/ns/', { host: '127.0.0.1:5000', prefix: 'team/ns' }],
    ['localhost:5000', { host: 'localhost:5000', prefix: '' }],
  ])('%s', (registry, expected) => {
    expect(parseRegistryAddress(registry)).toEqual(expected);
  });

  it('uses http for loopback and declared insecure registries only', () => {
    expect(registryScheme('127.0.0.1:5000')).toBe('http');
    expect(registryScheme('localhost:5000')).toBe('http');
    expect(registryScheme('ghcr.io')).toBe('https');
    expect(registryScheme('registry.lan:5000', { STRATA_INSECURE_REGISTRIES: 'registry.lan:5000' })).toBe('http');
    expect(repositoryName({ host: 'h', prefix: '' }, 'acme/app')).toBe('acme/app');
  });

  it('parses Bearer and Basic challenges', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/app:pull' },
    });
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseWwwAuthenticate(null)).toBeUndefined();
  });
});
