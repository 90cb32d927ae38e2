import { findDockerCredentials, type RegistryCredentials } from './docker-credentials';
import { registryScheme } from './registry-address';
import type { IncomingMessage } from 'node:http';
import {
  RegistryTimeoutError,
  registryRequest,
  registryTimeoutsFromEnv,
  streamDownload,
  streamUpload,
  type RegistryResponse,
  type RegistryTimeouts,
  type StreamedResponse,
} from './raw-http';
import { parseWwwAuthenticate } from './www-authenticate';

/** Without these, distribution 2.8 answers with a converted schema1 manifest whose digest differs. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** What the registry said about a manifest. A probe: never thrown. */
export type ManifestProbe =
  | { kind: 'found'; digest: string; mediaType: string; body?: string }
  | { kind: 'missing' }
  | { kind: 'unreachable'; detail: string; timedOut?: boolean }
  | { kind: 'unauthorized'; detail: string }
  | { kind: 'forbidden'; detail: string }
  | { kind: 'error'; detail: string };

type Action = 'pull' | 'push' | 'delete';

/** A request body held in memory. Bodies of unknown length go through `upload`, which streams with backpressure. */
export type RequestBody = string | Uint8Array;

/**
 * A small client for the OCI distribution API, authenticated the way docker is (docker config and credential
 * helpers, then the registry's Basic or Bearer challenge). One instance per registry host; tokens cached per scope.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private credentials: Promise<RegistryCredentials | undefined> | undefined;
  /** Every request is bounded (connect, answer, pauses in a body): STRATA_REGISTRY_*_TIMEOUT or the defaults. */
  readonly timeouts: RegistryTimeouts;

  constructor(
    readonly host: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    timeouts?: RegistryTimeouts,
  ) {
    this.timeouts = timeouts ?? registryTimeoutsFromEnv(env);
  }

  private get baseUrl(): string {
    return `${registryScheme(this.host, this.env)}://${this.host}`;
  }

  /** HEAD (or GET with `withBody`) a manifest by tag or digest. */
  async manifest(repository: string, reference: string, options: { withBody?: boolean } = {}): Promise<ManifestProbe> {
    const method = options.withBody ? 'GET' : 'HEAD';
    const response = await this.request(method, `/v2/${repository}/manifests/${reference}`, repository, 'pull', {
      Accept: MANIFEST_ACCEPT,
    });
    if ('failure' in response) return response.failure;
    const { status, headers } = response.response;
    if (status === 404) return { kind: 'missing' };
    if (status === 401) return { kind: 'unauthorized', detail: `HTTP 401 from ${this.host}` };
    if (status === 403) return { kind: 'forbidden', detail: `HTTP 403 from ${this.host}` };
    if (status !== 200) return { kind: 'error', detail: `HTTP ${status} from ${this.host}` };
    const digest = headers.get('docker-content-digest');
    if (!digest) return { kind: 'error', detail: `${this.host} sent no Docker-Content-Digest for ${repository}:${reference}` };
    return {
      kind: 'found',
      digest,
      mediaType: headers.get('content-type') ?? '',
      body: options.withBody ? await response.response.text() : undefined,
    };
  }

  /** Every tag of a repository ([] when the repository does not exist). */
  async tags(repository: string): Promise<string[] | { failure: ManifestProbe }> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (path) {
      const response = await this.request('GET', path, repository, 'pull', {});
      if ('failure' in response) return { failure: response.failure };
      if (response.response.status === 404) return [];
      if (response.response.status !== 200)
        return { failure: { kind: 'error', detail: `HTTP ${response.response.status} listing ${repository} on ${this.host}` } };
      const body = (await response.response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.response.headers.get('link') ?? '')?.[1];
      path = next ? (next.startsWith('/') ? next : new URL(next).pathname + new URL(next).search) : undefined;
    }
    return tags.sort();
  }

  /** Deletes a manifest by digest (the registry must allow deletes). Returns an error text, or undefined on success. */
  async deleteManifest(repository: string, digest: string): Promise<string | undefined> {
    const response = await this.request('DELETE', `/v2/${repository}/manifests/${digest}`, repository, 'delete', {});
    if ('failure' in response)
      return response.failure.kind === 'found' || response.failure.kind === 'missing' ? undefined : response.failure.detail;
    const { status } = response.response;
    if (status === 202 || status === 200 || status === 404) return undefined;
    if (status === 405) return `${this.host} does not allow deletes (distribution: storage.delete.enabled: true)`;
    return `HTTP ${status} deleting ${repository}@${digest} on ${this.host}`;
  }

  /**
   * Streams `body` to the registry with backpressure, e.g. a blob upload's PATCH or PUT (set Content-Length when it is
   * known). A stream cannot be sent twice, so make a bodiless request with the same `action` first: it fetches and
   * caches the token this uses. Rejects when the body or the connection fails.
   */
  async upload(
    method: string,
    pathOrUrl: string,
    repository: string,
    action: Action,
    headers: Record<string, string>,
    body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  ): Promise<StreamedResponse> {
    const authorization = this.tokens.get(scopeOf(repository, action));
    return streamUpload(
      this.absolute(pathOrUrl),
      method,
      { ...headers, ...(authorization ? { Authorization: authorization } : {}) },
      body,
      this.timeouts,
    );
  }

  /**
   * GETs a blob (or any path) as a node stream, following redirects. Uses the token cached for `repository`; on a 401
   * it negotiates one (as every other call does) and asks once more. Rejects when the registry cannot be reached.
   */
  async download(pathOrUrl: string, repository: string): Promise<IncomingMessage> {
    const url = this.absolute(pathOrUrl);
    const first = await streamDownload(url, this.tokens.get(scopeOf(repository, 'pull')), this.timeouts);
    if (first.statusCode !== 401) return first;
    first.resume();
    const { pathname, search } = new URL(url);
    const probe = await this.request('HEAD', pathname + search, repository, 'pull', {});
    if ('failure' in probe) return first;
    return streamDownload(url, this.tokens.get(scopeOf(repository, 'pull')), this.timeouts);
  }

  private absolute(pathOrUrl: string): string {
    return pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
  }

  /** Any request against the registry's API, authenticated like the others. */
  send(
    method: string,
    pathOrUrl: string,
    repository: string,
    action: Action,
    init: { headers?: Record<string, string>; body?: RequestBody } = {},
  ): Promise<{ response: RegistryResponse } | { failure: ManifestProbe }> {
    const path = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname + new URL(pathOrUrl).search : pathOrUrl;
    return this.request(method, path, repository, action, init.headers ?? {}, init.body);
  }

  private async request(
    method: string,
    path: string,
    repository: string,
    action: Action,
    headers: Record<string, string>,
    body?: RequestBody,
  ): Promise<{ response: RegistryResponse } | { failure: ManifestProbe }> {
    const scope = scopeOf(repository, action);
    const send = async (authorization?: string) => {
      try {
        return await registryRequest(`${this.baseUrl}${path}`, {
          method,
          headers: { ...headers, ...(authorization ? { Authorization: authorization } : {}) },
          body,
          timeouts: this.timeouts,
        });
      } catch (error) {
        return { unreachable: describeNetworkError(this.baseUrl, error), timedOut: error instanceof RegistryTimeoutError };
      }
    };
    const cached = this.tokens.get(scope);
    let response = await send(cached);
    if ('unreachable' in response)
      return { failure: { kind: 'unreachable', detail: response.unreachable, ...(response.timedOut ? { timedOut: true } : {}) } };
    if (response.status !== 401) return { response };

    const challenge = parseWwwAuthenticate(response.headers.get('www-authenticate'));
    const credentials = await (this.credentials ??= findDockerCredentials(this.host, this.env));
    let authorization: string | undefined;
    if (challenge?.scheme === 'basic') {
      if (credentials?.kind !== 'basic')
        return { failure: { kind: 'unauthorized', detail: `${this.host} wants a login and docker has none for it` } };
      authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    } else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const token = await this.fetchToken(challenge.params, scope, credentials);
      if ('failure' in token) return token;
      authorization = `Bearer ${token.token}`;
    } else {
      return { failure: { kind: 'unauthorized', detail: `${this.host} answered 401 without a usable challenge` } };
    }
    this.tokens.set(scope, authorization);
    response = await send(authorization);
    if ('unreachable' in response)
      return { failure: { kind: 'unreachable', detail: response.unreachable, ...(response.timedOut ? { timedOut: true } : {}) } };
    return { response };
  }

  private async fetchToken(
    params: Record<string, string>,
    scope: string,
    credentials: RegistryCredentials | undefined,
  ): Promise<{ token: string } | { failure: ManifestProbe }> {
    const url = new URL(params.realm);
    try {
      let response: RegistryResponse;
      if (credentials?.kind === 'identity-token') {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: credentials.token,
          service: params.service ?? '',
          scope,
          client_id: 'nx-strata',
        });
        response = await registryRequest(url.toString(), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          timeouts: this.timeouts,
        });
      } else {
        if (params.service) url.searchParams.set('service', params.service);
        url.searchParams.set('scope', scope);
        const headers: Record<string, string> = credentials
          ? { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
          : {};
        response = await registryRequest(url.toString(), { method: 'GET', headers, timeouts: this.timeouts });
      }
      if (response.status === 401 || response.status === 403)
        return {
          failure: {
            kind: 'unauthorized',
            detail: `the token service ${url.origin} refused ${credentials ? 'the credentials docker has' : 'anonymous access'} for ${this.host}`,
          },
        };
      if (!response.ok) return { failure: { kind: 'error', detail: `HTTP ${response.status} from the token service ${url.origin}` } };
      const body = (await response.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      return token ? { token } : { failure: { kind: 'error', detail: `the token service ${url.origin} sent no token` } };
    } catch (error) {
      return { failure: { kind: 'unreachable', detail: `token service ${describeNetworkError(url.origin, error)}` } };
    }
  }
}

function scopeOf(repository: string, action: Action): string {
  return `repository:${repository}:${action === 'pull' ? 'pull' : `pull,${action}`}`;
}

/** `http://127.0.0.1:5000: ECONNREFUSED`, or the timeout's own sentence (host, operation, limit). */
function describeNetworkError(origin: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if ((error as Error).name === 'RegistryTimeoutError') return (error as Error).message;
  return `${origin}: ${code ?? (error as Error).message}`;
}
