import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { CacheStorage, GetOutcome, PutOutcome } from './cache-storage';
import { DigestMeter } from './digest-meter';

/** `nx-strata-cache/1 sha256:<64 hex> size:<16 digits>\n`: fixed length, so it is written last, in place. */
const HEADER_BYTES = 'nx-strata-cache/1 sha256: size:\n'.length + 64 + 16;
const HEADER = /^nx-strata-cache\/1 sha256:([0-9a-f]{64}) size:(\d{16})\n$/;
const CHUNK_BYTES = 256 * 1024;

function header(sha256: string, size: number): Buffer {
  const text = `nx-strata-cache/1 sha256:${sha256} size:${String(size).padStart(16, '0')}\n`;
  if (text.length !== HEADER_BYTES) throw new Error('internal: cache header length');
  return Buffer.from(text, 'latin1');
}

/**
 * Artifacts in a local directory, one file per hash under `artifacts/`: a fixed-length header (sha256 and size of what
 * follows) then the artifact, so the two can never disagree. A PUT writes a temp file in `.incoming/`, writes the
 * header last and publishes it with link(2), which fails if the hash exists: never overwritten, never half-written,
 * and two servers on one directory agree on one winner. A GET opens the file once, verifies it through that descriptor
 * and sends from the same descriptor (a file replaced meanwhile cannot slip in between). An entry that fails
 * verification is moved to `.corrupt/` and may be stored again. Hashes live alone in `artifacts/`: no metadata file can
 * share a name with one.
 */
export class FileStorage implements CacheStorage {
  readonly url: string;
  private readonly artifacts: string;
  private readonly incoming: string;
  private readonly corrupt: string;

  constructor(
    private readonly directory: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.url = `file://${directory}`;
    this.artifacts = join(directory, 'artifacts');
    this.incoming = join(directory, '.incoming');
    this.corrupt = join(directory, '.corrupt');
    for (const path of [this.artifacts, this.incoming, this.corrupt]) mkdirSync(path, { recursive: true });
  }

  async get(hash: string): Promise<GetOutcome> {
    const path = join(this.artifacts, hash);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'missing', detail: `artifact ${hash} cannot be opened (${code ?? (error as Error).message}); not serving it` };
    }
    let handedOver = false;
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) return { kind: 'missing', detail: `artifact ${hash} is not a regular file; not serving it` };
      const verdict = this.verify(fd, stats.size);
      if (!verdict.ok) {
        this.quarantine(hash, verdict.problem);
        return {
          kind: 'missing',
          detail: `artifact ${hash} fails its integrity check (${verdict.problem}); moved aside to .corrupt/, it may be stored again`,
        };
      }
      handedOver = true;
      return { kind: 'found', size: verdict.size, stream: () => createReadStream('', { fd, start: HEADER_BYTES, autoClose: true }) };
    } finally {
      if (!handedOver) closeSync(fd);
    }
  }

  async put(hash: string, body: Readable, limits: { maxBytes: number }): Promise<PutOutcome> {
    const path = join(this.artifacts, hash);
    const temporary = join(this.incoming, `${hash}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      if (exists(path)) return { kind: 'exists' };
      const written = await writeArtifact(body, temporary, limits.maxBytes);
      if (written.kind !== 'ok') return written.kind === 'too-large' ? { kind: 'too-large' } : { kind: 'aborted', detail: written.detail };
      try {
        linkSync(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { kind: 'exists' };
        throw error;
      }
      return { kind: 'stored' };
    } catch (error) {
      return { kind: 'down', detail: `${this.url}: ${(error as Error).message}` };
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const probe = join(this.incoming, `health-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      writeFileSync(probe, 'ok');
      return { ok: true, detail: `${this.url} is writable` };
    } catch (error) {
      return { ok: false, detail: `${this.url}: ${(error as Error).message}` };
    } finally {
      // A full disk creates the file and fails the write: the probe is removed either way.
      rmSync(probe, { force: true });
    }
  }

  /** Reads the header and hashes the rest, all through `fd`. */
  private verify(fd: number, fileSize: number): { ok: true; size: number } | { ok: false; problem: string } {
    if (fileSize < HEADER_BYTES) return { ok: false, problem: `${fileSize} bytes, shorter than its header` };
    const head = Buffer.alloc(HEADER_BYTES);
    readSync(fd, head, 0, HEADER_BYTES, 0);
    const match = HEADER.exec(head.toString('latin1'));
    if (!match) return { ok: false, problem: 'no valid header' };
    const [, expected, recordedSize] = match;
    const size = fileSize - HEADER_BYTES;
    if (Number(recordedSize) !== size) return { ok: false, problem: `${size} bytes, recorded ${Number(recordedSize)}` };
    const meter = new DigestMeter();
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let position = HEADER_BYTES; position < fileSize;) {
      const read = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, fileSize - position), position);
      if (read === 0) return { ok: false, problem: 'shorter than its size' };
      meter.take(read === CHUNK_BYTES ? buffer : buffer.subarray(0, read));
      position += read;
    }
    const actual = meter.digest().slice('sha256:'.length);
    return actual === expected ? { ok: true, size } : { ok: false, problem: `sha256 ${actual}, recorded ${expected}` };
  }

  private quarantine(hash: string, problem: string): void {
    const aside = join(this.corrupt, `${hash}.${Date.now()}.${randomBytes(4).toString('hex')}`);
    try {
      renameSync(join(this.artifacts, hash), aside);
      this.log(`artifact ${hash} failed verification (${problem}); moved to ${aside}`);
    } catch (error) {
      // Another server moved it first, or it is gone: either way the hash is free again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(`artifact ${hash} failed verification (${problem}) and could not be moved aside: ${(error as Error).message}`);
    }
  }
}

