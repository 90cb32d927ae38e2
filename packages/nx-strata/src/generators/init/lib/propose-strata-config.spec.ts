import { readDockerfileFacts } from './dockerfile-facts';
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
    // Two images, one strata.json each, beside its Dockerfile (paths relative to it).
    expect(proposal.files).toEqual([
      {
        path: 'images/api/strata.json',
        config: { image: 'acme/services-api', layers: { api: { dockerfile: 'Dockerfile' } } },
        sources: [
          "image acme/services-api ← no build line tags it: the package name and the image's directory",
          'images/api/Dockerfile ← no build line: found by its name and FROM / ARG lines',
        ],
      },
      {
        path: 'images/worker/strata.json',
        config: { image: 'acme/services-worker', layers: { worker: { dockerfile: 'Dockerfile' } } },
        sources: [
          "image acme/services-worker ← no build line tags it: the package name and the image's directory",
          'images/worker/Dockerfile ← no build line: found by its name and FROM / ARG lines',
        ],
      },
    ]);
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
    expect(proposal.files[0]?.path).toBe('docker/cpu/strata.json');
    // They copy nothing: their own directory (where strata.json goes) is the context.
    expect(proposal.files[0]?.config?.context).toBeUndefined();
    expect(proposal.files[0]?.config?.layers).toEqual({
      base: { dockerfile: 'Dockerfile.base' },
      ml: { dockerfile: 'Dockerfile.ml', parent: 'base' },
    });
  });

  it('names the file and line of a Dockerfile it cannot read', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [{ path: 'Dockerfile', text: 'RUN echo before any FROM\n' }],
      makefiles: [],
      fallbackImage: 'x',
    });
    expect(proposal.gaps[0]).toMatch(/^Dockerfile:1: .*\(left out\)$/s);
    expect(proposal.files[0]?.config).toBeUndefined();
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
    expect(proposal.files.map((file) => file.path)).toEqual(['images/x-x/strata.json', 'nix/strata.json']);
    expect(proposal.files[1].config.layers.nix).toEqual({ dockerfile: 'Dockerfile.nix' });
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
    expect(proposal.files.every((file) => file.config.variants === undefined)).toBe(true);
    // Each in the directory above its docker/ one, with the context its COPY needs.
    expect(Object.fromEntries(proposal.files.map((file) => [file.path, [file.config.context, file.config.layers]]))).toEqual({
      'cron/strata.json': ['docker', { cron: { dockerfile: 'docker/Dockerfile' } }],
      'services/api/strata.json': [undefined, { api: { dockerfile: 'docker/Dockerfile' } }],
      'services/web/strata.json': [undefined, { web: { dockerfile: 'docker/Dockerfile' } }],
      'worker/strata.json': ['docker', { worker: { dockerfile: 'docker/Dockerfile' } }],
    });
  });

  it('takes the platforms of the workflow that publishes an image, when another job builds it without any', () => {
    const step = (platforms: string) =>
      `      - uses: docker/build-push-action@v6\n        with:\n          file: docker/Dockerfile\n${platforms}          tags: ghcr.io/acme/ledger:\${{ github.sha }}\n`;
    const proposal = proposeStrataConfig({
      dockerfiles: files({ 'docker/Dockerfile': 'FROM node:20\nCOPY . /app\n' }),
      makefiles: [],
      workflows: [
        { path: '.github/workflows/pr.yml', text: `on: pull_request\njobs:\n  build:\n    steps:\n${step('')}` },
        {
          path: '.github/workflows/release.yml',
          text: `on: push\njobs:\n  publish:\n    steps:\n${step('          platforms: linux/amd64,linux/arm64,linux/arm/v7\n')}`,
        },
      ],
      fallbackImage: 'acme/x',
    });
    expect(proposal.gaps).toEqual([]);
    expect(proposal.files).toEqual([
      {
        path: 'images/ledger/strata.json',
        config: {
          image: 'acme/ledger',
          context: '../..',
          platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
          layers: { image: { dockerfile: '../../docker/Dockerfile' } },
        },
        // Each value with the file and line it came from (issue 26 item 6).
        sources: [
          'image acme/ledger ← .github/workflows/pr.yml:5 (job build, step 1) (tag ghcr.io/acme/ledger)',
          'docker/Dockerfile ← .github/workflows/pr.yml:5 (job build, step 1): context .',
          'docker/Dockerfile ← .github/workflows/release.yml:5 (job publish, step 1): context .; platforms linux/amd64, linux/arm64, linux/arm/v7',
        ],
      },
    ]);
  });

  it('finds the images package.json scripts and workflow run: lines build, and leaves out only what nothing builds (issue 27 item 2)', () => {
    const app = 'FROM node:22-alpine\nCOPY . /app\nUSER node\n';
    const proposal = proposeStrataConfig({
      dockerfiles: [
        { path: 'apps/web/Dockerfile', text: app },
        { path: 'apps/ws/Dockerfile', text: app },
        { path: '.devcontainer/Dockerfile', text: 'FROM mcr.microsoft.com/devcontainers/typescript-node:1-22\n' },
      ],
      makefiles: [],
      packageJsons: [
        { path: 'package.json', text: JSON.stringify({ name: 'monorepo', scripts: { build: 'nx run-many -t build' } }, null, 2) },
        {
          path: 'apps/web/package.json',
          text: JSON.stringify({ name: '@acme/web', scripts: { 'docker:build': 'docker build -f Dockerfile -t acme/web ../..' } }, null, 2),
        },
      ],
      workflows: [
        {
          path: '.github/workflows/deploy.yml',
          text: 'on: push\njobs:\n  ws:\n    steps:\n      - run: docker buildx build -f apps/ws/Dockerfile -t acme/ws --platform linux/amd64,linux/arm64 .\n',
        },
      ],
      fallbackImage: 'monorepo',
    });
    expect(proposal.files.map((file) => [file.path, file.config.image])).toEqual([
      ['apps/web/strata.json', 'acme/web'],
      ['apps/ws/strata.json', 'acme/ws'],
    ]);
    expect(proposal.files[0].config.context).toBe('../..');
    expect(proposal.files[1].config.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(proposal.files[0].sources).toContain('apps/web/Dockerfile ← apps/web/package.json:4 (script docker:build): context .');
    expect(proposal.files[1].sources).toContain(
      'apps/ws/Dockerfile ← .github/workflows/deploy.yml:5 (job ws, step 1, run): context .; platforms linux/amd64, linux/arm64',
    );
    expect(proposal.leftOut).toEqual(['.devcontainer/Dockerfile']);
  });

  it('a dev container: its FROM expanded as Docker reads it, and a project name every command accepts (issue 27 item 5)', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [
        {
          path: '.devcontainer/Dockerfile',
          text: 'ARG VARIANT=20-bullseye\nFROM mcr.microsoft.com/vscode/devcontainers/typescript-node:0-${VARIANT}\nUSER node\n',
        },
      ],
      makefiles: [],
      composeFiles: [{ path: '.devcontainer/docker-compose.yml', text: 'services:\n  app:\n    build:\n      context: .\n' }],
      fallbackImage: 'monorepo',
      exists: () => false,
    });
    // VARIANT is part of the image name, not the parent layer's ARG: no "starts from 20-bullseye".
    expect(proposal.findings.filter((finding) => finding.includes('starts from'))).toEqual([]);
    expect(
      readDockerfileFacts(
        '.devcontainer/Dockerfile',
        'ARG VARIANT=20-bullseye\nFROM mcr.microsoft.com/vscode/devcontainers/typescript-node:0-${VARIANT}\n',
      ),
    ).toEqual({
      path: '.devcontainer/Dockerfile',
      layer: 'devcontainer',
      fromImages: ['mcr.microsoft.com/vscode/devcontainers/typescript-node:0-20-bullseye'],
    });
    expect(readDockerfileFacts('Dockerfile', 'ARG BASE_IMAGE=acme/base:1\nFROM ${BASE_IMAGE} AS app\n').parentArg).toEqual({
      name: 'BASE_IMAGE',
      defaultValue: 'acme/base:1',
    });
    expect(proposal.files[0].path).toBe('.devcontainer/strata.json');
    expect(proposal.files[0].config.project).toBe('devcontainer-image');
    // The layer is named as compose names the service that builds it.
    expect(proposal.files[0].config.layers).toEqual({ app: { dockerfile: 'Dockerfile' } });
    expect(proposal.findings).toContain(
      '.devcontainer/strata.json: project "devcontainer-image", not ".devcontainer-image" (a name that starts with "." or holds such characters is one CI pipelines refuse)',
    );
  });
});
