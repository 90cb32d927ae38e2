import { asksForDryRun, isDryRun } from './dry-run';

describe('dry runs', () => {
  it('a task is dry by its own --dryRun or when its command asked for a dry run (STRATA_DRY_RUN)', () => {
    expect(isDryRun({ dryRun: true }, {})).toBe(true);
    expect(isDryRun({}, { STRATA_DRY_RUN: 'true' })).toBe(true);
    expect(isDryRun({ dryRun: false }, {})).toBe(false);
    expect(isDryRun({}, { STRATA_DRY_RUN: 'false' })).toBe(false);
  });

  it.each([
    [['node', 'nx', 'affected', '-t', 'docker-build', '--dry-run'], true],
    [['node', 'nx', 'release', '--dryRun=true'], true],
    [['node', 'nx', 'run-many', '-t', 'docker-build', '--dryRun=false'], false],
    [['node', 'nx', 'run', 'web:dry-run'], false],
  ])('%j asks for a dry run: %s', (argv, expected) => expect(asksForDryRun(argv)).toBe(expected));
});
