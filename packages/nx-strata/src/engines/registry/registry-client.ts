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
import { isDigest, verifyManifest } from './verify-manifest';
import { parseWwwAuthenticate } from './www-authenticate';

/** The pause before a read that got a 5xx is asked once more. */
const SERVER_ERROR_RETRY_MS = 500;

/** Without these, distribution 2.8 answers with a converted schema1 manifest whose digest differs. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Why a registry request did not give what was asked. `detail` names the registry (and, for a timeout, the limit). */
export interface RegistryFailure {
  kind: 'unreachable' | 'unauthorized' | 'forbidden' | 'error';
  detail: string;
  /** The registry stopped answering (a connect, answer or idle timeout), rather than refusing the connection. */
  timedOut?: boolean;
  /** What was thrown, when something was (e.g. by an upload's own body). */
  cause?: unknown;
}

/**
 * The one way every RegistryClient method answers: never a throw, never `undefined` for an error. An answer the
 * registry gives (a manifest it does not have, a tag list) is a value; only a failure to get one is a failure.
 */
export type RegistryResult<T> = { ok: true; value: T } | { ok: false; failure: RegistryFailure };

/** A manifest the registry has. */
export interface FoundManifest {
  digest: string;
  mediaType: string;
  body?: string;
}

type Action = 'pull' | 'push' | 'delete';

/** A request body held in memory. Bodies of unknown length go through `upload`, which streams with backpressure. */
export type RequestBody = string | Uint8Array;

const ok = <T>(value: T): RegistryResult<T> => ({ ok: true, value });

/** Tag pages one listing may follow: 1,000 pages of 1,000 tags. */
const MAX_TAG_PAGES = 1000;

function failure(
  kind: RegistryFailure['kind'],
  detail: string,
  extra: Partial<RegistryFailure> = {},
): { ok: false; failure: RegistryFailure } {
  return { ok: false, failure: { kind, detail, ...extra } };
}

