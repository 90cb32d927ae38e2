import { createHash, type Hash } from 'node:crypto';

/** Thrown by `DigestMeter.through` when a stream goes past the meter's limit. */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
}

/**
 * Counts and SHA-256-hashes the bytes of an artifact as they pass, with an optional limit: the one read loop every
 * cache backend uses for uploads, downloads and verification.
 */
export class DigestMeter {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {}

  /** Counts and hashes `chunk`; false (and nothing counted) when it would take the total past the limit. */
  take(chunk: Uint8Array): boolean {
    if (this.bytes + chunk.length > this.maxBytes) return false;
    this.bytes += chunk.length;
    this.hash.update(chunk);
    return true;
  }

  /** Passes `source` through, counting and hashing; throws TooLargeError past the limit. */
  async *through(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (!this.take(chunk)) throw new TooLargeError(`more than ${this.maxBytes} bytes`);
      yield chunk;
    }
  }

  /** `sha256:<hex>`. Call once, at the end. */
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
