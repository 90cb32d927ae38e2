import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildxBuildArgs, isBuildxAvailable, manifestStats, parseBuildMetadata, parseBuilderDriver } from './buildx';

describe('buildxBuildArgs', () => {
  it('pushes with a content tag, pinned parent, provenance off and a metadata file', () => {
    expect(
      buildxBuildArgs({
        dockerfile: 'docker/app/Dockerfile',
        context: '.',
        platform: 'linux/arm64',
        tags: ['localhost:5000/acme/vision/app:strata-0123456789abcdef'],
        buildArgs: { PY: '3.11', BASE_IMAGE: 'localhost:5000/acme/vision/ml@sha256:abc' },
        output: 'push',
        metadataFile: '/tmp/m.json',
        progress: 'plain',
      }),
    ).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/arm64',
      '--file',
      'docker/app/Dockerfile',
      '--tag',
      'localhost:5000/acme/vision/app:strata-0123456789abcdef',
      '--build-arg',
      'BASE_IMAGE=localhost:5000/acme/vision/ml@sha256:abc',
      '--build-arg',
      'PY=3.11',
      '--provenance=false',
      '--sbom=false',
      '--progress',
      'plain',
      '--push',
      '--metadata-file',
      '/tmp/m.json',
      '.',
    ]);
  });

  it('passes builder, target, cache, secrets and provenance for a docker-container builder', () => {
    expect(
      buildxBuildArgs({
        dockerfile: 'Dockerfile',
        context: 'apps/api',
        platform: 'linux/amd64',
        tags: ['acme/api/app:strata-1'],
        buildArgs: {},
        target: 'runtime',
        builder: 'remote-amd64',
        output: 'load',
        metadataFile: 'm.json',
        cacheFrom: ['type=registry,ref=ghcr.io/acme/api:cache'],
        cacheTo: ['type=registry,ref=ghcr.io/acme/api:cache,mode=max'],
        secrets: ['id=npmrc,src=.npmrc'],
        provenance: 'max',
        sbom: true,
        pull: true,
        noCache: true,
      }),
    ).toEqual([
      'buildx',
      'build',
      '--builder',
      'remote-amd64',
      '--platform',
      'linux/amd64',
      '--file',
      'Dockerfile',
      '--target',
      'runtime',
      '--tag',
      'acme/api/app:strata-1',
      '--cache-from',
      'type=registry,ref=ghcr.io/acme/api:cache',
      '--cache-to',
      'type=registry,ref=ghcr.io/acme/api:cache,mode=max',
      '--secret',
      'id=npmrc,src=.npmrc',
      '--provenance=mode=max',
      '--sbom=true',
      '--pull',
      '--no-cache',
      '--load',
      '--metadata-file',
      'm.json',
      'apps/api',
    ]);
  });
});

describe('parseBuildMetadata', () => {
  it('reads the digest from real buildx 0.13 --metadata-file output', () => {
    const real = `{
  "buildx.build.ref": "default/default/slluitlm4moxl60k3w8npy8um",
  "containerimage.config.digest": "sha256:b7da1cb99b0ef48763ca4b5868f7ff38581caadce8c125c030f968ab1af6d351",
  "containerimage.digest": "sha256:ac96aca1e20cc48fbd42ed499cfa4cb7725bdace2af0be60e5ec93dfb3aded35"
}`;
    expect(parseBuildMetadata(real)).toEqual({
      digest: 'sha256:ac96aca1e20cc48fbd42ed499cfa4cb7725bdace2af0be60e5ec93dfb3aded35',
      configDigest: 'sha256:b7da1cb99b0ef48763ca4b5868f7ff38581caadce8c125c030f968ab1af6d351',
      imageName: undefined,
    });
  });
});

describe('manifestStats', () => {
  it('sums config and layers of a single-platform manifest, and refuses an index', () => {
    const manifest = JSON.stringify({ schemaVersion: 2, config: { size: 1111 }, layers: [{ size: 1030325 }, { size: 150 }] });
    expect(manifestStats(manifest)).toEqual({ sizeBytes: 1111 + 1030325 + 150, layerCount: 2 });
    expect(manifestStats(JSON.stringify({ schemaVersion: 2, manifests: [] }))).toEqual({ sizeBytes: null, layerCount: null });
    expect(manifestStats('not json')).toEqual({ sizeBytes: null, layerCount: null });
  });
});

describe('isBuildxAvailable', () => {
  it('answers false, without throwing, when docker is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(isBuildxAvailable()).resolves.toBe(false);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('builder drivers', () => {
  it('reads the driver from real `docker buildx inspect` output', () => {
    const real = readFileSync(join(__dirname, '__fixtures__', 'buildx-inspect-docker-driver.txt'), 'utf8');
    expect(parseBuilderDriver(real)).toBe('docker');
    expect(parseBuilderDriver('Name:   ci\nDriver: docker-container\n')).toBe('docker-container');
  });
});
