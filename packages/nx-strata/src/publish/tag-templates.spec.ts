import {
  ciBranch,
  defaultTagTemplates,
  isPerPlatform,
  movesWithReleases,
  parseSemver,
  renderTag,
  sanitizeBranch,
  tagDate,
  TagTemplateError,
  templatesForVersion,
} from './tag-templates';

describe('renderTag', () => {
  const values = { version: 'v1.4.2', sha: 'a1b2c3d', variant: 'cuda' };
  test.each([
    ['{version}', '1.4.2'],
    ['{version}-{variant}', '1.4.2-cuda'],
    ['{variant}-latest', 'cuda-latest'],
    ['latest-{variant}', 'latest-cuda'],
    ['sha-{sha}', 'sha-a1b2c3d'],
    ['{version}-{platform}', '1.4.2-linux-arm64'],
  ])('%s → %s', (template, expected) => {
    expect(renderTag(template, values, 'linux/arm64')).toBe(expected);
  });

  it('says what to do when {version} has no value', () => {
    expect(() => renderTag('{version}', { variant: 'cpu' })).toThrow(TagTemplateError);
    expect(() => renderTag('{version}', { variant: 'cpu' })).toThrow('pass --version=<v>, set STRATA_VERSION');
  });

  it('rejects tags docker would reject', () => {
    expect(() => renderTag('-{variant}', { variant: 'cpu' })).toThrow('is not a valid image tag');
  });

  it('knows which templates are per platform, and the defaults', () => {
    expect(isPerPlatform('{version}-{platform}')).toBe(true);
    expect(isPerPlatform('latest')).toBe(false);
    expect(defaultTagTemplates(true)).toEqual(['{sha}-{variant}', 'latest-{variant}']);
    expect(defaultTagTemplates(false)).toEqual(['{sha}', 'latest']);
  });
});

describe('semantic, branch and date tags (as docker/metadata-action makes them)', () => {
  const release = { version: 'v1.2.3', sha: 'a1b2c3d', branch: 'feature/Login#2', date: '20261204', variant: 'cpu' };
  test.each([
    ['{major}', '1'],
    ['{major}.{minor}', '1.2'],
    ['{major}.{minor}.{patch}', '1.2.3'],
    ['{major}.{minor}-{variant}', '1.2-cpu'],
    ['{branch}', 'feature-Login-2'],
    ['{branch}-{sha}', 'feature-Login-2-a1b2c3d'],
    ['nightly-{date}', 'nightly-20261204'],
  ])('%s → %s', (template, expected) => {
    expect(renderTag(template, release)).toBe(expected);
  });

  it('parses semantic versions, pre-releases and build metadata, and nothing else', () => {
    expect(parseSemver('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseSemver('v1.3.0-rc.1')).toEqual({ major: 1, minor: 3, patch: 0, prerelease: 'rc.1' });
    expect(parseSemver('2.0.0+build.7')).toEqual({ major: 2, minor: 0, patch: 0 });
    for (const version of ['1.2', '01.2.3', '1.2.3-', 'latest', '2024.06.01.4']) expect(parseSemver(version)).toBeUndefined();
    expect(() => renderTag('{major}.{minor}', { version: '2024.06', variant: 'cpu' })).toThrow(
      'tag "{major}.{minor}" needs {major}, and version "2024.06" is not a semantic version',
    );
    expect(() => renderTag('{minor}', { variant: 'cpu' })).toThrow('needs {minor}: pass --version=<v>');
  });

  it('a pre-release moves neither latest nor a partial version: only the tags with its whole version', () => {
    const templates = [
      '{version}',
      '{major}.{minor}',
      '{major}',
      'latest',
      'latest-{variant}',
      '{variant}-latest',
      '{version}-{variant}',
      '{sha}',
    ];
    expect(templatesForVersion(templates, '1.3.0-rc.1')).toEqual({
      kept: ['{version}', '{version}-{variant}', '{sha}'],
      skipped: ['{major}.{minor}', '{major}', 'latest', 'latest-{variant}', '{variant}-latest'],
    });
    expect(templatesForVersion(templates, '1.3.0')).toEqual({ kept: templates, skipped: [] });
    expect(templatesForVersion(templates, undefined)).toEqual({ kept: templates, skipped: [] });
    expect(movesWithReleases('{major}.{minor}.{patch}')).toBe(true);
    expect(movesWithReleases('{version}-{major}')).toBe(false);
    expect(movesWithReleases('latestgreatest')).toBe(false);
  });

  it('sanitises a branch like metadata-action, and says what to do on a detached HEAD', () => {
    expect(sanitizeBranch('my/branch')).toBe('my-branch');
    expect(sanitizeBranch('-/.hidden')).toBe('hidden');
    expect(sanitizeBranch('x'.repeat(200))).toHaveLength(128);
    expect(sanitizeBranch('$(rm -rf /);`x`')).toBe('rm--rf-x-');
    expect(() => renderTag('{branch}', { variant: 'cpu' })).toThrow('this checkout is on no branch');
  });

  it('reads the branch from GitHub Actions and GitLab CI, preferring a pull request source branch', () => {
    expect(ciBranch({ GITHUB_HEAD_REF: 'fix/x', GITHUB_REF_NAME: '12/merge', GITHUB_REF_TYPE: 'branch' })).toBe('fix/x');
    expect(ciBranch({ GITHUB_HEAD_REF: '', GITHUB_REF_NAME: 'main', GITHUB_REF_TYPE: 'branch' })).toBe('main');
    expect(ciBranch({ GITHUB_REF_NAME: 'v1.2.3', GITHUB_REF_TYPE: 'tag' })).toBeUndefined();
    expect(ciBranch({ CI_COMMIT_BRANCH: 'main' })).toBe('main');
    expect(ciBranch({ CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feat', CI_COMMIT_BRANCH: 'main' })).toBe('feat');
    expect(ciBranch({})).toBeUndefined();
  });

  it('dates tags in UTC, from SOURCE_DATE_EPOCH when it is set', () => {
    expect(tagDate({}, new Date('2026-12-04T23:59:59-05:00'))).toBe('20261205');
    expect(tagDate({ SOURCE_DATE_EPOCH: '1700000000' })).toBe('20231114');
    expect(tagDate({ SOURCE_DATE_EPOCH: 'soon' }, new Date('2026-01-02T00:00:00Z'))).toBe('20260102');
  });
});
