import { createHash } from 'node:crypto';

/** The manifest media types an image or a multi-platform list is served as (what MANIFEST_ACCEPT asks for). */
export const IMAGE_MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;
export const IMAGE_INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

/** A digest as OCI writes it: `sha256:<64 hex>` or `sha512:<128 hex>`. */
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

export type VerifiedManifest = { ok: true; digest: string; mediaType: string } | { ok: false; problem: string };

/**
 * Checks a manifest the registry sent before anything trusts it: the bytes are an image manifest or index (JSON,
 * schemaVersion 2, a known media type, the fields of that type), and they hash to the digest that will be recorded:
 * the reference when it is a digest, and the Docker-Content-Digest header when the registry sent one. Pure. The
 * problem never quotes the body (it may be anything a proxy sends).
 */
export function verifyManifest(answer: {
  bytes: Buffer;
  contentType: string | null;
  headerDigest: string | null;
  reference: string;
}): VerifiedManifest {
  const shape = manifestShape(answer.bytes, answer.contentType);
  if (!shape.ok) return shape;
  const expected = [isDigest(answer.reference) ? answer.reference : null, answer.headerDigest].filter((d): d is string => !!d);
  const algorithm = expected[0]?.startsWith('sha512:') ? 'sha512' : 'sha256';
  const digest = `${algorithm}:${createHash(algorithm).update(answer.bytes).digest('hex')}`;
  for (const claimed of expected) {
    if (!isDigest(claimed)) return { ok: false, problem: `its Docker-Content-Digest "${claimed.slice(0, 80)}" is not a digest` };
    const computed = claimed.startsWith(`${algorithm}:`) ? digest : `sha512:${createHash('sha512').update(answer.bytes).digest('hex')}`;
    if (computed !== claimed) {
      const what = claimed === answer.reference ? 'was asked for by digest' : 'is named by its Docker-Content-Digest header';
      return { ok: false, problem: `its ${answer.bytes.length} bytes hash to ${computed}, not to ${claimed}, which it ${what}` };
    }
  }
  return { ok: true, digest, mediaType: shape.mediaType };
}

function manifestShape(bytes: Buffer, contentType: string | null): { ok: true; mediaType: string } | { ok: false; problem: string } {
  const served = (contentType ?? '').split(';')[0].trim();
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, problem: `its ${bytes.length}-byte body (${served || 'no Content-Type'}) is not JSON, so not a manifest` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, problem: 'its body is JSON but not a manifest object' };
  const manifest = body as { schemaVersion?: unknown; mediaType?: unknown; config?: unknown; layers?: unknown; manifests?: unknown };
  if (manifest.schemaVersion !== 2) return { ok: false, problem: 'its body is not a schemaVersion 2 manifest' };
  const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : served;
  const isImage = (IMAGE_MANIFEST_TYPES as readonly string[]).includes(mediaType);
  const isIndex = (IMAGE_INDEX_TYPES as readonly string[]).includes(mediaType);
  // An OCI manifest may leave mediaType out of the body: its fields say what it is.
  const looksImage = typeof manifest.config === 'object' && manifest.config !== null && Array.isArray(manifest.layers);
  const looksIndex = Array.isArray(manifest.manifests);
  if ((isImage && looksImage) || (isIndex && looksIndex)) return { ok: true, mediaType };
  if (!isImage && !isIndex && !mediaType && (looksImage || looksIndex))
    return { ok: true, mediaType: looksIndex ? IMAGE_INDEX_TYPES[0] : IMAGE_MANIFEST_TYPES[0] };
  return { ok: false, problem: `its body is not an image manifest or index (media type ${mediaType || 'none'})` };
}
