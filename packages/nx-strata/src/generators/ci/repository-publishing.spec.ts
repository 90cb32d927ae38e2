import { readWorkflowPublishing } from '../init/lib/workflow-publishing';
import { pipelinePublishing, variableStem } from './repository-publishing';

const workflow = (on: string, image: string) =>
  readWorkflowPublishing(
    `on: ${on}\njobs:\n  docker:\n    steps:\n      - uses: docker/metadata-action@v5\n        with: {images: "ghcr.io/${image}"}\n`,
    '.github/workflows/docker.yml',
  )!;

describe('pipelinePublishing: when and where the generated pipeline publishes', () => {
  const images = [
    { project: 'api-image', image: 'acme/api', registries: ['ghcr.io/acme'] },
    { project: 'web-image', image: 'acme/web', registries: [] },
  ];

  it('publishes on tags only the images a tag-triggered workflow publishes; the rest on pushes', () => {
    const publishing = pipelinePublishing({
      images,
      workflows: [{ file: '.github/workflows/docker.yml', publishing: workflow("{push: {tags: ['api-v*', 'api-v*-rc*']}}", 'acme/api') }],
      trustedHost: 'registry.example.com',
      publishOn: 'auto',
    });
    expect(publishing.onTags).toEqual({ projects: ['api-image'], patterns: ['api-v*', 'api-v*-rc*'], release: false, prefix: 'api-v' });
    expect(publishing.onPushes).toEqual(['web-image']);
    // GHCR through GITHUB_TOKEN: the publish jobs need packages: write.
    expect(publishing.logins).toEqual([
      {
        host: 'ghcr.io',
        username: '${{ github.actor }}',
        password: '${{ secrets.GITHUB_TOKEN }}',
        source: "GitHub's token",
        variable: 'GHCR_IO',
      },
    ]);
    expect(publishing.packagesWrite).toBe(true);
  });

  it('leaves out a tag pattern that is not plain data, and follows a release trigger', () => {
    const publishing = pipelinePublishing({
      images,
      workflows: [{ file: 'w.yml', publishing: workflow("{push: {tags: ['v$(id)']}, release: {types: [published]}}", 'acme/web') }],
      trustedHost: 'ghcr.io',
      publishOn: 'auto',
    });
    expect(publishing.onTags).toEqual({ projects: ['web-image'], patterns: [], release: true, prefix: 'v' });
    expect(publishing.notes[0]).toMatch(
      /^the tag pattern "v\$\(id\)" \(\.github\/workflows\/docker\.yml:1\) is left out: the tag pattern /,
    );
    expect(publishing.logins).toEqual([]);
  });

  it('publishes every image on v* tags when told to, and none when told branch', () => {
    expect(pipelinePublishing({ images, workflows: [], trustedHost: 'ghcr.io', publishOn: 'tag' }).onTags).toEqual({
      projects: ['api-image', 'web-image'],
      patterns: ['v*'],
      release: false,
      prefix: 'v',
    });
    const workflows = [{ file: 'w.yml', publishing: workflow("{push: {tags: ['v*']}}", 'acme/api') }];
    expect(pipelinePublishing({ images, workflows, trustedHost: 'ghcr.io', publishOn: 'branch' }).onTags).toBeUndefined();
  });
});

describe('variableStem: credential variable names every CI and shell takes', () => {
  it.each([
    ['docker.io', 'DOCKERHUB'],
    ['quay.io', 'QUAY_IO'],
    ['registry.example.com:5000', 'REGISTRY_EXAMPLE_COM_5000'],
    ['127.0.0.1:5000', 'REGISTRY_127_0_0_1_5000'],
  ])('%s → %s', (host, stem) => {
    expect(variableStem(host)).toBe(stem);
    expect(`${stem}_TOKEN`).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});
