import { matchesGlob } from 'node:path';
import { globsUnder } from './output-globs';

/** Whether any of the globs matches, as Nx's glob engine reads them (minimatch-compatible character classes). */
const matchesAny = (globs: string[], path: string) => globs.some((glob) => matchesGlob(path, glob));

describe('globsUnder', () => {
  it('matches a path and everything below it', () => {
    expect(globsUnder('dist/apps/api')).toEqual(['dist/apps/api', 'dist/apps/api/**/*']);
    expect(globsUnder('.')).toEqual(['**/*']);
  });

  it.each([
    ['dist', 'dist/strata'],
    ['.', 'dist/strata'],
    ['dist', 'dist/s'],
  ])('matches everything under %s but %s', (path, excluded) => {
    const globs = globsUnder(path, excluded);
    for (const inside of [
      'dist/apps/api/main.js',
      'dist/strat',
      'dist/strata2/x',
      'dist/st',
      'dist/bin/tool-linux-amd64',
      'dist/a',
      'dist/d/strata/x.json',
    ])
      expect([inside, matchesAny(globs, inside)]).toEqual([inside, true]);
    for (const record of [`${excluded}/vision/cpu/app/linux-amd64.json`, `${excluded}/x`])
      expect([record, matchesAny(globs, record)]).toEqual([record, false]);
    if (path === '.') expect(matchesAny(globs, 'src/main.ts')).toBe(true);
  });
});
