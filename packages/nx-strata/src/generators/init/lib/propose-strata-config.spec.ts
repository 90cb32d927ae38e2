import { proposeStrataConfig } from './propose-strata-config';

describe('proposeStrataConfig', () => {
  it('says which parents it could not find, and still proposes each Dockerfile as a layer of its own', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [
        { path: 'images/api/Dockerfile', text: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app\n' },
        { path: 'images/worker/Dockerfile', text: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app\n' },
      ],
      makefiles: [],
      fallbackImage: 'acme/services',
    });
    expect(proposal.gaps).toEqual([
      'images/api/Dockerfile: ARG BASE_IMAGE has no default and no Makefile line sets it, so its parent layer is unknown; set "parent" in strata.json',
      'images/worker/Dockerfile: ARG BASE_IMAGE has no default and no Makefile line sets it, so its parent layer is unknown; set "parent" in strata.json',
      'layers worker (images/worker/Dockerfile) do not follow api; left out: add them as their own strata.json',
    ]);
    expect(proposal.config).toEqual({ image: 'acme/services', layers: { api: { dockerfile: 'images/api/Dockerfile' } } });
  });

  it('links a FROM of an in-repo image by its layer and directory names', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [
        { path: 'docker/cpu/Dockerfile.base', text: 'FROM debian:bookworm\n' },
        { path: 'docker/cpu/Dockerfile.ml', text: 'ARG BASE_IMAGE=acme/vision:base-cpu\nFROM ${BASE_IMAGE}\n' },
      ],
      makefiles: [],
      fallbackImage: 'acme/vision',
    });
    expect(proposal.gaps).toEqual([]);
    expect(proposal.findings).toContain('docker/cpu/Dockerfile.ml builds on docker/cpu/Dockerfile.base (it names acme/vision:base-cpu)');
    expect(proposal.config?.layers).toEqual({ base: { dockerfile: 'docker/cpu/Dockerfile.base' }, ml: { dockerfile: 'docker/cpu/Dockerfile.ml', parent: 'base' } });
  });

  it('names the file and line of a Dockerfile it cannot read', () => {
    const proposal = proposeStrataConfig({ dockerfiles: [{ path: 'Dockerfile', text: 'RUN echo before any FROM\n' }], makefiles: [], fallbackImage: 'x' });
    expect(proposal.gaps[0]).toMatch(/^Dockerfile:1: .*\(left out\)$/s);
    expect(proposal.config).toBeUndefined();
  });
});
