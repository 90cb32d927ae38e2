import { findMakefileDockerBuilds, findPackageScriptBuilds } from './makefile-docker-builds';

describe('findMakefileDockerBuilds', () => {
  it.each([
    [
      'docker build with -f, -t and a build arg',
      'IMAGE := acme/vision\nml:\n\tdocker build -f docker/cpu/Dockerfile.ml --build-arg BASE_IMAGE=$(IMAGE):base -t $(IMAGE):ml .\n',
      {
        source: 'Makefile:3',
        dockerfile: 'docker/cpu/Dockerfile.ml',
        context: '.',
        tags: ['acme/vision:ml'],
        buildArgs: { BASE_IMAGE: 'acme/vision:base' },
        platforms: [],
        unresolved: [],
      },
    ],
    [
      'buildx with --flag=value forms, a platform list and a continuation line',
      'R ?= ghcr.io/acme\nR ?= ignored\napp:\n\t@docker buildx build --platform=linux/amd64,linux/arm64 --push \\\n\t\t--file=app.Dockerfile --tag=${R}/app:1 --cache-from type=registry,ref=x ctx/\n',
      {
        source: 'Makefile:4',
        dockerfile: 'app.Dockerfile',
        context: 'ctx/',
        tags: ['ghcr.io/acme/app:1'],
        buildArgs: {},
        platforms: ['linux/amd64', 'linux/arm64'],
        unresolved: [],
        // --push: what it builds goes to the registry.
        pushes: true,
      },
    ],
    [
      'the default Dockerfile of the context, and an undefined variable reported',
      'base:\n\tcd x && docker image build -t $(REGISTRY)/base images/base\n',
      {
        source: 'Makefile:2',
        dockerfile: 'images/base/Dockerfile',
        context: 'images/base',
        tags: ['$(REGISTRY)/base'],
        buildArgs: {},
        platforms: [],
        unresolved: ['REGISTRY'],
      },
    ],
  ])('%s', (_name, text, expected) => {
    expect(findMakefileDockerBuilds(text, 'Makefile')).toEqual([expected]);
  });

  it('ignores comments and docker commands that do not build', () => {
    expect(
      findMakefileDockerBuilds('# docker build -t no .\npush:\n\tdocker push acme/x\n\tdocker run --rm acme/x build\n', 'Makefile'),
    ).toEqual([]);
  });
});

describe('findPackageScriptBuilds: docker builds in package.json scripts (issue 27 item 2)', () => {
  it('reads each script that builds, with the line of its script', () => {
    const text = JSON.stringify(
      {
        name: '@acme/web',
        scripts: {
          build: 'next build',
          'docker:build': 'docker build -f Dockerfile -t acme/web:local --build-arg APP=web ../..',
          'docker:multi': 'pnpm run build && docker buildx build --platform linux/arm64 -t acme/web:arm ../..',
        },
      },
      null,
      2,
    );
    expect(findPackageScriptBuilds(text, 'apps/web/package.json')).toEqual([
      expect.objectContaining({
        source: 'apps/web/package.json:5 (script docker:build)',
        dockerfile: 'Dockerfile',
        context: '../..',
        tags: ['acme/web:local'],
        buildArgs: { APP: 'web' },
      }),
      expect.objectContaining({ source: 'apps/web/package.json:6 (script docker:multi)', platforms: ['linux/arm64'], context: '../..' }),
    ]);
  });

  it('reads nothing from a file that is not a JSON object with scripts', () => {
    expect(findPackageScriptBuilds('{ not json', 'package.json')).toEqual([]);
    expect(findPackageScriptBuilds('null', 'package.json')).toEqual([]);
    expect(findPackageScriptBuilds('{"scripts": "docker build ."}', 'package.json')).toEqual([]);
  });
});
