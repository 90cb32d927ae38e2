import { proposePublishing } from './publishing-proposal';
import { proposeStrataConfig } from './propose-strata-config';
import { readWorkflowPublishing } from './workflow-publishing';

/** The finance app of issue 26: one root Dockerfile, published by its own workflow to Docker Hub and GHCR on tag pushes. */
const DOCKER_WORKFLOW = `name: docker
on:
  push:
    tags: ['v*.*.*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          username: \${{ secrets.DOCKERHUB_USERNAME }}
          password: \${{ secrets.DOCKERHUB_TOKEN }}
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: |
            acme/finance
            ghcr.io/acme/finance
            ghcr.io/acme-mirror/finance
          tags: |
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            type=ref,event=pr
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/metadata-action@v5
        with:
          images: acme/unrelated
          tags: type=edge
      - uses: docker/build-push-action@v6
        with:
          file: tools/Dockerfile
          push: true
          tags: \${{ steps.meta.outputs.tags }}
`;
const BUILD_STEP = `      - uses: docker/build-push-action@v6
        with:
          context: .
          platforms: linux/amd64,linux/arm64
          push: true
          tags: \${{ steps.meta.outputs.tags }}
`;

describe('init proposes publishing the way the repository already does', () => {
  const workflow = DOCKER_WORKFLOW.replace('  other:\n', `${BUILD_STEP}  other:\n`);
  const scan = {
    dockerfiles: [
      { path: 'Dockerfile', text: 'FROM node:22\nCOPY . /app\n' },
      { path: 'tools/Dockerfile', text: 'FROM alpine:3.20\n' },
    ],
    makefiles: [],
    workflows: [{ path: '.github/workflows/docker.yml', text: workflow }],
    fallbackImage: 'finance',
  };

  it('names the image, its registries and its tags from the metadata-action step of the job that builds it', () => {
    const proposal = proposeStrataConfig(scan);
    const finance = proposal.files.find((file) => file.config.image === 'acme/finance');
    expect(finance?.path).toBe('images/finance/strata.json');
    expect(finance?.config.publish).toEqual({ registries: ['docker.io', 'ghcr.io'], tags: ['{version}', '{major}.{minor}', 'latest'] });
    expect(finance?.config.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // One block: the image, its Dockerfile, then how it is published, each with its line.
    expect(finance?.sources).toEqual([
      'image acme/finance ← .github/workflows/docker.yml:14 (job publish, step 3) (metadata-action images)',
      'Dockerfile ← .github/workflows/docker.yml:25 (job publish, step 4): context .; platforms linux/amd64, linux/arm64',
      'publish.registries docker.io ← .github/workflows/docker.yml:14 (job publish, step 3) (metadata-action images)',
      'publish.registries ghcr.io ← .github/workflows/docker.yml:14 (job publish, step 3) (metadata-action images)',
      'publish.tags {version}, {major}.{minor}, latest ← .github/workflows/docker.yml:14 (job publish, step 3) (metadata-action tags)',
      "published on tag pushes v*.*.* ← .github/workflows/docker.yml:2 (`nx g nx-strata:ci` publishes it on the same, the tag's version as {version})",
    ]);
    // The image is named once, by the workflow; no "package name" line stands in for it.
    expect(finance?.sources?.filter((line) => line.startsWith('image '))).toHaveLength(1);
  });

  it('names once, with its line, what it cannot map; another job’s step is not this image’s', () => {
    const proposal = proposeStrataConfig(scan);
    expect(proposal.gaps).toEqual(
      expect.arrayContaining([
        '.github/workflows/docker.yml:14 (job publish, step 3): image ghcr.io/acme-mirror/finance: nx-strata publishes an image under one name (acme/finance) to every registry; publish it as ghcr.io/acme/finance, or copy it there after the publish',
        '.github/workflows/docker.yml:24: tag rule type=ref,event=pr: pull request tags: a pull request publishes nothing in nx-strata (it pushes to the untrusted namespace)',
      ]),
    );
    expect(proposal.gaps.filter((gap) => gap.includes('type=ref,event=pr'))).toHaveLength(1);
    const tools = proposal.files.find((file) => file.config.image === 'acme/unrelated');
    expect(tools?.config.publish).toEqual({ registries: ['docker.io'], tags: ['edge'] });
  });

  it('takes registries from pushed names, and leaves a compose file’s local registry out', () => {
    const proposal = proposeStrataConfig({
      dockerfiles: [{ path: 'api/Dockerfile', text: 'FROM node:22\nCOPY . /app\n' }],
      makefiles: [],
      composeFiles: [{ path: 'compose.yml', text: 'services:\n  api:\n    build: ./api\n    image: localhost:5000/acme/api:dev\n' }],
      workflows: [
        {
          path: '.github/workflows/ci.yml',
          text: 'on: push\njobs:\n  api:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: api\n          push: true\n          tags: registry.example.com/acme/api:${{ github.sha }}\n',
        },
      ],
      fallbackImage: 'acme',
    });
    expect(proposal.files[0]?.config).toMatchObject({ image: 'acme/api', publish: { registries: ['registry.example.com'] } });
    expect(proposal.files[0]?.config.publish?.tags).toBeUndefined();
  });

  it('gives each tag the variant when the family has variants, as the default tags do', () => {
    const text = [
      'on: {push: {tags: [v*]}}',
      'jobs:',
      '  images:',
      '    steps:',
      '      - uses: docker/metadata-action@v5',
      '        with: {images: ghcr.io/acme/vision, tags: "type=semver,pattern={{version}}"}',
    ].join('\n');
    const publishing = readWorkflowPublishing(text, '.github/workflows/images.yml')!;
    const build = {
      source: '.github/workflows/images.yml:7',
      dockerfile: 'docker/cpu/Dockerfile.base',
      context: 'docker/cpu',
      tags: [],
      buildArgs: {},
      platforms: [],
      unresolved: [],
      workflow: { file: '.github/workflows/images.yml', job: 'images' },
      published: true,
    };
    const proposed = proposePublishing({
      image: undefined,
      builds: [build],
      workflows: [{ file: '.github/workflows/images.yml', publishing }],
      variants: true,
    });
    expect(proposed.image?.name).toBe('acme/vision');
    expect(proposed.publish).toEqual({ registries: ['ghcr.io'], tags: ['{version}-{variant}', 'latest-{variant}'] });
    expect(proposed.sources).toContain(
      'publish.tags {version}-{variant}, latest-{variant} ← .github/workflows/images.yml:5 (job images, step 1) (metadata-action tags; -{variant} added, as the family has variants)',
    );
    // A build in another job takes nothing from this step.
    expect(
      proposePublishing({
        image: undefined,
        builds: [{ ...build, workflow: { file: build.workflow.file, job: 'other' } }],
        workflows: [{ file: '.github/workflows/images.yml', publishing }],
        variants: false,
      }),
    ).toEqual({ sources: [], gaps: [] });
  });
});
