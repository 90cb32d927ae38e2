import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The one place nx-strata talks HTTP to a registry (and its token service): plain node:http, every request bounded.
 * Node's fetch has no connect or idle timeout, reads an async-iterable request body as fast as it is produced (a 1 GB
 * upload held ~1 GB) and copies every chunk through web streams; this does none of that.
 */

/** Limits of one registry request, in milliseconds. */
export interface RegistryTimeouts {
  /** Until the TCP (and TLS) connection is up. */
  connectMs: number;
  /** From the last byte sent until the response headers arrive. */
  responseMs: number;
  /** Longest silence between two chunks of a body, either way. */
  idleMs: number;
}

export const DEFAULT_REGISTRY_TIMEOUTS: RegistryTimeouts = { connectMs: 10_000, responseMs: 30_000, idleMs: 30_000 };

/** Timeouts from STRATA_REGISTRY_{CONNECT,RESPONSE,IDLE}_TIMEOUT (seconds); defaults 10, 30 and 30 s. */
export function registryTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): RegistryTimeouts {
  const seconds = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] !== undefined && env[name] !== '' && Number.isFinite(value) && value > 0 ? value * 1000 : fallback;
  };
  return {
    connectMs: seconds('STRATA_REGISTRY_CONNECT_TIMEOUT', DEFAULT_REGISTRY_TIMEOUTS.connectMs),
    responseMs: seconds('STRATA_REGISTRY_RESPONSE_TIMEOUT', DEFAULT_REGISTRY_TIMEOUTS.responseMs),
    idleMs: seconds('STRATA_REGISTRY_IDLE_TIMEOUT', DEFAULT_REGISTRY_TIMEOUTS.idleMs),
  };
}

type Phase = 'connect' | 'response' | 'idle' | 'whole';
const PHASE_ENV: Record<Phase, string> = {
  connect: 'STRATA_REGISTRY_CONNECT_TIMEOUT',
  response: 'STRATA_REGISTRY_RESPONSE_TIMEOUT',
  idle: 'STRATA_REGISTRY_IDLE_TIMEOUT',
  whole: 'the sum of the three',
};

/** The largest registry answer read whole (manifests, tag lists, tokens): the OCI spec's 4 MiB manifest limit. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** A registry request that ran out of time: names the host, the operation, the phase and the limit. */
export class RegistryTimeoutError extends Error {
  constructor(
    readonly host: string,
    readonly operation: string,
    readonly phase: Phase,
    readonly limitMs: number,
  ) {
    const what =
      phase === 'connect'
        ? 'could not connect'
        : phase === 'response'
          ? 'sent no answer'
          : phase === 'idle'
            ? 'stopped sending data'
            : 'did not finish its answer';
    super(`${host} ${what} within ${limitMs / 1000} s (${operation}; limit ${PHASE_ENV[phase]}=${limitMs / 1000})`);
    this.name = 'RegistryTimeoutError';
  }
}

export interface StreamedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A response read whole (registry API answers are small), with the bits of the fetch Response shape callers use. */
export class RegistryResponse {
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    rawHeaders: IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.headers = {
      get: (name) => {
        const value = rawHeaders[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  /** The body exactly as sent (a manifest is hashed byte for byte). */
  bytes(): Buffer {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }
}

interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  timeouts: RegistryTimeouts;
  /**
   * The origin (`scheme://host:port`) the Authorization header was given for. A request to any other origin, first or
   * after a redirect, goes without it, as docker and containerd do. @default the first URL's own origin
   */
  credentialOrigin?: string;
}

/** `headers` without Authorization unless `url` is on `credentialOrigin`: credentials go to the host they belong to. */
export function headersFor(url: string, headers: Record<string, string> | undefined, credentialOrigin: string): Record<string, string> {
  if (new URL(url).origin === new URL(credentialOrigin).origin) return headers ?? {};
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

/**
 * Sends one request and resolves with the response stream once headers arrive. Connecting, waiting for the answer and
 * every pause in either body are bounded: past a limit the request is destroyed with a RegistryTimeoutError, which
 * rejects this promise or errors the response stream. Request bodies are sent with backpressure.
 */
export function openRequest(url: string, options: RequestOptions, retried = false): Promise<IncomingMessage> {
  const { timeouts } = options;
  const target = new URL(url);
  const operation = `${options.method} ${target.pathname}`;
  let answered: IncomingMessage | undefined;
  const fail = (request: ClientRequest, phase: Phase, limit: number) => {
    const error = new RegistryTimeoutError(target.host, operation, phase, limit);
    // Once the answer has begun, its reader must see why it stopped: destroy the response with the reason.
    if (answered) answered.destroy(error);
    request.destroy(error);
  };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const headers = headersFor(url, options.headers, options.credentialOrigin ?? target.origin);
    const request = requestFor(url)(url, { method: options.method, headers });
    let responseTimer: NodeJS.Timeout | undefined;
    request.once('socket', (socket) => {
      if (socket.connecting) {
        const connectTimer = setTimeout(() => fail(request, 'connect', timeouts.connectMs), timeouts.connectMs);
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      }
    });
    // Silence while the body is being sent (the registry stopped reading) or read (it stopped sending).
    request.setTimeout(timeouts.idleMs, () => fail(request, 'idle', timeouts.idleMs));
    request.once('finish', () => {
      request.setTimeout(0);
      responseTimer = setTimeout(() => fail(request, 'response', timeouts.responseMs), timeouts.responseMs);
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(responseTimer);
      // A kept-alive connection the registry (or a load balancer) closed meanwhile: once more on a new one, if the
      // body can be sent again.
      const replayable = options.body === undefined || typeof options.body === 'string' || options.body instanceof Uint8Array;
      if (!retried && !answered && request.reusedSocket && replayable && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        resolve(openRequest(url, options, true));
        return;
      }
      reject(error);
    });
    request.once('response', (response) => {
      answered = response;
      clearTimeout(responseTimer);
      request.setTimeout(timeouts.idleMs, () => fail(request, 'idle', timeouts.idleMs));
      response.once('end', () => request.setTimeout(0));
      resolve(response);
    });
    const body = options.body;
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
      request.end(body);
      return;
    }
    pipeline(Readable.from(body, { objectMode: false }), request).catch((error: Error) => {
      request.destroy(error);
      reject(error);
    });
  });
}

