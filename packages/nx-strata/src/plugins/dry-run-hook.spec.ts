import { asksForDryRun } from '../config/dry-run';
import { preTasksExecution } from './dry-run-hook';

describe('dry runs and the Nx cache', () => {
  const before = process.env.NX_SKIP_NX_CACHE;
  afterEach(() => {
    if (before === undefined) delete process.env.NX_SKIP_NX_CACHE;
    else process.env.NX_SKIP_NX_CACHE = before;
  });

  it.each([
    [['node', 'nx', 'run', 'web:docker-build--app--linux-amd64', '--dryRun'], true],
    [['node', 'nx', 'run', 'web:docker-publish', '--dry-run'], true],
    [['node', 'nx', 'run', 'web:docker-publish', '--dryRun=true'], true],
    [['node', 'nx', 'run', 'web:docker-publish', '--dryRun=false'], false],
    [['node', 'nx', 'run-many', '-t', 'docker-build'], false],
    [['node', 'nx', 'run', 'web:dry-run-report'], false],
  ])('%j asks for a dry run: %s', (argv, expected) => {
    expect(asksForDryRun(argv)).toBe(expected);
  });

  it('turns the Nx cache off for a dry run only', async () => {
    delete process.env.NX_SKIP_NX_CACHE;
    const context = { id: '1', workspaceRoot: '/w', nxJsonConfiguration: {} };
    await preTasksExecution({}, { ...context, argv: ['node', 'nx', 'run', 'web:docker-build', '--verbose'] });
    expect(process.env.NX_SKIP_NX_CACHE).toBeUndefined();
    await preTasksExecution({}, { ...context, argv: ['node', 'nx', 'run', 'web:docker-build', '--dryRun'] });
    expect(process.env.NX_SKIP_NX_CACHE).toBe('true');
  });

  it('makes every nx-strata task of a dry-run command dry, nx release --dry-run too, and leaves other commands alone', async () => {
    delete process.env.NX_SKIP_NX_CACHE;
    delete process.env.STRATA_DRY_RUN;
    const context = { id: '1', workspaceRoot: '/w', nxJsonConfiguration: {} };
    await preTasksExecution({}, { ...context, argv: ['node', 'nx', 'affected', '-t', 'docker-build'] });
    expect(process.env.STRATA_DRY_RUN).toBeUndefined();
    for (const argv of [
      ['node', 'nx', 'affected', '-t', 'docker-build', '--dry-run'],
      ['node', 'nx', 'release', '--dry-run'],
      ['node', 'nx', '--verbose', 'release', '1.2.0', '--dryRun'],
    ]) {
      delete process.env.STRATA_DRY_RUN;
      await preTasksExecution({}, { ...context, argv });
      expect({ argv, dry: process.env.STRATA_DRY_RUN, skipCache: process.env.NX_SKIP_NX_CACHE }).toEqual({
        argv,
        dry: 'true',
        skipCache: 'true',
      });
    }
    delete process.env.STRATA_DRY_RUN;
    delete process.env.NX_BATCH_MODE;
  });

  it('salts the hashes of nx release --dry-run only (Nx keeps the cache on there), so a real run never replays a dry one', async () => {
    const context = { id: '1', workspaceRoot: '/w', nxJsonConfiguration: {} };
    delete process.env.STRATA_DRY_RUN_SALT;
    await preTasksExecution({}, { ...context, argv: ['node', 'nx', 'affected', '-t', 'docker-build', '--dry-run'] });
    expect(process.env.STRATA_DRY_RUN_SALT).toBeUndefined();
    await preTasksExecution({}, { ...context, argv: ['node', 'nx', '--verbose', 'release', '1.2.0', '--dry-run'] });
    expect(process.env.STRATA_DRY_RUN_SALT).toBe('dry-run');
    for (const name of ['STRATA_DRY_RUN', 'STRATA_DRY_RUN_SALT', 'NX_BATCH_MODE']) delete process.env[name];
  });
});
