import { buildNamespaces, matchesBranch, namespaceConflict, namespaceOf, placeReference, trustedCacheEntries, trustLevel } from './trust';

const github = (event: string, ref: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: event, GITHUB_REF: ref });

describe('trust levels', () => {
  test.each([
    ['a push to main', github('push', 'refs/heads/main'), ['main'], 'trusted'],
    ['a push to a release branch', github('push', 'refs/heads/release/1.2'), ['main', 'release/*'], 'trusted'],
    ['a push to a feature branch', github('push', 'refs/heads/feature/x'), ['main', 'release/*'], 'untrusted'],
    ['a pull request into main', github('pull_request', 'refs/pull/7/merge'), ['main'], 'untrusted'],
    ['pull_request_target on main', github('pull_request_target', 'refs/heads/main'), ['main'], 'untrusted'],
    ['a push to a tag', github('push', 'refs/tags/main'), ['main'], 'untrusted'],
    ['a push to a branch named like a pattern prefix', github('push', 'refs/heads/mainline'), ['main'], 'untrusted'],
    ['a GitLab pipeline on main', { GITLAB_CI: 'true', CI_COMMIT_BRANCH: 'main' }, ['main'], 'trusted'],
    ['a GitLab merge request pipeline', { GITLAB_CI: 'true', CI_MERGE_REQUEST_IID: '3', CI_COMMIT_BRANCH: 'main' }, ['main'], 'untrusted'],
    ['a push to main, the trusted branch written as a ref', github('push', 'refs/heads/main'), ['origin/main'], 'trusted'],
    [
      'a GitLab pipeline on main, the trusted branch written as a ref',
      { GITLAB_CI: 'true', CI_COMMIT_BRANCH: 'main' },
      ['refs/heads/main'],
      'trusted',
    ],
    ['a developer machine', {}, ['main'], 'untrusted'],
    ['STRATA_TRUST on a developer machine', { STRATA_TRUST: 'trusted' }, ['main'], 'trusted'],
    [
      'STRATA_TRUST=untrusted on a push to main',
      { ...github('push', 'refs/heads/main'), STRATA_TRUST: 'untrusted' },
      ['main'],
      'untrusted',
    ],
  ])('%s is %s', (_name, env, branches, level) => {
    expect(trustLevel(branches, env as NodeJS.ProcessEnv).level).toBe(level);
  });

  it('refuses a STRATA_TRUST it does not know', () => {
    expect(() => trustLevel(['main'], { STRATA_TRUST: 'yes' })).toThrow('STRATA_TRUST="yes" is neither "trusted" nor "untrusted"');
  });

  test.each([
    [['release/*'], 'release/1.x', true],
    [['release/*'], 'release/1/x', false],
    [['hotfix/**'], 'hotfix/a/b', true],
    [['main'], 'main', true],
    [['main'], 'mainx', false],
    [['v1.0'], 'v1x0', false],
  ])('%j matches %s: %s', (patterns, branch, matches) => expect(matchesBranch(patterns, branch)).toBe(matches));
});

describe('build namespaces', () => {
  it('a trusted run writes and reads the trusted namespace only', () => {
    expect(buildNamespaces({ registry: 'ghcr.io/acme' }, { STRATA_TRUST: 'trusted' })).toMatchObject({
      level: 'trusted',
      write: 'ghcr.io/acme',
      read: ['ghcr.io/acme'],
    });
  });

  it('an untrusted run writes its own namespace and reads the trusted one first', () => {
    expect(buildNamespaces({ registry: 'ghcr.io/acme' }, {})).toMatchObject({
      level: 'untrusted',
      write: 'ghcr.io/acme/untrusted',
      read: ['ghcr.io/acme', 'ghcr.io/acme/untrusted'],
    });
    expect(
      buildNamespaces({ registry: 'ghcr.io/acme', untrustedRegistry: 'ghcr.io/acme-pr/' }, { STRATA_UNTRUSTED_REGISTRY: 'r.lan/pr' }),
    ).toMatchObject({ write: 'r.lan/pr', read: ['ghcr.io/acme', 'r.lan/pr'] });
  });

  it('an untrusted run with nowhere to push (a fork) reads the trusted namespace and builds locally', () => {
    expect(buildNamespaces({ registry: 'ghcr.io/acme' }, { STRATA_UNTRUSTED_REGISTRY: '' })).toMatchObject({
      write: null,
      read: ['ghcr.io/acme'],
    });
  });

  it('local mode reads and writes no registry', () => {
    expect(buildNamespaces({}, { STRATA_TRUST: 'trusted' })).toMatchObject({ trusted: null, write: null, read: [] });
    expect(buildNamespaces({ registry: 'ghcr.io/acme' }, { STRATA_REGISTRY: '' })).toMatchObject({ write: null, read: [] });
  });

  it('attributes a reference to the innermost namespace that holds it', () => {
    const namespaces = ['r/acme', 'r/acme/untrusted'];
    expect(namespaceOf(namespaces, 'r/acme/untrusted/acme/vision/app@sha256:1')).toBe('r/acme/untrusted');
    expect(namespaceOf(namespaces, 'r/acme/acme/vision/app@sha256:1')).toBe('r/acme');
    expect(namespaceOf(namespaces, 'r/acmex/vision@sha256:1')).toBeUndefined();
  });

  it('refuses an image whose trusted repositories would lie in the untrusted namespace', () => {
    expect(namespaceConflict({ trusted: 'r/acme', untrusted: 'r/acme/untrusted' }, 'untrusted/vision')).toContain(
      'lies inside the untrusted namespace r/acme/untrusted',
    );
    expect(namespaceConflict({ trusted: 'r/acme', untrusted: 'r/acme/untrusted' }, 'acme/vision')).toBeUndefined();
  });
});

