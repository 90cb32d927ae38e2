import { operationCommands, planPublish } from './publish-plan';

const sources = [
  {
    layer: 'app',
    top: true,
    platforms: [
      { platform: 'linux/amd64', ref: 'build:5000/ns/acme/vision/app@sha256:aaa' },
      { platform: 'linux/arm64', ref: 'build:5000/ns/acme/vision/app@sha256:bbb' },
    ],
  },
  { layer: 'base', top: false, platforms: [{ platform: 'linux/amd64', ref: 'build:5000/ns/acme/vision/base@sha256:ccc' }] },
];

describe('planPublish', () => {
  it('makes one manifest list per layer and registry with every shared tag, and per-platform copies for {platform} tags', () => {
    const operations = planPublish({
      image: 'acme/vision',
      registries: ['ghcr.io/acme', { url: 'mirror.example.com/team/', optional: true }],
      sources,
      tags: ['{version}-{variant}', 'latest-{variant}', '{version}-{variant}-{platform}'],
      values: { version: '1.2.0', variant: 'cpu' },
    });
    expect(operations).toEqual([
      {
        registry: 'ghcr.io/acme',
        optional: false,
        layer: 'app',
        repository: 'ghcr.io/acme/acme/vision',
        tags: ['1.2.0-cpu', 'latest-cpu'],
        sources: ['build:5000/ns/acme/vision/app@sha256:aaa', 'build:5000/ns/acme/vision/app@sha256:bbb'],
        platforms: ['linux/amd64', 'linux/arm64'],
      },
      {
        registry: 'ghcr.io/acme',
        optional: false,
        layer: 'app',
        repository: 'ghcr.io/acme/acme/vision',
        tags: ['1.2.0-cpu-linux-amd64'],
        sources: ['build:5000/ns/acme/vision/app@sha256:aaa'],
        platforms: ['linux/amd64'],
      },
      {
        registry: 'ghcr.io/acme',
        optional: false,
        layer: 'app',
        repository: 'ghcr.io/acme/acme/vision',
        tags: ['1.2.0-cpu-linux-arm64'],
        sources: ['build:5000/ns/acme/vision/app@sha256:bbb'],
        platforms: ['linux/arm64'],
      },
      {
        registry: 'ghcr.io/acme',
        optional: false,
        layer: 'base',
        repository: 'ghcr.io/acme/acme/vision/base',
        tags: ['1.2.0-cpu', 'latest-cpu'],
        sources: ['build:5000/ns/acme/vision/base@sha256:ccc'],
        platforms: ['linux/amd64'],
      },
      {
        registry: 'ghcr.io/acme',
        optional: false,
        layer: 'base',
        repository: 'ghcr.io/acme/acme/vision/base',
        tags: ['1.2.0-cpu-linux-amd64'],
        sources: ['build:5000/ns/acme/vision/base@sha256:ccc'],
        platforms: ['linux/amd64'],
      },
      {
        registry: 'mirror.example.com/team',
        optional: true,
        layer: 'app',
        repository: 'mirror.example.com/team/acme/vision',
        tags: ['1.2.0-cpu', 'latest-cpu'],
        sources: ['build:5000/ns/acme/vision/app@sha256:aaa', 'build:5000/ns/acme/vision/app@sha256:bbb'],
        platforms: ['linux/amd64', 'linux/arm64'],
      },
      {
        registry: 'mirror.example.com/team',
        optional: true,
        layer: 'app',
        repository: 'mirror.example.com/team/acme/vision',
        tags: ['1.2.0-cpu-linux-amd64'],
        sources: ['build:5000/ns/acme/vision/app@sha256:aaa'],
        platforms: ['linux/amd64'],
      },
      {
        registry: 'mirror.example.com/team',
        optional: true,
        layer: 'app',
        repository: 'mirror.example.com/team/acme/vision',
        tags: ['1.2.0-cpu-linux-arm64'],
        sources: ['build:5000/ns/acme/vision/app@sha256:bbb'],
        platforms: ['linux/arm64'],
      },
      {
        registry: 'mirror.example.com/team',
        optional: true,
        layer: 'base',
        repository: 'mirror.example.com/team/acme/vision/base',
        tags: ['1.2.0-cpu', 'latest-cpu'],
        sources: ['build:5000/ns/acme/vision/base@sha256:ccc'],
        platforms: ['linux/amd64'],
      },
      {
        registry: 'mirror.example.com/team',
        optional: true,
        layer: 'base',
        repository: 'mirror.example.com/team/acme/vision/base',
        tags: ['1.2.0-cpu-linux-amd64'],
        sources: ['build:5000/ns/acme/vision/base@sha256:ccc'],
        platforms: ['linux/amd64'],
      },
    ]);
  });

  it('copies under the first full tag, then makes the other tags from that manifest list', () => {
    const op = {
      registry: 'r',
      optional: false,
      layer: 'app',
      repository: 'ghcr.io/acme/acme/vision',
      tags: ['1.2.0-cpu', 'latest-cpu', 'cpu-latest'],
      sources: ['s@sha256:a', 's@sha256:b'],
      platforms: ['linux/amd64', 'linux/arm64'],
    };
    expect(operationCommands(op)).toEqual([
      ['buildx', 'imagetools', 'create', '--tag', 'ghcr.io/acme/acme/vision:1.2.0-cpu', 's@sha256:a', 's@sha256:b'],
      [
        'buildx',
        'imagetools',
        'create',
        '--tag',
        'ghcr.io/acme/acme/vision:latest-cpu',
        '--tag',
        'ghcr.io/acme/acme/vision:cpu-latest',
        'ghcr.io/acme/acme/vision:1.2.0-cpu',
      ],
    ]);
    expect(operationCommands({ ...op, tags: ['only'] })).toHaveLength(1);
  });

  it('annotates the shared manifest list on its first copy only; a per-platform tag copies the platform image as it is', () => {
    const annotations = { 'org.opencontainers.image.description': 'a = b, "quoted"; $(not a shell)' };
    const operations = planPublish({
      image: 'acme/vision',
      registries: ['ghcr.io/acme'],
      sources: [sources[0]],
      tags: ['{version}', 'latest', '{version}-{platform}'],
      values: { version: '1.2.0', variant: 'cpu' },
      annotations,
    });
    expect(operations.map((op) => op.annotations)).toEqual([annotations, undefined, undefined]);
    const [copy, retag] = operationCommands(operations[0]);
    expect(copy.slice(0, 5)).toEqual([
      'buildx',
      'imagetools',
      'create',
      '--annotation',
      'index:org.opencontainers.image.description=a = b, "quoted"; $(not a shell)',
    ]);
    expect(retag).not.toContain('--annotation');
    expect(operationCommands(operations[1])[0]).not.toContain('--annotation');
  });

  it('refuses a template it cannot render before copying anything', () => {
    expect(() =>
      planPublish({ image: 'acme/vision', registries: ['r'], sources, tags: ['{version}'], values: { variant: 'cpu' } }),
    ).toThrow('needs {version}');
  });
});
