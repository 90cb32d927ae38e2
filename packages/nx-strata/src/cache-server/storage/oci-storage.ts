import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryClient } from '../../engines/registry/registry-client';
import type { CacheStorage, GetOutcome, PutOutcome } from './cache-storage';
import { DigestMeter, TooLargeError } from './digest-meter';
import { MemoryBudget } from './memory-budget';

export const ARTIFACT_MEDIA_TYPE = 'application/vnd.nx-strata.cache.artifact.v1';
/**
 * The layer type of an artifact stored whole (what earlier versions wrote; still read). Now every artifact is stored
 * salted: its blob is SALT_BYTES random bytes, then the artifact, so each store is a blob no other store made. A registry
 * keeps an existing blob when the same digest is uploaded again, so a blob whose bytes were damaged on its disk would
 * otherwise never be replaced by storing the same artifact again (with deletes enabled or not: a DELETE only unlinks).
 */
export const SALTED_ARTIFACT_MEDIA_TYPE = 'application/vnd.nx-strata.cache.artifact.salted.v1';
const SALT_BYTES = 16;
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_CONFIG_DIGEST = `sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}`;

/** Registry errors that concurrent uploads of the same content cause in distribution: worth one retry. */
const RACE_CODES = new Set(['DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'BLOB_UNKNOWN']);

/** How often a PUT tries again after a race; 30 identical concurrent uploads have needed more than one. */
const RACE_RETRIES = 3;

/** 100-400 ms, growing per attempt, jittered so racing uploads do not collide again in step. */
function raceBackoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 100)));
}

