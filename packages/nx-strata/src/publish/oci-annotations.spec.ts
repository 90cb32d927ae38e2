import { indexAnnotations, sourceUrl } from './oci-annotations';

describe('OCI annotations of a published manifest list', () => {
  const facts = {
    source: 'https://github.com/acme/vision',
    revision: 'a'.repeat(40),
    version: 'v1.2.0',
    created: '2026-12-04T10:00:00.000Z',
    image: 'acme/vision',
    description: 'Vision\ninference\tservice',
  };

  it('gives the standard keys from the workspace, sorted, in one line each', () => {
    expect(indexAnnotations(facts)).toEqual({
      'org.opencontainers.image.created': '2026-12-04T10:00:00.000Z',
      'org.opencontainers.image.description': 'Vision inference service',
      'org.opencontainers.image.revision': 'a'.repeat(40),
      'org.opencontainers.image.source': 'https://github.com/acme/vision',
      'org.opencontainers.image.title': 'vision',
      'org.opencontainers.image.url': 'https://github.com/acme/vision',
      'org.opencontainers.image.version': '1.2.0',
    });
  });

  it("lets strata.json's publish.annotations override a default, add others, and remove one with an empty value", () => {
    const annotations = indexAnnotations(facts, {
      'org.opencontainers.image.title': 'Vision',
      'org.opencontainers.image.licenses': 'Apache-2.0',
      'org.opencontainers.image.url': '',
      'com.example.team': 'ml',
    });
    expect(annotations['org.opencontainers.image.title']).toBe('Vision');
    expect(annotations['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(annotations['com.example.team']).toBe('ml');
    expect(annotations).not.toHaveProperty('org.opencontainers.image.url');
    // No version: no version annotation (a sha-tag publish from main).
    expect(indexAnnotations({ created: facts.created, image: 'web' })).toEqual({
      'org.opencontainers.image.created': facts.created,
      'org.opencontainers.image.title': 'web',
    });
  });

  test.each([
    ['git@github.com:acme/vision.git', 'https://github.com/acme/vision'],
    ['ssh://git@gitlab.example.com:2222/group/sub/vision.git', 'https://gitlab.example.com/group/sub/vision'],
    ['https://x-access-token:ghs_secret@github.com/acme/vision.git', 'https://github.com/acme/vision'],
    ['https://github.com/acme/vision/', 'https://github.com/acme/vision'],
    ['/srv/git/vision.git', undefined],
    ['../vision', undefined],
  ])('the source of remote %s is %s (credentials never published)', (remote, expected) => {
    expect(sourceUrl({}, remote)).toBe(expected);
  });

  it('prefers what CI says the repository is', () => {
    expect(sourceUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/vision' }, 'git@elsewhere:x/y.git')).toBe(
      'https://github.com/acme/vision',
    );
    expect(sourceUrl({ CI_PROJECT_URL: 'https://gitlab-ci-token:abc@gitlab.com/acme/vision' }, undefined)).toBe(
      'https://gitlab.com/acme/vision',
    );
    expect(sourceUrl({}, undefined)).toBeUndefined();
  });
});