/**
 * A small client for the OCI distribution API, authenticated the way docker is (docker config and credential
 * helpers, then the registry's Basic or Bearer challenge). One instance per registry host; tokens cached per scope.
 * Every method answers with a RegistryResult.
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

  /**
   * A manifest by tag or digest; `null` when the registry does not have it. With `withBody` (a GET) the answer is
   * checked before it is trusted: an image manifest or index whose bytes hash to the digest asked for and to the one
   * the registry names, and `digest` is the hash of those bytes. A HEAD only shows the manifest is there (by a digest
   * reference, under that digest): use it for existence, never for a digest something will be built on or published.
   */
  async manifest(
    repository: string,
    reference: string,
    options: { withBody?: boolean } = {},
  ): Promise<RegistryResult<FoundManifest | null>> {
    const answer = await this.request(options.withBody ? 'GET' : 'HEAD', `/v2/${repository}/manifests/${reference}`, repository, 'pull', {
      Accept: MANIFEST_ACCEPT,
    });
    if (!answer.ok) return answer;
    const { status, headers } = answer.value;
    if (status === 404) return ok(null);
    if (status === 401) return failure('unauthorized', `HTTP 401 from ${this.host}`);
    if (status === 403) return failure('forbidden', `HTTP 403 from ${this.host}`);
    if (status !== 200) return failure('error', `HTTP ${status} from ${this.host}`);
    const headerDigest = headers.get('docker-content-digest');
    const contentType = headers.get('content-type');
    if (options.withBody) {
      const bytes = answer.value.bytes();
      const verdict = verifyManifest({ bytes, contentType, headerDigest, reference });
      if (!verdict.ok)
        return failure('error', `${this.host} answered ${repository}:${reference} with something it cannot be: ${verdict.problem}`);
      return ok({ digest: verdict.digest, mediaType: verdict.mediaType, body: bytes.toString('utf8') });
    }
    if (isDigest(reference) && headerDigest && headerDigest !== reference)
      return failure('error', `${this.host} answered ${repository}@${reference} under another digest (${headerDigest.slice(0, 80)})`);
    const digest = isDigest(reference) ? reference : headerDigest;
    if (!digest) return failure('error', `${this.host} sent no Docker-Content-Digest for ${repository}:${reference}`);
    if (!isDigest(digest))
      return failure('error', `${this.host} sent a Docker-Content-Digest for ${repository}:${reference} that is not a digest`);
    return ok({ digest, mediaType: contentType ?? '' });
  }

  /** Every tag of a repository ([] when the repository does not exist). */
  async tags(repository: string): Promise<RegistryResult<string[]>> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    const asked = new Set<string>();
    while (path) {
      // A registry whose Link: rel="next" never ends (or goes round) would be followed forever: pages are bounded.
      if (asked.has(path))
        return failure('error', `${this.host} sends the tag pages of ${repository} in a loop (${path.slice(0, 120)} again)`);
      if (asked.size >= MAX_TAG_PAGES)
        return failure('error', `${this.host} sends more than ${MAX_TAG_PAGES} pages of tags for ${repository}; stopped there`);
      asked.add(path);
      const answer = await this.request('GET', path, repository, 'pull', {});
      if (!answer.ok) return answer;
      if (answer.value.status === 404) return ok([]);
      if (answer.value.status !== 200) return failure('error', `HTTP ${answer.value.status} listing ${repository} on ${this.host}`);
      const body = (await answer.value.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const next = /<([^>]+)>;\s*rel="next"/.exec(answer.value.headers.get('link') ?? '')?.[1];
      path = next ? (next.startsWith('/') ? next : new URL(next).pathname + new URL(next).search) : undefined;
    }
    return ok(tags.sort());
  }

  /** Deletes a manifest by digest (the registry must allow deletes); one that is already gone counts as deleted. */
  async deleteManifest(repository: string, digest: string): Promise<RegistryResult<void>> {
    const answer = await this.request('DELETE', `/v2/${repository}/manifests/${digest}`, repository, 'delete', {});
    if (!answer.ok) return answer;
    const { status } = answer.value;
    if (status === 202 || status === 200 || status === 404) return ok(undefined);
    if (status === 405) return failure('error', `${this.host} does not allow deletes (distribution: storage.delete.enabled: true)`);
    return failure('error', `HTTP ${status} deleting ${repository}@${digest} on ${this.host}`);
  }

  /**
   * Streams `body` to the registry with backpressure, e.g. a blob upload's PATCH or PUT (set Content-Length when it is
   * known). A stream cannot be sent twice, so make a bodiless request with the same `action` first: it fetches and
   * caches the token this uses. A failure of the body itself comes back as the failure's `cause`.
   */
  async upload(
    method: string,
    pathOrUrl: string,
    repository: string,
    action: Action,
    headers: Record<string, string>,
    body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  ): Promise<RegistryResult<StreamedResponse>> {
    const authorization = this.tokens.get(scopeOf(repository, action));
    try {
      return ok(
        await streamUpload(
          this.absolute(pathOrUrl),
          method,
          { ...headers, ...(authorization ? { Authorization: authorization } : {}) },
          body,
          this.timeouts,
          this.baseUrl,
        ),
      );
    } catch (error) {
      return failure('unreachable', describeNetworkError(this.baseUrl, error), {
        timedOut: error instanceof RegistryTimeoutError,
        cause: error,
      });
    }
  }

  /**
   * GETs a blob (or any path) as a node stream, following redirects; a pause longer than the idle timeout errors the
   * stream. Uses the token cached for `repository`; on a 401 it negotiates one (as every other call does) and asks once more.
   */
  async download(pathOrUrl: string, repository: string): Promise<RegistryResult<IncomingMessage>> {
    const url = this.absolute(pathOrUrl);
    const get = async (): Promise<RegistryResult<IncomingMessage>> => {
      try {
        return ok(await streamDownload(url, this.tokens.get(scopeOf(repository, 'pull')), this.timeouts, this.baseUrl));
      } catch (error) {
        return failure('unreachable', describeNetworkError(this.baseUrl, error), {
          timedOut: error instanceof RegistryTimeoutError,
          cause: error,
        });
      }
    };
    const first = await get();
    if (!first.ok || first.value.statusCode !== 401) return first;
    first.value.resume();
    const { pathname, search } = new URL(url);
    const probe = await this.request('HEAD', pathname + search, repository, 'pull', {});
    return probe.ok ? get() : probe;
  }

  private absolute(pathOrUrl: string): string {
    return pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
  }

  /** Any request against the registry's API, authenticated like the others; the answer read whole. */
  send(
    method: string,
    pathOrUrl: string,
    repository: string,
    action: Action,
    init: { headers?: Record<string, string>; body?: RequestBody } = {},
  ): Promise<RegistryResult<RegistryResponse>> {
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
  ): Promise<RegistryResult<RegistryResponse>> {
    const scope = scopeOf(repository, action);
    const sendOnce = async (authorization?: string): Promise<RegistryResult<RegistryResponse>> => {
      try {
        const headersWithAuth = { ...headers, ...(authorization ? { Authorization: authorization } : {}) };
        return ok(await registryRequest(`${this.baseUrl}${path}`, { method, headers: headersWithAuth, body, timeouts: this.timeouts }));
      } catch (error) {
        return failure(
          'unreachable',
          describeNetworkError(this.baseUrl, error),
          error instanceof RegistryTimeoutError ? { timedOut: true } : {},
        );
      }
    };
    // A registry's 5xx on a read is often passing (distribution answers 500 now and then under load): asked once more,
    // after a pause, as registry clients do. Writes are never repeated here.
    const send = async (authorization?: string): Promise<RegistryResult<RegistryResponse>> => {
      const answer = await sendOnce(authorization);
      if (!(method === 'GET' || method === 'HEAD') || !answer.ok || answer.value.status < 500) return answer;
      await new Promise((resolve) => setTimeout(resolve, SERVER_ERROR_RETRY_MS));
      return sendOnce(authorization);
    };
    const first = await send(this.tokens.get(scope));
    if (!first.ok || first.value.status !== 401) return first;

    const challenge = parseWwwAuthenticate(first.value.headers.get('www-authenticate'));
    const credentials = await (this.credentials ??= findDockerCredentials(this.host, this.env));
    let authorization: string;
    if (challenge?.scheme === 'basic') {
      if (credentials?.kind !== 'basic') return failure('unauthorized', `${this.host} wants a login and docker has none for it`);
      authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    } else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const token = await this.fetchToken(challenge.params, scope, credentials);
      if (!token.ok) return token;
      authorization = `Bearer ${token.value}`;
    } else {
      return failure('unauthorized', `${this.host} answered 401 without a usable challenge`);
    }
    this.tokens.set(scope, authorization);
    return send(authorization);
  }

  private async fetchToken(
    params: Record<string, string>,
    scope: string,
    credentials: RegistryCredentials | undefined,
  ): Promise<RegistryResult<string>> {
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
      if (response.status === 401 || response.status === 403) {
        return failure(
          'unauthorized',
          `the token service ${url.origin} refused ${credentials ? 'the credentials docker has' : 'anonymous access'} for ${this.host}`,
        );
      }
      if (!response.ok) return failure('error', `HTTP ${response.status} from the token service ${url.origin}`);
      const body = (await response.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      return token ? ok(token) : failure('error', `the token service ${url.origin} sent no token`);
    } catch (error) {
      return failure(
        'unreachable',
        `token service ${describeNetworkError(url.origin, error)}`,
        error instanceof RegistryTimeoutError ? { timedOut: true } : {},
      );
    }
  }
}

/** One RegistryClient per host, made when first asked for (its tokens are then reused for every repository there). */
export function registryClients(env: NodeJS.ProcessEnv = process.env): (host: string) => RegistryClient {
  const clients = new Map<string, RegistryClient>();
  return (host) => clients.get(host) ?? clients.set(host, new RegistryClient(host, env)).get(host)!;
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
