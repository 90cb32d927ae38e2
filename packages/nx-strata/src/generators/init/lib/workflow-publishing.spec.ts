import { mapTagRule, readWorkflowPublishing } from './workflow-publishing';

/** The publishing workflow of the finance app in issue 26: Docker Hub, semver tags on tag pushes, three platforms. */
const RELEASE_WORKFLOW = `name: docker
on:
  push:
    tags: ['v*.*.*']
env:
  IMAGE: acme/ledger
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          username: \${{ secrets.DOCKERHUB_USERNAME }}
          password: \${{ secrets.DOCKERHUB_TOKEN }}
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: |
            \${{ env.IMAGE }}
            name=ghcr.io/acme/ledger,enable=true
            \${{ vars.MIRROR }}/ledger
          tags: |
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            type=sha
            type=ref,event=pr
            type=raw,value=stable,enable=\${{ github.ref == 'refs/heads/main' }}
      - uses: docker/build-push-action@v6
        with:
          platforms: linux/amd64,linux/arm64,linux/arm/v7
          push: true
          tags: \${{ steps.meta.outputs.tags }}
`;

describe('readWorkflowPublishing: how a workflow publishes images today', () => {
  it('reads the triggers, the registries it logs in to, the images and each tag rule as a template or a reason', () => {
    const publishing = readWorkflowPublishing(RELEASE_WORKFLOW, '.github/workflows/docker.yml')!;
    expect(publishing.triggers).toEqual({ tags: ['v*.*.*'], branches: [], release: false, source: '.github/workflows/docker.yml:2' });
    expect(publishing.logins).toEqual([
      {
        registry: 'docker.io',
        source: '.github/workflows/docker.yml:12 (job publish, step 2)',
        username: '${{ secrets.DOCKERHUB_USERNAME }}',
        password: '${{ secrets.DOCKERHUB_TOKEN }}',
      },
      {
        registry: 'ghcr.io',
        source: '.github/workflows/docker.yml:16 (job publish, step 3)',
        username: '${{ github.actor }}',
        password: '${{ secrets.GITHUB_TOKEN }}',
      },
    ]);
    expect(publishing.steps).toEqual([
      {
        file: '.github/workflows/docker.yml',
        job: 'publish',
        source: '.github/workflows/docker.yml:21 (job publish, step 4)',
        images: [
          { host: 'docker.io', repository: 'acme/ledger' },
          { host: 'ghcr.io', repository: 'acme/ledger' },
        ],
        // metadata-action adds latest to a semver release (flavor latest=auto).
        tags: ['{version}', '{major}.{minor}', 'sha-{sha}', 'latest'],
        unmapped: [
          '.github/workflows/docker.yml:27: image ${{ vars.MIRROR }}/ledger: an expression nx-strata cannot read; name the registry in publish.registries',
          '.github/workflows/docker.yml:32: tag rule type=ref,event=pr: pull request tags: a pull request publishes nothing in nx-strata (it pushes to the untrusted namespace)',
          ".github/workflows/docker.yml:33: tag rule type=raw,value=stable,enable=${{ github.ref == 'refs/heads/main' }}: enabled by an expression; nx-strata publishes its tags every time",
        ],
      },
    ]);
  });

  it('leaves latest out when the flavor turns it off, and reads on: as a list', () => {
    const workflow = RELEASE_WORKFLOW.replace("on:\n  push:\n    tags: ['v*.*.*']", 'on: [push, release]').replace(
      '          tags: |\n',
      '          flavor: |\n            latest=false\n          tags: |\n',
    );
    const publishing = readWorkflowPublishing(workflow, 'w.yml')!;
    expect(publishing.triggers).toMatchObject({ release: true, tags: [] });
    expect(publishing.steps[0].tags).toEqual(['{version}', '{major}.{minor}', 'sha-{sha}']);
  });

  it('is undefined for a file that is not YAML', () => {
    expect(readWorkflowPublishing('{{{', 'w.yml')).toBeUndefined();
  });
});

describe('mapTagRule', () => {
  test.each([
    ['type=semver,pattern={{major}}', { template: '{major}', semver: true }],
    ['type=semver,pattern=v{{major}}.{{minor}}.{{patch}}', { template: 'v{major}.{minor}.{patch}', semver: true }],
    ['type=semver,pattern={{version}},prefix=api-', { template: 'api-{version}', semver: true }],
    ['type=raw,value=latest', { template: 'latest' }],
    ['type=ref,event=branch', { template: '{branch}' }],
    ['type=sha,prefix=', { template: '{sha}' }],
    ['type=edge', { template: 'edge' }],
  ])('%s → %j', (rule, mapped) => expect(mapTagRule(rule)).toEqual(mapped));

  test.each([
    ['type=semver,pattern={{raw}}', 'uses a part nx-strata has no token for'],
    ['type=sha,format=long', 'the long SHA'],
    ['type=ref,event=tag', 'the git tag as written'],
    ['type=schedule,pattern=nightly', 'scheduled builds'],
    ['type=match,pattern=\\d.\\d', 'has no nx-strata tag template'],
  ])('%s is named, not mapped', (rule, reason) => expect(mapTagRule(rule)).toEqual({ reason: expect.stringContaining(reason) }));
});
