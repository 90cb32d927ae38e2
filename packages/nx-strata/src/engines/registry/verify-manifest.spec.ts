import { createHash } from 'node:crypto';
import { verifyManifest } from './verify-manifest';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const image = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }));
const ociWithoutMediaType = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'x' }, layers: [] }));
const html = Buffer.from('<html><body>Welcome to our proxy</body></html>');
const made = `sha256:${'2'.repeat(64)}`;

describe('verifyManifest', () => {
  test.each([
    [
      'an image manifest by tag, header matching',
      image,
      'application/vnd.docker.distribution.manifest.v2+json',
      sha256(image),
      'strata-abc',
    ],
    ['an index by digest, no header', index, 'application/vnd.oci.image.index.v1+json', null, sha256(index)],
    ['an OCI manifest without mediaType in body or header', ociWithoutMediaType, null, sha256(ociWithoutMediaType), 'latest'],
  ])('takes %s, recording the digest of its bytes', (_name, bytes, contentType, headerDigest, reference) => {
    expect(verifyManifest({ bytes, contentType, headerDigest, reference })).toEqual({
      ok: true,
      digest: sha256(bytes),
      mediaType: expect.stringContaining('application/vnd.'),
    });
  });

  test.each([
    ['an HTML page with a made-up digest header', html, 'text/html', made, 'strata-abc', 'is not JSON, so not a manifest'],
    ['a manifest whose header digest is not its bytes', image, null, made, 'strata-abc', `not to ${made}`],
    ['a manifest asked for by a digest it does not hash to', image, null, null, made, 'which it was asked for by digest'],
    ['JSON that is not a manifest', Buffer.from('{"errors":[]}'), 'application/json', null, 'strata-abc', 'not a schemaVersion 2'],
    ['a schema 1 manifest', Buffer.from('{"schemaVersion":1}'), null, null, 't', 'not a schemaVersion 2'],
    [
      'a manifest list media type without manifests',
      Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}'),
      null,
      null,
      't',
      'not an image manifest or index',
    ],
    ['a header that is not a digest', image, null, 'sha256:zz', 't', 'is not a digest'],
  ])('refuses %s', (_name, bytes, contentType, headerDigest, reference, problem) => {
    const verdict = verifyManifest({ bytes, contentType, headerDigest, reference });
    expect(verdict).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it('never quotes the body in its problem', () => {
    const verdict = verifyManifest({ bytes: html, contentType: 'text/html', headerDigest: made, reference: 'x' });
    expect(JSON.stringify(verdict)).not.toContain('Welcome');
  });
});
