import { findComposeBuilds, findWorkflowBuilds } from './yaml-docker-builds';

describe('docker builds in YAML build files', () => {
  it('names each build by its file and line', () => {
    const compose = 'services:\n  db:\n    image: postgres\n  api:\n    build: ./api\n';
    expect(findComposeBuilds(compose, 'compose.yml').map((build) => build.source)).toEqual(['compose.yml:4 (service api)']);
    const workflow = 'on: push\njobs:\n  ship:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n';
    expect(findWorkflowBuilds(workflow, 'ci.yml').map((build) => build.source)).toEqual(['ci.yml:6 (job ship, step 2)']);
  });

  it('reads nothing from a file that is not valid YAML', () => {
    expect(findComposeBuilds('services:\n  api: {build: ./api\n', 'compose.yml')).toEqual([]);
    expect(findWorkflowBuilds('jobs: [\n', 'ci.yml')).toEqual([]);
  });
});

describe('docker builds in a workflow run: line (issue 27 item 2)', () => {
  const workflow = [
    'on: {push: {branches: [next]}}',
    'defaults:',
    '  run:',
    '    working-directory: .',
    'jobs:',
    '  deploy:',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - name: Build the ws image',
    '        run: |',
    '          echo building',
    '          docker buildx build -f apps/ws/Dockerfile --platform linux/amd64,linux/arm64 \\',
    '            -t ghcr.io/acme/ws:${{ github.sha }} -t acme/ws:latest --push .',
    '      - working-directory: services/api',
    '        run: docker build --target runtime --build-arg NODE=22 -t acme/api .',
  ].join('\n');

  it('reads each docker build of a run: script with its flags, its own line and its working directory', () => {
    const builds = findWorkflowBuilds(workflow, '.github/workflows/deploy.yml');
    expect(builds).toEqual([
      expect.objectContaining({
        source: '.github/workflows/deploy.yml:12 (job deploy, step 2, run)',
        dockerfile: 'apps/ws/Dockerfile',
        context: '.',
        platforms: ['linux/amd64', 'linux/arm64'],
        // A tag whose tag part is an expression keeps its repository; the plain one is kept whole.
        tags: ['ghcr.io/acme/ws', 'acme/ws:latest'],
        unresolved: [],
        workflow: { file: '.github/workflows/deploy.yml', job: 'deploy' },
        published: true,
      }),
      expect.objectContaining({
        source: '.github/workflows/deploy.yml:15 (job deploy, step 3, run)',
        dockerfile: 'services/api/Dockerfile',
        context: 'services/api',
        target: 'runtime',
        buildArgs: { NODE: '22' },
        tags: ['acme/api'],
        published: false,
      }),
    ]);
  });
});
