import { githubRepositoryOf, mapTagRule, readWorkflowPublishing } from './workflow-publishing';

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

/** GitHub's own starter workflow for publishing a Docker image (docker-publish.yml), as it is written. */
const STARTER_WORKFLOW = `name: Docker
on:
  schedule:
    - cron: '27 3 * * *'
  push:
    branches: [ "main" ]
    tags: [ 'v*.*.*' ]
  pull_request:
    branches: [ "main" ]
env:
  REGISTRY: ghcr.io
  IMAGE_NAME: \${{ github.repository }}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Log into registry \${{ env.REGISTRY }}
        if: github.event_name != 'pull_request'
        uses: docker/login-action@343f7c4344506bcbf9b4de18042ae17996df046d
        with:
          registry: \${{ env.REGISTRY }}
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - name: Extract Docker metadata
        id: meta
        uses: docker/metadata-action@96383f45573cb7f253c731d3b3ab81c87ef81934
        with:
          images: \${{ env.REGISTRY }}/\${{ env.IMAGE_NAME }}
`;

describe("GitHub's starter workflow: metadata-action's default rules, the repository's own name", () => {
  it('names the image from the GitHub remote, and maps the pushed tag to v{version} with latest', () => {
    const publishing = readWorkflowPublishing(STARTER_WORKFLOW, '.github/workflows/docker-publish.yml', { repository: 'acme/finance' })!;
    expect(publishing.logins).toEqual([expect.objectContaining({ registry: 'ghcr.io' })]);
    expect(publishing.triggers).toMatchObject({ tags: ['v*.*.*'], branches: ['main'] });
    const [step] = publishing.steps;
    expect(step.images).toEqual([{ host: 'ghcr.io', repository: 'acme/finance' }]);
    expect(step.tags).toEqual(['v{version}', 'latest']);
    // The default rules it cannot follow, each once: the schedule, the branch push (it publishes on tags), the PR.
    expect(step.unmapped).toEqual([
      ".github/workflows/docker-publish.yml:24 (job build, step 2): metadata-action's default tag rule type=schedule: scheduled builds: nx-strata publishes what a trusted push or release builds",
      ".github/workflows/docker-publish.yml:24 (job build, step 2): metadata-action's default tag rule type=ref,event=branch: a branch push's tag; this image is published on its release tags (`nx g nx-strata:ci`), which name no branch",
      ".github/workflows/docker-publish.yml:24 (job build, step 2): metadata-action's default tag rule type=ref,event=pr: pull request tags: a pull request publishes nothing in nx-strata (it pushes to the untrusted namespace)",
    ]);
  });

  it('without the remote, the image is an expression it names; without tag pushes, a semver rule is named', () => {
    const publishing = readWorkflowPublishing(STARTER_WORKFLOW, 'w.yml')!;
    expect(publishing.steps[0].images).toEqual([]);
    expect(publishing.steps[0].unmapped[0]).toContain(
      'image ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}: an expression nx-strata cannot read',
    );
    const onMain = readWorkflowPublishing(
      STARTER_WORKFLOW.replace("    tags: [ 'v*.*.*' ]\n", '').replace(
        '          images:',
        '          tags: type=semver,pattern={{version}}\n          images:',
      ),
      'w.yml',
      { repository: 'acme/finance' },
    )!;
    expect(onMain.steps[0].tags).toEqual([]);
    expect(onMain.steps[0].unmapped).toEqual([
      "w.yml:23: tag rule type=semver,pattern={{version}}: a release tag's version, and this workflow runs on no tag push",
    ]);
  });

  it.each([
    ['https://github.com/Acme/Finance.git', 'acme/finance'],
    ['git@github.com:acme/finance.git', 'acme/finance'],
    ['ssh://git@github.com/acme/finance', 'acme/finance'],
    ['https://token@github.com/acme/finance', 'acme/finance'],
    ['https://gitlab.com/acme/finance.git', undefined],
    ['https://github.com.evil.example/acme/finance', undefined],
  ])('the GitHub repository of %s is %s', (url, repository) => expect(githubRepositoryOf(url)).toBe(repository));
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