/**
 * Reads a small answer whole: at most `maxBytes`, and within `deadlineMs` from the request's start (a body trickling a
 * byte at a time never trips the idle timeout). Either limit destroys the response and throws, naming the host.
 */
export async function readWhole(
  response: IncomingMessage,
  limits: { host: string; operation: string; maxBytes: number; deadlineMs: number; startedAt: number },
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timedOut = false;
  const remaining = Math.max(0, limits.deadlineMs - (Date.now() - limits.startedAt));
  const timer = setTimeout(() => {
    timedOut = true;
    response.destroy();
  }, remaining);
  try {
    for await (const chunk of response) {
      size += (chunk as Buffer).length;
      if (size > limits.maxBytes) {
        response.destroy();
        throw new Error(
          `${limits.host} answered ${limits.operation} with more than ${limits.maxBytes} bytes; a registry answer read whole is never that large`,
        );
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (timedOut) throw new RegistryTimeoutError(limits.host, limits.operation, 'whole', limits.deadlineMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new RegistryTimeoutError(limits.host, limits.operation, 'whole', limits.deadlineMs);
  return Buffer.concat(chunks);
}

/**
 * One request with a small in-memory body, answer read whole; follows redirects for GET and HEAD, sending the
 * Authorization header to the first URL's origin (or `credentialOrigin`) only.
 */
export async function registryRequest(
  url: string,
  options: Omit<RequestOptions, 'body'> & { body?: string | Uint8Array },
): Promise<RegistryResponse> {
  const follow = options.method === 'GET' || options.method === 'HEAD';
  const credentialOrigin = options.credentialOrigin ?? new URL(url).origin;
  const startedAt = Date.now();
  const response = await followingRedirects(url, follow, (current) => openRequest(current, { ...options, credentialOrigin }));
  const { connectMs, responseMs, idleMs } = options.timeouts;
  const body = await readWhole(response, {
    host: new URL(url).host,
    operation: `${options.method} ${new URL(url).pathname}`,
    maxBytes: MAX_ANSWER_BYTES,
    deadlineMs: connectMs + responseMs + idleMs,
    startedAt,
  });
  return new RegistryResponse(response.statusCode ?? 0, response.headers, body);
}

/** Opens `url` with `open`, and, when `follow`, each redirect's target in turn (five at most). */
async function followingRedirects(
  url: string,
  follow: boolean,
  open: (current: string) => Promise<IncomingMessage>,
): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    const response = await open(current);
    const location = response.headers.location;
    if (!follow || !location || ![301, 302, 303, 307, 308].includes(response.statusCode ?? 0)) return response;
    response.resume();
    current = new URL(location, current).toString();
  }
  throw new Error(`${url}: more than five redirects`);
}

/** Sends `body` with backpressure: each chunk waits until the socket has taken the last. Rejects if either side fails. */
export async function streamUpload(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  timeouts: RegistryTimeouts = DEFAULT_REGISTRY_TIMEOUTS,
  credentialOrigin: string = new URL(url).origin,
): Promise<StreamedResponse> {
  const response = await openRequest(url, { method, headers, body, timeouts, credentialOrigin });
  // The upload may take long; the answer to it is small and bounded from when it starts.
  const answer = await readWhole(response, {
    host: new URL(url).host,
    operation: `${method} ${new URL(url).pathname}`,
    maxBytes: MAX_ANSWER_BYTES,
    deadlineMs: timeouts.responseMs + timeouts.idleMs,
    startedAt: Date.now(),
  });
  const text = answer.toString('utf8');
  return { status: response.statusCode ?? 0, headers: response.headers, text };
}

/**
 * GETs `url` and hands back the response to read as a stream (a pause longer than the idle timeout errors it).
 * Follows up to five redirects (blob stores often send one), sending `authorization` only to `credentialOrigin`.
 */
export async function streamDownload(
  url: string,
  authorization: string | undefined,
  timeouts: RegistryTimeouts = DEFAULT_REGISTRY_TIMEOUTS,
  credentialOrigin: string = new URL(url).origin,
): Promise<IncomingMessage> {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  return followingRedirects(url, true, (current) => openRequest(current, { method: 'GET', headers, timeouts, credentialOrigin }));
}

function requestFor(url: string): typeof httpRequest {
  return url.startsWith('https:') ? httpsRequest : httpRequest;
}