/** The artifact layer an OCI manifest names, or undefined for a body that is not such a manifest (never a throw). */
function artifactLayer(body: string | undefined): { digest: string; size: number; mediaType: string } | undefined {
  try {
    const layer = (JSON.parse(body ?? '{}') as { layers?: Array<{ digest?: unknown; size?: unknown; mediaType?: unknown }> } | null)
      ?.layers?.[0];
    return layer && typeof layer.digest === 'string' && typeof layer.size === 'number' && typeof layer.mediaType === 'string'
      ? { digest: layer.digest, size: layer.size, mediaType: layer.mediaType }
      : undefined;
  } catch {
    return undefined;
  }
}

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
 * Artifacts kept in an OCI registry: each one a salted blob plus a small OCI manifest (artifactType
 * application/vnd.nx-strata.cache.artifact.v1) tagged by the Nx hash. The registry verifies blob digests on upload and
 * serves blobs by digest, and every GET checks the blob against the manifest before the first byte goes out. The tag is written last: a dropped upload leaves at
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
    if (!manifest.ok) return { kind: 'down', detail: `${this.url}: ${manifest.failure.detail}` };
    if (!manifest.value) return { kind: 'missing' };
    const layer = artifactLayer(manifest.value.body);
    if (!layer || (layer.mediaType !== ARTIFACT_MEDIA_TYPE && layer.mediaType !== SALTED_ARTIFACT_MEDIA_TYPE))
      return { kind: 'missing', detail: `${this.url}:${hash} is not an nx-strata cache artifact` };
    const skip = layer.mediaType === SALTED_ARTIFACT_MEDIA_TYPE ? SALT_BYTES : 0;
    if (layer.size < skip) return { kind: 'missing', detail: `${this.url}:${hash} names a salted blob shorter than its salt` };
    const download = await this.client.download(`/v2/${this.repository}/blobs/${layer.digest}`, this.repository);
    if (!download.ok) return { kind: 'down', detail: `${this.url}: ${download.failure.detail} reading blob ${layer.digest}` };
    const blob = download.value;
    if (blob.statusCode !== 200) blob.resume();
    if (blob.statusCode === 404) return { kind: 'missing', detail: `${this.url}:${hash} names blob ${layer.digest}, which is gone` };
    if (blob.statusCode !== 200) return { kind: 'down', detail: `${this.url}: HTTP ${blob.statusCode} reading blob ${layer.digest}` };
    // Verify before the first byte goes out: hold the blob in memory if the budget allows, else spool it to a temp file.
    const release = this.memory.reserve(layer.size);
    const held = release ? await readIntoMemory(blob, layer.size) : await spoolToFile(blob);
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
        detail: `artifact ${this.url}:${hash} (blob ${hashLabel(layer.digest)}) fails its integrity check (${problem}); ${await this.quarantine(hash, manifest.value.digest)}`,
      };
    }
    return {
      kind: 'found',
      size: held.size - skip,
      stream: () =>
        held.open(skip).on('close', () => {
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
      if (!existing.ok) return { kind: 'down', detail: `${this.url}: ${existing.failure.detail}` };
      if (existing.value) return { kind: 'exists' };
    }
    try {
      const salted = withSalt(body);
      const maxBytes = limits.maxBytes + SALT_BYTES;
      const blob = release ? await this.uploadWhole(salted, body, maxBytes) : await this.uploadStreamed(salted, body, maxBytes);
      if (blob.kind !== 'blob') return blob;
      const tagged = await this.tag(hash, blob.digest, blob.size);
      if (tagged.kind === 'stored') this.quarantined.delete(hash);
      return tagged;
    } finally {
      release?.();
    }
  }

  /** Reads the (salted) blob whole, then sends it in one request. `body` is the client's request, to tell a cut-short one. */
  private async uploadWhole(
    blobBytes: AsyncIterable<Buffer>,
    body: Readable,
    maxBytes: number,
  ): Promise<PutOutcome | { kind: 'blob'; digest: string; size: number }> {
    const chunks: Buffer[] = [];
    const meter = new DigestMeter(maxBytes);
    try {
      for await (const chunk of meter.through(blobBytes)) chunks.push(chunk);
    } catch (error) {
      return error instanceof TooLargeError ? { kind: 'too-large' } : { kind: 'aborted', detail: (error as Error).message };
    }
    if (cutShort(body)) return { kind: 'aborted', detail: 'the client went away mid-upload' };
    const digest = meter.digest();
    const size = meter.bytes;
    // Concurrent uploads of the same content race inside the registry (distribution answers DIGEST_INVALID to one of
    // them): if the racing upload committed the blob, it is there; else the bytes are still here, so try again.
    for (let attempt = 1; ; attempt++) {
      const start = await this.startUpload();
      if ('kind' in start) return start;
      const commit = await this.client.upload(
        'PUT',
        withDigest(start.location, digest),
        this.repository,
        'push',
        { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
        chunks,
      );
      if (!commit.ok) return { kind: 'down', detail: `${this.url}: ${commit.failure.detail} storing blob ${digest}` };
      if (commit.value.status === 201) return { kind: 'blob', digest, size };
      const code = registryErrorCode(commit.value.text);
      if (RACE_CODES.has(code ?? '') && attempt <= RACE_RETRIES) {
        if (await this.hasBlob(digest)) return { kind: 'blob', digest, size };
        this.log(`PUT blob ${hashLabel(digest)}: the registry answered ${code}; retrying (${attempt} of ${RACE_RETRIES})`);
        await raceBackoff(attempt);
        continue;
      }
      return code
        ? { kind: 'rejected', detail: `${this.url}: the registry refused blob ${digest} (HTTP ${commit.value.status} ${code})` }
        : { kind: 'down', detail: `${this.url}: HTTP ${commit.value.status} storing blob ${digest}` };
    }
  }

  /** Streams the (salted) blob in one PATCH, then commits it. `body` is the client's request, to tell a cut-short one. */
  private async uploadStreamed(
    blobBytes: AsyncIterable<Buffer>,
    body: Readable,
    maxBytes: number,
  ): Promise<PutOutcome | { kind: 'blob'; digest: string; size: number }> {
    const start = await this.startUpload();
    if ('kind' in start) return start;
    const meter = new DigestMeter(maxBytes);
    const patch = await this.client.upload(
      'PATCH',
      start.location,
      this.repository,
      'push',
      { 'Content-Type': 'application/octet-stream' },
      meter.through(blobBytes),
    );
    if (!patch.ok) {
      const cause = patch.failure.cause as (Error & { cause?: unknown }) | undefined;
      if (cause instanceof TooLargeError || cause?.cause instanceof TooLargeError) return { kind: 'too-large' };
      return cutShort(body) && body.destroyed
        ? { kind: 'aborted', detail: patch.failure.detail }
        : { kind: 'down', detail: `${this.url}: ${patch.failure.detail} uploading the artifact` };
    }
    if (patch.value.status !== 202) return { kind: 'down', detail: `${this.url}: HTTP ${patch.value.status} uploading the artifact` };
    const location = patch.value.headers.location ?? start.location;
    if (cutShort(body)) return { kind: 'aborted', detail: 'the client went away mid-upload' };
    const digest = meter.digest();
    const commit = await this.client.send('PUT', withDigest(location, digest), this.repository, 'push');
    if (!commit.ok) return { kind: 'down', detail: `${this.url}: ${commit.failure.detail}` };
    if (commit.value.status === 201) return { kind: 'blob', digest, size: meter.bytes };
    const code = registryErrorCode(await commit.value.text());
    // The streamed bytes are gone, but a racing upload of the same content may have committed the blob: then it is there.
    if (RACE_CODES.has(code ?? '') && (await this.hasBlob(digest))) return { kind: 'blob', digest, size: meter.bytes };
    return code
      ? { kind: 'rejected', detail: `${this.url}: the registry refused blob ${digest} (HTTP ${commit.value.status} ${code})` }
      : { kind: 'down', detail: `${this.url}: HTTP ${commit.value.status} committing blob ${digest}` };
  }

  /** Whether the registry holds the blob (a racing upload of the same content may have committed it). */
  private async hasBlob(digest: string): Promise<boolean> {
    const there = await this.client.send('HEAD', `/v2/${this.repository}/blobs/${digest}`, this.repository, 'pull');
    return there.ok && there.value.ok;
  }

  private async startUpload(): Promise<PutOutcome | { location: string }> {
    const start = await this.client.send('POST', `/v2/${this.repository}/blobs/uploads/`, this.repository, 'push');
    if (!start.ok) return { kind: 'down', detail: `${this.url}: ${start.failure.detail}` };
    const location = start.value.headers.get('location');
    if (start.value.status !== 202 || !location)
      return { kind: 'down', detail: `${this.url}: HTTP ${start.value.status} starting an upload` };
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
      layers: [{ mediaType: SALTED_ARTIFACT_MEDIA_TYPE, digest, size }],
      annotations: { 'org.nx-strata.cache.hash': hash },
    });
    // Never overwrite: another replica may have stored the same hash meanwhile, and its tag stands (README, replicas).
    // Only a tag that failed verification (and could not be deleted) is replaced.
    if (!this.quarantined.has(hash)) {
      const existing = await this.client.manifest(this.repository, hash);
      if (!existing.ok) return { kind: 'down', detail: `${this.url}: ${existing.failure.detail}` };
      if (existing.value) return { kind: 'exists' };
    }
    for (let attempt = 1; ; attempt++) {
      const tag = await this.client.send('PUT', `/v2/${this.repository}/manifests/${hash}`, this.repository, 'push', {
        headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
      if (!tag.ok) return { kind: 'down', detail: `${this.url}: ${tag.failure.detail}` };
      if (tag.value.status === 201) return { kind: 'stored' };
      this.emptyConfig = undefined; // the registry may have been wiped since: store it again next time
      const code = registryErrorCode(await tag.value.text());
      if (RACE_CODES.has(code ?? '') && attempt <= RACE_RETRIES) {
        // A blob another upload of the same content was still moving into place: store the config again, then retry.
        this.log(`PUT ${hash}: the registry answered ${code} for the manifest; retrying (${attempt} of ${RACE_RETRIES})`);
        const retryConfig = await this.ensureEmptyConfig();
        if (retryConfig) return { kind: 'down', detail: retryConfig };
        await raceBackoff(attempt);
        continue;
      }
      return code
        ? { kind: 'rejected', detail: `${this.url}: the registry refused the manifest of ${hash} (HTTP ${tag.value.status} ${code})` }
        : { kind: 'down', detail: `${this.url}: HTTP ${tag.value.status} tagging ${hash}` };
    }
  }

  /** Deletes a tag that failed verification so the hash can be stored again; else remembers to replace it. */
  private async quarantine(hash: string, manifestDigest: string): Promise<string> {
    const deleted = await this.client.deleteManifest(this.repository, manifestDigest);
    if (deleted.ok) {
      this.log(
        `artifact ${this.url}:${hash} failed verification; its manifest ${hashLabel(manifestDigest)} was deleted, the hash may be stored again`,
      );
      return 'deleted, it may be stored again';
    }
    this.quarantined.add(hash);
    this.log(
      `artifact ${this.url}:${hash} failed verification and could not be deleted (${deleted.failure.detail}); the next PUT of this hash replaces its tag`,
    );
    return 'the next PUT of this hash replaces it';
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const probe = await this.client.send('GET', '/v2/', this.repository, 'pull');
    if (!probe.ok) return { ok: false, detail: `${this.url}: ${probe.failure.detail}` };
    return probe.value.ok ? { ok: true, detail: `${this.url} answers` } : { ok: false, detail: `${this.url}: HTTP ${probe.value.status}` };
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
    if (head.ok && head.value.ok) return undefined;
    // distribution 2.8 reads POST ?digest= as the start of a session, so: POST, then PUT ?digest= with the bytes.
    const start = await this.startUpload();
    if ('kind' in start) return start.kind === 'down' ? start.detail : `${this.url}: could not start the empty config blob`;
    const upload = await this.client.send('PUT', withDigest(start.location, EMPTY_CONFIG_DIGEST), this.repository, 'push', {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(EMPTY_CONFIG.length) },
      body: EMPTY_CONFIG,
    });
    if (!upload.ok) return `${this.url}: ${upload.failure.detail}`;
    return upload.value.status === 201 ? undefined : `${this.url}: HTTP ${upload.value.status} storing the empty config blob`;
  }
}

