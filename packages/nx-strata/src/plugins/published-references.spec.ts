import { AggregateCreateNodesError, type CreateNodesContext, type CreateNodesResult } from 'nx/src/devkit-exports';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import type { DockerPublishExecutorOptions } from '../executors/docker-publish/schema';
import { planPublish } from '../executors/docker-publish/lib/publish-plan';
import { createNodes } from './plugin';

const DJANGO = 'FROM python:3.12 AS base\nCOPY app.py /app/\nFROM base AS web\nCMD ["gunicorn"]\nFROM base AS celery\nCMD ["celery"]\n';

async function publishOptions(root: string, target = 'docker-publish'): Promise<DockerPublishExecutorOptions> {
  const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
  const [[, result]] = (await createNodes[1](['strata.json'], {}, context)) as Array<[string, CreateNodesResult]>;
  return result.projects!['.'].targets![target].options as DockerPublishExecutorOptions;
}

/** The repositories and tags a publish would write to one registry, as `repository:tag`. */
function references(options: DockerPublishExecutorOptions): string[] {
  const sources = options.layers.map((layer) => ({
    layer: layer.layer,
    top: layer.top,
    platforms: layer.platforms.map((platform) => ({ platform: platform.platform, ref: `r/${layer.layer}@sha256:1` })),
  }));
  return planPublish({
    image: options.image,
    registries: ['ghcr.io/acme'],
    sources,
    tags: options.tags,
    values: { variant: options.variant, sha: 'abc1234' },
  })
    .flatMap((operation) => operation.tags.map((tag) => `${operation.repository}:${tag}`))
    .sort();
}

describe('published references: two layers never write the same image reference', () => {
  let root: string;
  afterEach(() => root && removeTempWorkspace(root));

  it('a multi-stage Dockerfile shipped as two top layers publishes each to a repository of its own', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({
        image: 'acme/shop',
        layers: { web: { dockerfile: 'Dockerfile', target: 'web' }, celery: { dockerfile: 'Dockerfile', target: 'celery' } },
      }),
      Dockerfile: DJANGO,
      'app.py': 'x\n',
    });
    const refs = references(await publishOptions(root));
    expect(refs).toEqual([
      'ghcr.io/acme/acme/shop/celery:abc1234',
      'ghcr.io/acme/acme/shop/celery:latest',
      'ghcr.io/acme/acme/shop/web:abc1234',
      'ghcr.io/acme/acme/shop/web:latest',
    ]);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('one published top layer keeps the image repository itself; a published parent goes beside it', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({
        image: 'acme/vision',
        layers: { base: { dockerfile: 'Dockerfile.base' }, app: { dockerfile: 'Dockerfile', parent: 'base' } },
        publish: { layers: ['base', 'app'] },
      }),
      'Dockerfile.base': 'FROM debian:bookworm\n',
      Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
    });
    expect(references(await publishOptions(root))).toEqual([
      'ghcr.io/acme/acme/vision/base:abc1234',
      'ghcr.io/acme/acme/vision/base:latest',
      'ghcr.io/acme/acme/vision:abc1234',
      'ghcr.io/acme/acme/vision:latest',
    ]);
  });

  it('refuses two variants publishing under the same tag, at the strata.json position, with the fix', async () => {
    root = createTempWorkspace({
      'strata.json':
        '{\n  "image": "acme/vision",\n  "layers": { "app": { "dockerfile": "Dockerfile" } },\n  "variants": { "cpu": {}, "cuda": {} },\n  "publish": { "tags": ["{version}", "latest"] }\n}\n',
      Dockerfile: 'FROM debian:bookworm\n',
    });
    const error: unknown = await Promise.resolve(
      createNodes[1](['strata.json'], {}, { nxJsonConfiguration: {}, workspaceRoot: root }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    const [[, cause]] = (error as AggregateCreateNodesError).errors;
    expect(String(cause)).toContain('strata.json:5:');
    expect(String(cause)).toContain('variants "cpu" and "cuda" both publish acme/vision:{version}');
    expect(String(cause)).toContain('put {variant} in the tag templates');
  });
});
