import { defaultTagTemplates, isPerPlatform, renderTag, TagTemplateError } from './tag-templates';

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
