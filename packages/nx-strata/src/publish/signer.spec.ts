import { COSIGN, signArgv, signerOf } from './signer';

describe('signing a published manifest list', () => {
  it('pins the cosign template: keyless in CI, one manifest list by digest', () => {
    expect(signArgv(signerOf('cosign'), { image: 'ghcr.io/acme/acme/vision', digest: 'sha256:abc' })).toEqual([
      'cosign',
      'sign',
      '--yes',
      'ghcr.io/acme/acme/vision@sha256:abc',
    ]);
    expect(COSIGN.version).toEqual(['cosign', 'version']);
    expect(COSIGN.install).toContain('sigstore/cosign-installer');
  });

  it("fills a team's own signer's placeholders in each argument, as data, and names it", () => {
    const signer = signerOf({ command: ['notation', 'sign', '--id', '{image}', '{image}@{digest}', '$(x) {digest}'] });
    expect(signer.name).toBe('notation');
    expect(signArgv(signer, { image: 'r/acme/web', digest: 'sha256:1' })).toEqual([
      'notation',
      'sign',
      '--id',
      'r/acme/web',
      'r/acme/web@sha256:1',
      '$(x) sha256:1',
    ]);
  });
});
