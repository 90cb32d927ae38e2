import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { RegistryClient } from '../../engines/registry/registry-client';
import type { CacheStorage, GetOutcome, PutOutcome } from './cache-storage';

export const ARTIFACT_MEDIA_TYPE = 'application/vnd.nx-strata.cache.artifact.v1';
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_CONFIG_DIGEST = `sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}`;

class TooLarge extends Error {}

/**
 * Artifacts kept in an OCI registry: each one a blob plus a small OCI manifest (artifactType
 * application/vnd.nx-strata.cache.artifact.v1) tagged by the Nx hash. The registry verifies blob digests on upload and
 * serves blobs by digest, so what is served is what was stored. The tag is written last: a dropped upload leaves at
 * most an unreferenced blob, never a visible artifact.
 */
export class OciStorage implements CacheStorage {
  readonly url: string;
  private readonly client: RegistryClient;

  constructor(
    private readonly host: string,
    private readonly repository: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.url = `oci://${host}/${repository}`;
    this.client = new RegistryClient(host, env);
  }

  async get(hash: string): Promise<GetOutcome> {
    const manifest = await this.client.manifest(this.repository, hash, { withBody: true });
    if (manifest.kind === 'missing') return { kind: 'missing' };
    if (manifest.kind !== 'found') return { kind: 'down', detail: `${this.url}: ${manifest.detail}` };
    const layer = (JSON.parse(manifest.body ?? '{}') as { layers?: Array<{ digest: string; size: number; mediaType: string }> }).layers?.[0];
    if (!layer || layer.mediaType !== ARTIFACT_MEDIA_TYPE) return { kind: 'missing', detail: `${this.url}:${hash} is not an nx-strata cache artifact` };
    const blob = await this.client.send('GET', `/v2/${this.repository}/blobs/${layer.digest}`, this.repository, 'pull');
    if ('failure' in blob) return { kind: 'down', detail: `${this.url}: ${blob.failure.kind === 'found' || blob.failure.kind === 'missing' ? blob.failure.kind : blob.failure.detail}` };
    if (blob.response.status === 404) return { kind: 'missing', detail: `${this.url}:${hash} names blob ${layer.digest}, which is gone` };
    if (!blob.response.ok || !blob.response.body) return { kind: 'down', detail: `${this.url}: HTTP ${blob.response.status} reading blob ${layer.digest}` };
    // Verify before the first byte goes out: spool to a temp file (bounded memory) while hashing, then compare.
    const spool = join(mkdtempSync(join(tmpdir(), 'nx-strata-cache-get-')), 'artifact');
    const hasher = createHash('sha256');
    let size = 0;
    try {
      const source = Readable.fromWeb(blob.response.body as unknown as WebReadableStream);
      source.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hasher.update(chunk);
      });
      await pipeline(source, createWriteStream(spool));
    } catch (error) {
      rmSync(dirname(spool), { recursive: true, force: true });
      return { kind: 'missing', detail: `${this.url}:${hash} could not be read whole (${(error as Error).message}); not serving it` };
    }
    const actual = `sha256:${hasher.digest('hex')}`;
    if (actual !== layer.digest || size !== layer.size) {
      rmSync(dirname(spool), { recursive: true, force: true });
      return { kind: 'missing', detail: `artifact ${this.url}:${hash} (blob ${hashLabel(layer.digest)}) fails its integrity check (${size} bytes, ${actual}; expected ${layer.size} bytes, ${layer.digest}); not serving it` };
    }
    return {
      kind: 'found',
      size,
      stream: () => createReadStream(spool).on('close', () => rmSync(dirname(spool), { recursive: true, force: true })),
    };
  }

  async put(hash: string, body: Readable, limits: { maxBytes: number }): Promise<PutOutcome> {
    const existing = await this.client.manifest(this.repository, hash);
    if (existing.kind === 'found') return { kind: 'exists' };
    if (existing.kind !== 'missing') return { kind: 'down', detail: `${this.url}: ${existing.detail}` };

    const start = await this.client.send('POST', `/v2/${this.repository}/blobs/uploads/`, this.repository, 'push');
    if ('failure' in start) return { kind: 'down', detail: `${this.url}: ${describe(start.failure)}` };
    if (start.response.status !== 202) return { kind: 'down', detail: `${this.url}: HTTP ${start.response.status} starting an upload` };
    const state = { bytes: 0, hash: createHash('sha256') };
    const metered = async function* () {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        state.bytes += chunk.length;
        if (state.bytes > limits.maxBytes) throw new TooLarge();
        state.hash.update(chunk);
        yield chunk;
      }
    };
    let location = start.response.headers.get('location') ?? '';
    try {
      const patch = await this.client.send('PATCH', location, this.repository, 'push', { headers: { 'Content-Type': 'application/octet-stream' }, body: metered() });
      if ('failure' in patch) return { kind: 'down', detail: `${this.url}: ${describe(patch.failure)}` };
      if (patch.response.status !== 202) return { kind: 'down', detail: `${this.url}: HTTP ${patch.response.status} uploading the artifact` };
      location = patch.response.headers.get('location') ?? location;
    } catch (error) {
      if (error instanceof TooLarge || (error as Error).cause instanceof TooLarge) return { kind: 'too-large' };
      return { kind: 'aborted', detail: (error as Error).message };
    }
    if ('complete' in body && !(body as Readable & { complete: boolean }).complete) return { kind: 'aborted', detail: 'the client went away mid-upload' };
    const digest = `sha256:${state.hash.digest('hex')}`;
    const commit = await this.client.send('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`, this.repository, 'push');
    if ('failure' in commit) return { kind: 'down', detail: `${this.url}: ${describe(commit.failure)}` };
    if (commit.response.status !== 201) return { kind: 'down', detail: `${this.url}: HTTP ${commit.response.status} committing blob ${digest}` };

    const config = await this.ensureEmptyConfig();
    if (config) return { kind: 'down', detail: config };
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: ARTIFACT_MEDIA_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG.length },
      layers: [{ mediaType: ARTIFACT_MEDIA_TYPE, digest, size: state.bytes }],
      annotations: { 'org.nx-strata.cache.hash': hash },
    });
    // Another replica may have stored the same hash meanwhile: its tag stands (see README, several replicas).
    if ((await this.client.manifest(this.repository, hash)).kind === 'found') return { kind: 'exists' };
    const tag = await this.client.send('PUT', `/v2/${this.repository}/manifests/${hash}`, this.repository, 'push', {
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    if ('failure' in tag) return { kind: 'down', detail: `${this.url}: ${describe(tag.failure)}` };
    if (tag.response.status !== 201) return { kind: 'down', detail: `${this.url}: HTTP ${tag.response.status} tagging ${hash}: ${await tag.response.text()}` };
    return { kind: 'stored' };
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const probe = await this.client.send('GET', '/v2/', this.repository, 'pull');
    if ('failure' in probe) return { ok: false, detail: `${this.url}: ${describe(probe.failure)}` };
    return probe.response.ok ? { ok: true, detail: `${this.url} answers` } : { ok: false, detail: `${this.url}: HTTP ${probe.response.status}` };
  }

  /** The `{}` config blob every artifact manifest points at; returns an error text or undefined. */
  private async ensureEmptyConfig(): Promise<string | undefined> {
    const head = await this.client.send('HEAD', `/v2/${this.repository}/blobs/${EMPTY_CONFIG_DIGEST}`, this.repository, 'pull');
    if (!('failure' in head) && head.response.ok) return undefined;
    // distribution 2.8 reads POST ?digest= as the start of a session, so: POST, then PUT ?digest= with the bytes.
    const start = await this.client.send('POST', `/v2/${this.repository}/blobs/uploads/`, this.repository, 'push');
    if ('failure' in start) return `${this.url}: ${describe(start.failure)}`;
    const location = start.response.headers.get('location');
    if (start.response.status !== 202 || !location) return `${this.url}: HTTP ${start.response.status} starting the empty config blob`;
    const upload = await this.client.send('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(EMPTY_CONFIG_DIGEST)}`, this.repository, 'push', {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(EMPTY_CONFIG.length) },
      body: EMPTY_CONFIG,
    });
    if ('failure' in upload) return `${this.url}: ${describe(upload.failure)}`;
    return upload.response.status === 201 ? undefined : `${this.url}: HTTP ${upload.response.status} storing the empty config blob`;
  }
}

function hashLabel(digest: string): string {
  return digest.slice(0, 19);
}

function describe(failure: { kind: string; detail?: string }): string {
  return failure.detail ?? failure.kind;
}
