import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryClient } from '../../engines/registry/registry-client';
import type { CacheStorage, GetOutcome, PutOutcome } from './cache-storage';
import { MemoryBudget } from './memory-budget';

export const ARTIFACT_MEDIA_TYPE = 'application/vnd.nx-strata.cache.artifact.v1';
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_CONFIG_DIGEST = `sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}`;

class TooLarge extends Error {}

/** Registry errors that concurrent uploads of the same content cause in distribution: worth one retry. */
const RACE_CODES = new Set(['DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN']);

/** The first `errors[].code` of a registry error body, if it has one. */
function registryErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { errors?: Array<{ code?: unknown }> }).errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Artifacts kept in an OCI registry: each one a blob plus a small OCI manifest (artifactType
 * application/vnd.nx-strata.cache.artifact.v1) tagged by the Nx hash. The registry verifies blob digests on upload and
 * serves blobs by digest, so what is served is what was stored. The tag is written last: a dropped upload leaves at
 * most an unreferenced blob, never a visible artifact.
 */
export class OciStorage implements CacheStorage {
  readonly url: string;
  private readonly client: RegistryClient;
  private emptyConfig: Promise<string | undefined> | undefined;
  /** Hashes whose tag failed verification and could not be deleted: the next PUT may replace the tag. */
  private readonly quarantined = new Set<string>();

  constructor(
    private readonly host: string,
    private readonly repository: string,
    env: NodeJS.ProcessEnv = process.env,
    private readonly memory = new MemoryBudget(),
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.url = `oci://${host}/${repository}`;
    this.client = new RegistryClient(host, env);
  }

  async get(hash: string): Promise<GetOutcome> {
    const manifest = await this.client.manifest(this.repository, hash, { withBody: true });
    if (manifest.kind === 'missing') return { kind: 'missing' };
    if (manifest.kind !== 'found') return { kind: 'down', detail: `${this.url}: ${manifest.detail}` };
    const layer = (JSON.parse(manifest.body ?? '{}') as { layers?: Array<{ digest: string; size: number; mediaType: string }> })
      .layers?.[0];
    if (!layer || layer.mediaType !== ARTIFACT_MEDIA_TYPE)
      return { kind: 'missing', detail: `${this.url}:${hash} is not an nx-strata cache artifact` };
    let blob: IncomingMessage;
    try {
      blob = await this.client.download(`/v2/${this.repository}/blobs/${layer.digest}`, this.repository);
    } catch (error) {
      return { kind: 'down', detail: `${this.url}: ${(error as Error).message} reading blob ${layer.digest}` };
    }
    if (blob.statusCode !== 200) blob.resume();
    if (blob.statusCode === 404) return { kind: 'missing', detail: `${this.url}:${hash} names blob ${layer.digest}, which is gone` };
    if (blob.statusCode !== 200) return { kind: 'down', detail: `${this.url}: HTTP ${blob.statusCode} reading blob ${layer.digest}` };
    // Verify before the first byte goes out: hold the blob in memory if the budget allows, else spool it to a temp file.
    const source = blob as AsyncIterable<Buffer>;
    const release = this.memory.reserve(layer.size);
    const held = release ? await this.readIntoMemory(source, layer.size) : await this.spoolToFile(source);
    if ('error' in held) {
      release?.();
      // The registry stalled or dropped the connection: a fault of the backend, not of the artifact.
      return { kind: 'down', detail: `${this.url}:${hash} could not be read whole (${held.error})` };
    }
    if (held.digest !== layer.digest || held.size !== layer.size) {
      release?.();
      held.discard();
      const problem = `${held.size} bytes, ${held.digest}; expected ${layer.size} bytes, ${layer.digest}`;
      return {
        kind: 'missing',
        detail: `artifact ${this.url}:${hash} (blob ${hashLabel(layer.digest)}) fails its integrity check (${problem}); ${await this.quarantine(hash, manifest.digest)}`,
      };
    }
    return {
      kind: 'found',
      size: held.size,
      stream: () =>
        held.open().on('close', () => {
          held.discard();
          release?.();
        }),
    };
  }