function exists(path: string): boolean {
  try {
    closeSync(openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    return true; // something is there (a directory, a link): never replace it
  }
}

/**
 * Streams `body` into a new file after room for the header, hashing as it goes; stops reading (without dropping the
 * connection, so a 413 can still be sent) past `maxBytes`; then writes the header. Memory stays bounded by one chunk.
 */
function writeArtifact(
  body: Readable,
  path: string,
  maxBytes: number,
): Promise<{ kind: 'ok' } | { kind: 'too-large' } | { kind: 'aborted'; detail: string }> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  const meter = new DigestMeter(maxBytes);
  return new Promise<{ kind: 'ok' } | { kind: 'too-large' } | { kind: 'aborted'; detail: string }>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { kind: 'ok' } | { kind: 'too-large' } | { kind: 'aborted'; detail: string } | Error) => {
      if (settled) return;
      settled = true;
      body.removeListener('data', onData);
      try {
        if (!(outcome instanceof Error) && outcome.kind === 'ok') {
          const head = header(meter.digest().slice('sha256:'.length), meter.bytes);
          writeSync(fd, head, 0, head.length, 0);
        }
      } catch (error) {
        outcome = error as Error;
      } finally {
        closeSync(fd);
      }
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      const position = HEADER_BYTES + meter.bytes;
      if (!meter.take(chunk)) {
        body.pause();
        finish({ kind: 'too-large' });
        return;
      }
      try {
        for (let offset = 0; offset < chunk.length;) offset += writeSync(fd, chunk, offset, chunk.length - offset, position + offset);
      } catch (error) {
        finish(error as Error);
      }
    };
    body.on('data', onData);
    body.once('end', () => finish({ kind: 'ok' }));
    body.once('error', (error) => finish({ kind: 'aborted', detail: error.message }));
    body.once('close', () => {
      if ('complete' in body && !(body as Readable & { complete: boolean }).complete)
        finish({ kind: 'aborted', detail: 'the client went away mid-upload' });
      else finish({ kind: 'ok' });
    });
  });
}
