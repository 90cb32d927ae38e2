import type { Readable } from 'node:stream';

/** Where the cache server keeps artifacts. Backends never throw for an outcome: they answer with one. */
export interface CacheStorage {
  /** `file:///var/cache/nx` or `oci://registry:5000/team/nx-cache`, for logs and /health. */
  readonly url: string;
  get(hash: string): Promise<GetOutcome>;
  /**
   * Stores `body` under `hash` unless it exists; never overwrites, never leaves a partial artifact visible.
   * `declaredBytes` is the client's Content-Length when it sent one (a hint: the body is still metered).
   */
  put(hash: string, body: Readable, limits: { maxBytes: number; declaredBytes?: number }): Promise<PutOutcome>;
  health(): Promise<{ ok: boolean; detail: string }>;
}

export type GetOutcome =
  | { kind: 'found'; size: number; stream: () => Readable | Promise<Readable> }
  | { kind: 'missing'; detail?: string }
  | { kind: 'down'; detail: string };

/** `rejected`: the backend answered but refused this artifact (e.g. a registry's DIGEST_INVALID after one retry). */
export type PutOutcome =
  | { kind: 'stored' }
  | { kind: 'exists' }
  | { kind: 'too-large' }
  | { kind: 'down'; detail: string }
  | { kind: 'rejected'; detail: string }
  | { kind: 'aborted'; detail: string };