  async put(hash: string, body: Readable, limits: { maxBytes: number; declaredBytes?: number }): Promise<PutOutcome> {
    // Small artifacts of known size are read whole, hashed, then sent in one request; others stream in chunks. Nx only
    // stores after a miss, so an existing hash is rare: small ones are checked once, just before tagging; big ones
    // also before the upload, to spare sending it for nothing.
    const release =
      limits.declaredBytes !== undefined && limits.declaredBytes <= limits.maxBytes ? this.memory.reserve(limits.declaredBytes) : undefined;
    if (!release && !this.quarantined.has(hash)) {
      const existing = await this.client.manifest(this.repository, hash);
      if (existing.kind === 'found') return { kind: 'exists' };
      if (existing.kind !== 'missing') return { kind: 'down', detail: `${this.url}: ${existing.detail}` };
    }
    try {
      const blob = release ? await this.uploadWhole(body, limits.maxBytes) : await this.uploadStreamed(body, limits.maxBytes);
      if (blob.kind !== 'blob') return blob;
      const tagged = await this.tag(hash, blob.digest, blob.size);
      if (tagged.kind === 'stored') this.quarantined.delete(hash);
      return tagged;
    } finally {
      release?.();
    }
  }

  private async uploadWhole(body: Readable, maxBytes: number): Promise<PutOutcome | { kind: 'blob'; digest: string; size: number }> {
    const chunks: Buffer[] = [];
    const hasher = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) return { kind: 'too-large' };
        hasher.update(chunk);
        chunks.push(chunk);
      }
    } catch (error) {
      return { kind: 'aborted', detail: (error as Error).message };
    }
    if (cutShort(body)) return { kind: 'aborted', detail: 'the client went away mid-upload' };
    const digest = `sha256:${hasher.digest('hex')}`;
    // Concurrent uploads of the same content race inside the registry (distribution answers DIGEST_INVALID to one of
    // them): the bytes are still here, so try once more before giving up.
    for (let attempt = 1; ; attempt++) {
      const start = await this.startUpload();
      if ('kind' in start) return start;
      let commit: { status: number; text: string };
      try {
        commit = await this.client.upload(
          'PUT',
          withDigest(start.location, digest),
          this.repository,
          'push',
          { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
          chunks,
        );
      } catch (error) {
        return { kind: 'down', detail: `${this.url}: ${(error as Error).message} storing blob ${digest}` };
      }
      if (commit.status === 201) return { kind: 'blob', digest, size };
      const code = registryErrorCode(commit.text);
      if (RACE_CODES.has(code ?? '') && attempt === 1) {
        this.log(`PUT blob ${hashLabel(digest)}: the registry answered ${code}; retrying once`);
        continue;
      }
      return code
        ? { kind: 'rejected', detail: `${this.url}: the registry refused blob ${digest} (HTTP ${commit.status} ${code})` }
        : { kind: 'down', detail: `${this.url}: HTTP ${commit.status} storing blob ${digest}` };
    }
  }

  private async uploadStreamed(body: Readable, maxBytes: number): Promise<PutOutcome | { kind: 'blob'; digest: string; size: number }> {
    const start = await this.startUpload();
    if ('kind' in start) return start;
    const state = { bytes: 0, hash: createHash('sha256') };
    const metered = async function* () {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        state.bytes += chunk.length;
        if (state.bytes > maxBytes) throw new TooLarge();
        state.hash.update(chunk);
        yield chunk;
      }
    };
    let location = start.location;
    try {
      const patch = await this.client.upload(
        'PATCH',
        location,
        this.repository,
        'push',
        { 'Content-Type': 'application/octet-stream' },
        metered(),
      );
      if (patch.status !== 202) return { kind: 'down', detail: `${this.url}: HTTP ${patch.status} uploading the artifact` };
      location = patch.headers.location ?? location;
    } catch (error) {
      if (error instanceof TooLarge || (error as Error).cause instanceof TooLarge) return { kind: 'too-large' };
      return cutShort(body) && body.destroyed
        ? { kind: 'aborted', detail: (error as Error).message }
        : { kind: 'down', detail: `${this.url}: ${(error as Error).message} uploading the artifact` };
    }
    if (cutShort(body)) return { kind: 'aborted', detail: 'the client went away mid-upload' };
    const digest = `sha256:${state.hash.digest('hex')}`;
    const commit = await this.client.send('PUT', withDigest(location, digest), this.repository, 'push');
    if ('failure' in commit) return { kind: 'down', detail: `${this.url}: ${describe(commit.failure)}` };
    if (commit.response.status === 201) return { kind: 'blob', digest, size: state.bytes };
    const code = registryErrorCode(await commit.response.text());
    // The streamed bytes are gone, but a racing upload of the same content may have committed the blob: then it is there.
    if (RACE_CODES.has(code ?? '')) {
      const there = await this.client.send('HEAD', `/v2/${this.repository}/blobs/${digest}`, this.repository, 'pull');
      if (!('failure' in there) && there.response.ok) return { kind: 'blob', digest, size: state.bytes };
    }
    return code
      ? { kind: 'rejected', detail: `${this.url}: the registry refused blob ${digest} (HTTP ${commit.response.status} ${code})` }
      : { kind: 'down', detail: `${this.url}: HTTP ${commit.response.status} committing blob ${digest}` };
  }

  private async startUpload(): Promise<PutOutcome | { location: string }> {
    const start = await this.client.send('POST', `/v2/${this.repository}/blobs/uploads/`, this.repository, 'push');
    if ('failure' in start) return { kind: 'down', detail: `${this.url}: ${describe(start.failure)}` };
    const location = start.response.headers.get('location');
    if (start.response.status !== 202 || !location)
      return { kind: 'down', detail: `${this.url}: HTTP ${start.response.status} starting an upload` };
    return { location };
  }

  /** Writes the manifest that makes the artifact visible under its hash: always the last step of a PUT. */
  private async tag(hash: string, digest: string, size: number): Promise<PutOutcome> {
    const config = await this.ensureEmptyConfig();
    if (config) return { kind: 'down', detail: config };
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: ARTIFACT_MEDIA_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length },
      layers: [{ mediaType: ARTIFACT_MEDIA_TYPE, digest, size }],
      annotations: { 'org.nx-strata.cache.hash': hash },
    });
    // Never overwrite: another replica may have stored the same hash meanwhile, and its tag stands (README, replicas).
    // Only a tag that failed verification (and could not be deleted) is replaced.
    if (!this.quarantined.has(hash)) {
      const existing = await this.client.manifest(this.repository, hash);
      if (existing.kind === 'found') return { kind: 'exists' };
      if (existing.kind !== 'missing') return { kind: 'down', detail: `${this.url}: ${existing.detail}` };
    }
    for (let attempt = 1; ; attempt++) {
      const tag = await this.client.send('PUT', `/v2/${this.repository}/manifests/${hash}`, this.repository, 'push', {
        headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
      if ('failure' in tag) return { kind: 'down', detail: `${this.url}: ${describe(tag.failure)}` };
      if (tag.response.status === 201) return { kind: 'stored' };
      this.emptyConfig = undefined; // the registry may have been wiped since: store it again next time
      const code = registryErrorCode(await tag.response.text());
      if (RACE_CODES.has(code ?? '') && attempt === 1) {
        // A blob another upload of the same content was still moving into place: store the config again, then retry.
        this.log(`PUT ${hash}: the registry answered ${code} for the manifest; retrying once`);
        const config = await this.ensureEmptyConfig();
        if (config) return { kind: 'down', detail: config };
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      return code
        ? { kind: 'rejected', detail: `${this.url}: the registry refused the manifest of ${hash} (HTTP ${tag.response.status} ${code})` }
        : { kind: 'down', detail: `${this.url}: HTTP ${tag.response.status} tagging ${hash}` };
    }
  }

  /** Reads at most `expected` + 1 bytes into memory, hashing as it goes. */
  private async readIntoMemory(source: AsyncIterable<Buffer>, expected: number): Promise<HeldBlob | { error: string }> {
    const chunks: Buffer[] = [];
    const hasher = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > expected) break; // longer than recorded: fails the check below without reading the rest
        hasher.update(chunk);
        chunks.push(chunk);
      }
    } catch (error) {
      return { error: (error as Error).message };
    }
    return { size, digest: `sha256:${hasher.digest('hex')}`, open: () => Readable.from(chunks), discard: () => void (chunks.length = 0) };
  }

  /** Streams the blob to a temp file (bounded memory), hashing as it goes. */
  private async spoolToFile(source: AsyncIterable<Buffer>): Promise<HeldBlob | { error: string }> {
    const directory = mkdtempSync(join(tmpdir(), 'nx-strata-cache-get-'));
    const spool = join(directory, 'artifact');
    const hasher = createHash('sha256');
    let size = 0;
    const discard = () => rmSync(directory, { recursive: true, force: true });
    try {
      const metered = async function* () {
        for await (const chunk of source) {
          size += chunk.length;
          hasher.update(chunk);
          yield chunk;
        }
      };
      await pipeline(Readable.from(metered()), createWriteStream(spool));
    } catch (error) {
      discard();
      return { error: (error as Error).message };
    }
    return { size, digest: `sha256:${hasher.digest('hex')}`, open: () => createReadStream(spool), discard };
  }

  /** Deletes a tag that failed verification so the hash can be stored again; else remembers to replace it. */
  private async quarantine(hash: string, manifestDigest: string): Promise<string> {
    const error = await this.client.deleteManifest(this.repository, manifestDigest);
    if (!error) {
      this.log(
        `artifact ${this.url}:${hash} failed verification; its manifest ${hashLabel(manifestDigest)} was deleted, the hash may be stored again`,
      );
      return 'deleted, it may be stored again';
    }
    this.quarantined.add(hash);
    this.log(
      `artifact ${this.url}:${hash} failed verification and could not be deleted (${error}); the next PUT of this hash replaces its tag`,
    );
    return 'the next PUT of this hash replaces it';
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const probe = await this.client.send('GET', '/v2/', this.repository, 'pull');
    if ('failure' in probe) return { ok: false, detail: `${this.url}: ${describe(probe.failure)}` };
    return probe.response.ok
      ? { ok: true, detail: `${this.url} answers` }
      : { ok: false, detail: `${this.url}: HTTP ${probe.response.status}` };
  }

  /** The `{}` config blob every artifact manifest points at; returns an error text or undefined. */
  private ensureEmptyConfig(): Promise<string | undefined> {
    // Content-addressed and shared by every artifact: once stored, never asked again; concurrent PUTs share one upload.
    this.emptyConfig ??= this.storeEmptyConfig().then((error) => {
      if (error) this.emptyConfig = undefined;
      return error;
    });
    return this.emptyConfig;
  }

  private async storeEmptyConfig(): Promise<string | undefined> {
    const head = await this.client.send('HEAD', `/v2/${this.repository}/blobs/${EMPTY_CONFIG_DIGEST}`, this.repository, 'pull');
    if (!('failure' in head) && head.response.ok) return undefined;
    // distribution 2.8 reads POST ?digest= as the start of a session, so: POST, then PUT ?digest= with the bytes.
    const start = await this.startUpload();
    if ('kind' in start) return start.kind === 'down' ? start.detail : `${this.url}: could not start the empty config blob`;
    const upload = await this.client.send('PUT', withDigest(start.location, EMPTY_CONFIG_DIGEST), this.repository, 'push', {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(EMPTY_CONFIG.length) },
      body: EMPTY_CONFIG,
    });
    if ('failure' in upload) return `${this.url}: ${describe(upload.failure)}`;
    return upload.response.status === 201 ? undefined : `${this.url}: HTTP ${upload.response.status} storing the empty config blob`;
  }
}

/** A blob read whole and hashed, waiting to be served: from memory or from a temp file. */
interface HeldBlob {
  size: number;
  digest: string;
  open(): Readable;
  discard(): void;
}

/** An HTTP request body that ended before all of it arrived (the client went away). */
function cutShort(body: Readable): boolean {
  return 'complete' in body && !(body as Readable & { complete: boolean }).complete;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

function hashLabel(digest: string): string {
  return digest.slice(0, 19);
}

function describe(failure: { kind: string; detail?: string }): string {
  return failure.detail ?? failure.kind;
}