/** Reads at most `expected` bytes into memory, hashing as it goes; a longer blob fails the size check without being read whole. */
async function readIntoMemory(source: AsyncIterable<Buffer>, expected: number): Promise<HeldBlob | { error: string }> {
  const chunks: Buffer[] = [];
  const meter = new DigestMeter(expected);
  try {
    for await (const chunk of meter.through(source)) chunks.push(chunk);
  } catch (error) {
    if (!(error instanceof TooLargeError)) return { error: (error as Error).message };
    return { size: expected + 1, digest: 'sha256:(longer than recorded)', open: () => Readable.from([]), discard: () => undefined };
  }
  return {
    size: meter.bytes,
    digest: meter.digest(),
    open: (skip) => Readable.from(dropBytes(chunks, skip)),
    discard: () => void (chunks.length = 0),
  };
}

/** Streams the blob to a temp file (bounded memory), hashing as it goes. */
async function spoolToFile(source: AsyncIterable<Buffer>): Promise<HeldBlob | { error: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'nx-strata-cache-get-'));
  const spool = join(directory, 'artifact');
  const meter = new DigestMeter();
  const discard = () => rmSync(directory, { recursive: true, force: true });
  try {
    await pipeline(Readable.from(meter.through(source)), createWriteStream(spool));
  } catch (error) {
    discard();
    return { error: (error as Error).message };
  }
  return { size: meter.bytes, digest: meter.digest(), open: (skip) => createReadStream(spool, { start: skip }), discard };
}

/** A blob read whole and hashed, waiting to be served: from memory or from a temp file. */
interface HeldBlob {
  size: number;
  digest: string;
  /** Its bytes after the first `skip` (a salted blob's salt). */
  open(skip: number): Readable;
  discard(): void;
}

/** The chunks without their first `skip` bytes (sliced, not copied). */
function dropBytes(chunks: Buffer[], skip: number): Buffer[] {
  const kept: Buffer[] = [];
  let left = skip;
  for (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    kept.push(left ? chunk.subarray(left) : chunk);
    left = 0;
  }
  return kept;
}

/** A fresh random salt, then the artifact: the bytes of its blob. */
async function* withSalt(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield randomBytes(SALT_BYTES);
  yield* body;
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
