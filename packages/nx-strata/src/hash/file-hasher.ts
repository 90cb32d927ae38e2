import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
// xxhash-wasm ships a CommonJS build (`module.exports = xxhash`) beside its ESM one; its types are ESM-only.
type XXHashFactory = typeof import('xxhash-wasm', { with: { 'resolution-mode': 'import' } }).default;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xxhash: XXHashFactory = require('xxhash-wasm');

type XXHashApi = Awaited<ReturnType<XXHashFactory>>;

export interface FileDigest {
  /** xxh64 of the content, 16 hex digits. */
  hash: string;
  /** Executable bit only, as git records it (umask differs between checkouts). */
  executable: boolean;
  size: number;
}

/** Reads in fixed-size chunks: hashing a 2 GB file holds one chunk, not the file (256 KiB measured fastest here). */
const CHUNK_BYTES = 256 * 1024;

/**
 * Streaming xxh64 hashing of files and strings. One instance owns one reusable read buffer,
 * so memory stays bounded by CHUNK_BYTES whatever the file sizes.
 */
export class FileHasher {
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);

  private constructor(private readonly api: XXHashApi) {}

  static async create(): Promise<FileHasher> {
    return new FileHasher(await xxhash());
  }

  /**
   * Hashes a regular file. Never follows a symlink and never blocks on a special file: it opens without following
   * (O_NOFOLLOW) and without waiting (O_NONBLOCK), then refuses anything fstat does not call a regular file.
   * Errors name the path.
   */
  hashFile(path: string): FileDigest {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'it is a symlink' : code === 'EISDIR' ? 'it is a directory' : (code ?? (error as Error).message);
      throw new Error(`cannot hash ${path}: ${why}`, { cause: error });
    }
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw new Error(`cannot hash ${path}: it is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}`);
      const hasher = this.api.create64();
      let read: number;
      while ((read = readSync(fd, this.buffer, 0, CHUNK_BYTES, null)) > 0) {
        hasher.update(read === CHUNK_BYTES ? this.buffer : this.buffer.subarray(0, read));
      }
      return { hash: toHex(hasher.digest()), executable: (stats.mode & 0o111) !== 0, size: stats.size };
    } finally {
      closeSync(fd);
    }
  }

  hashString(text: string): string {
    return toHex(this.api.h64Raw(Buffer.from(text, 'utf8')));
  }
}

function toHex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}
