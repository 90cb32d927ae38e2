import { createTempWorkspace, removeTempWorkspace, writeFiles } from '../../../test-utils/temp-workspace';
import { normalizePublishOptions } from './normalize-options';
import { resolvePublishSources } from './publish-sources';

describe('resolvePublishSources trust', () => {
  let root: string;
  beforeEach(() => (root = createTempWorkspace({ 'strata.json': '{}' })));
  afterEach(() => removeTempWorkspace(root));

  const record = (parentRef: string) =>
    JSON.stringify({
      schemaVersion: 1,
      key: 'k'.repeat(16),
      digest: parentRef.split('@')[1],
      parentRef,
      mode: 'registry',
      registry: 'r.example/acme',
      refs: [parentRef],
    });
  const options = (env: NodeJS.ProcessEnv) =>
    normalizePublishOptions(
      {
        configFile: 'strata.json',
        image: 'acme/shop',
        variant: 'default',
        layers: [
          {
            layer: 'app',
            top: true,
            platforms: [{ platform: 'linux/amd64', record: 'dist/app.json', target: 'docker-build--app--linux-amd64' }],
          },
        ],
        tags: ['latest'],
        record: 'dist/publish.json',
        registry: 'r.example/acme',
      },
      root,
      env,
    );

  test.each([
    [
      'the untrusted namespace',
      `r.example/acme/untrusted/acme/shop/app@sha256:${'9'.repeat(64)}`,
      'the untrusted namespace r.example/acme/untrusted',
    ],
    ['another registry', `evil.example/acme/shop/app@sha256:${'9'.repeat(64)}`, 'a registry this run does not know'],
  ])('a trusted run refuses a record whose digest is in %s, whichever cache restored it', async (_name, parentRef, where) => {
    writeFiles(root, { 'dist/app.json': record(parentRef) });
    const sources = await resolvePublishSources(options({ STRATA_TRUST: 'trusted' }), 'shop');
    expect(sources).toEqual({
      ok: false,
      message: expect.stringContaining(
        `layer "app" (linux/amd64): refusing to publish sha256:${'9'.repeat(64)}: its record puts it in ${where}, and this trusted run publishes only from r.example/acme`,
      ),
    });
    expect(sources.ok || sources.message).toContain('npx nx run shop:docker-build--app--linux-amd64 --skip-nx-cache');
  });
});