describe('registry caches follow the trust rule', () => {
  const trustedRun = buildNamespaces({ registry: 'r/acme' }, { STRATA_TRUST: 'trusted' });
  const prRun = buildNamespaces({ registry: 'r/acme' }, { STRATA_TRUST: 'untrusted' });
  const forkRun = buildNamespaces({ registry: 'r/acme' }, { STRATA_TRUST: 'untrusted', STRATA_UNTRUSTED_REGISTRY: '' });
  const user = {
    cacheFrom: ['type=registry,ref={registry}/cache/vision:ml'],
    cacheTo: ['type=registry,ref={registry}/cache/vision:ml,mode=max'],
  };

  it('puts {registry} where each run may read and write', () => {
    expect(trustedCacheEntries(user, trustedRun)).toEqual({
      ok: true,
      cacheFrom: ['type=registry,ref=r/acme/cache/vision:ml'],
      cacheTo: ['type=registry,ref=r/acme/cache/vision:ml,mode=max'],
    });
    expect(trustedCacheEntries(user, prRun)).toEqual({
      ok: true,
      cacheFrom: ['type=registry,ref=r/acme/cache/vision:ml', 'type=registry,ref=r/acme/untrusted/cache/vision:ml'],
      cacheTo: ['type=registry,ref=r/acme/untrusted/cache/vision:ml,mode=max'],
    });
    expect(trustedCacheEntries(user, forkRun)).toEqual({ ok: true, cacheFrom: ['type=registry,ref=r/acme/cache/vision:ml'], cacheTo: [] });
  });

  test.each([
    [
      'a trusted run reading a cache pull requests write',
      { cacheFrom: ['type=registry,ref=r/acme/untrusted/cache:x'], cacheTo: [] },
      trustedRun,
      '--cache-from r/acme/untrusted/cache:x lies in the untrusted namespace r/acme/untrusted',
    ],
    [
      'a trusted run reading a cache elsewhere',
      { cacheFrom: ['elsewhere.io/cache:x'], cacheTo: [] },
      trustedRun,
      '--cache-from elsewhere.io/cache:x lies in no namespace of this run',
    ],
    [
      'a pull request writing the trusted cache',
      { cacheFrom: [], cacheTo: ['type=registry,ref=r/acme/cache:x,mode=max'] },
      prRun,
      '--cache-to r/acme/cache:x lies in the trusted namespace r/acme; this untrusted run writes only r/acme/untrusted',
    ],
  ])('refuses %s', (_name, entries, namespaces, problem) => {
    expect(trustedCacheEntries(entries, namespaces)).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it('passes other cache types through', () => {
    expect(trustedCacheEntries({ cacheFrom: ['type=gha,scope=ml'], cacheTo: ['type=inline'] }, trustedRun)).toEqual({
      ok: true,
      cacheFrom: ['type=gha,scope=ml'],
      cacheTo: ['type=inline'],
    });
  });
});

describe('placeReference', () => {
  const trustedRun = buildNamespaces({ registry: 'r/acme' }, { STRATA_TRUST: 'trusted' });
  const prRun = buildNamespaces({ registry: 'r/acme' }, { STRATA_TRUST: 'untrusted' });
  test.each([
    [trustedRun, 'r/acme/acme/shop/app@sha256:1', { trusted: true, namespace: 'r/acme' }],
    [trustedRun, 'r/acme/untrusted/acme/shop/app@sha256:1', { trusted: false, where: 'the untrusted namespace r/acme/untrusted' }],
    [trustedRun, 'evil.io/acme/shop/app@sha256:1', { trusted: false, where: 'a registry this run does not know' }],
    [prRun, 'r/acme/untrusted/acme/shop/app@sha256:1', { trusted: true, namespace: 'r/acme/untrusted' }],
    [prRun, 'r/acme/acme/shop/app@sha256:1', { trusted: true, namespace: 'r/acme' }],
  ])('%#: %s', (namespaces, reference, place) => expect(placeReference(namespaces, reference)).toEqual(place));
});
