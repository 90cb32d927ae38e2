import { proposeStrataConfig } from './propose-strata-config';

describe('proposeStrataConfig', () => {
  it('says which parents it could not find, and proposes each image as a layer of its own with its own directory as context', () => {
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
    ]);
    expect(proposal.config).toEqual({
      image: 'acme/services',
      layers: {
        api: { dockerfile: 'images/api/Dockerfile', context: 'images/api' },
        worker: { dockerfile: 'images/worker/Dockerfile', context: 'images/worker' },
      },
    });
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
    expect(proposal.config?.layers).toEqual({
      base: { dockerfile: 'docker/cpu/Dockerfile.base' },
      ml: { dockerfile: 'docker/cpu/Dockerfile.ml', parent: 'base' },
    });
  });

  it('names the file and line of a Dockerfile it cannot read', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [{ path: 'Dockerfile', text: 'RUN echo before any FROM\n' }],
      makefiles: [],
      fallbackImage: 'x',
    });
    expect(proposal.gaps[0]).toMatch(/^Dockerfile:1: .*\(left out\)$/s);
    expect(proposal.config).toBeUndefined();
  });
});

describe('proposeStrataConfig on real-world layouts (hardening item 14)', () => {
  const files = (entries: Record<string, string>) => Object.entries(entries).map(([path, text]) => ({ path, text }));

  it('never takes a Dockerfile named after its own external base image for its own parent', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: files({ 'nix/Dockerfile.nix': 'FROM nixos/nix:2.18.8\nRUN nix-env -i hello\n', Dockerfile: 'FROM debian:bookworm\n' }),
      makefiles: [],
      fallbackImage: 'acme/x',
    });
    expect(proposal.findings.join('\n')).not.toContain('builds on nix/Dockerfile.nix');
    expect(proposal.config?.layers.nix).toEqual({ dockerfile: 'nix/Dockerfile.nix', context: 'nix' });
    expect(proposal.config?.layers.nix.parent).toBeUndefined();
  });

  it('keeps several unrelated images in docker/ directories apart, never as variants docker-1..docker-4', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: files({
        'services/api/docker/Dockerfile': 'FROM node:20\nCOPY package.json /app/\n',
        'services/web/docker/Dockerfile': 'FROM node:20\nCOPY package.json /app/\n',
        'worker/docker/Dockerfile': 'FROM python:3.12\nRUN true\n',
        'cron/docker/Dockerfile': 'FROM alpine:3.20\nRUN true\n',
      }),
      makefiles: [],
      fallbackImage: 'acme/platform',
      exists: (path) => ['services/api/package.json', 'services/web/package.json'].includes(path),
    });
    expect(proposal.config?.variants).toBeUndefined();
    expect(proposal.config?.layers).toEqual({
      api: { dockerfile: 'services/api/docker/Dockerfile', context: 'services/api' },
      web: { dockerfile: 'services/web/docker/Dockerfile', context: 'services/web' },
      worker: { dockerfile: 'worker/docker/Dockerfile', context: 'worker/docker' },
      cron: { dockerfile: 'cron/docker/Dockerfile', context: 'cron/docker' },
    });
  });
});
