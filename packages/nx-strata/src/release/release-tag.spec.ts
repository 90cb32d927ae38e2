import { releaseTagPatterns, versionFromTags } from './release-tag';

describe('the version a release tag at HEAD gives a project (standalone nx release publish)', () => {
  it('reads Nx defaults: v{version} for a fixed group, {projectName}@{version} for independent projects', () => {
    const patterns = releaseTagPatterns(undefined);
    expect(patterns).toEqual(['v{version}', '{projectName}@{version}']);
    expect(versionFromTags(['v1.2.0'], patterns, 'vision')).toBe('1.2.0');
    expect(versionFromTags(['api@2.0.0', 'vision@1.3.0-rc.1'], patterns, 'vision')).toBe('1.3.0-rc.1');
    // Another project's tag, or a tag that is not a version, gives nothing.
    expect(versionFromTags(['api@2.0.0', 'nightly', 'v1.2'], patterns, 'vision')).toBeUndefined();
  });

  it('reads the configured patterns first, in both Nx spellings, at the root and in groups', () => {
    const patterns = releaseTagPatterns({
      releaseTag: { pattern: 'release/{version}' },
      groups: {
        images: { projects: ['vision'], releaseTagPattern: '{releaseGroupName}-v{version}' },
        broken: { releaseTag: { pattern: 'no-version-here' } },
      },
    });
    expect(patterns).toEqual(['release/{version}', '{releaseGroupName}-v{version}', 'v{version}', '{projectName}@{version}']);
    expect(versionFromTags(['release/2.1.0'], patterns, 'vision')).toBe('2.1.0');
    expect(versionFromTags(['images-v3.0.0'], patterns, 'vision')).toBe('3.0.0');
    // Pattern text is literal: a "." in it is a dot, not any character.
    expect(versionFromTags(['releasex2.1.0'], ['release.{version}'], 'vision')).toBeUndefined();
  });
});
