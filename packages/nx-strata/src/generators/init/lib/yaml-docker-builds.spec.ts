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
