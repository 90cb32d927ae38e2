import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES } from './support/paths';

const TEST_LABEL = 'org.nx-strata.test=1';
const TARGET = 'web:docker-test--app--linux-amd64';

/** The test containers on the engine (any state), as `<id> <state> "<command>"`. */
const testContainers = (): string[] =>
  execFileSync('docker', ['ps', '--all', '--filter', `label=${TEST_LABEL}`, '--format', '{{.ID}} {{.State}} {{.Command}}'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);

/** `docker` client processes running a test container (an orphaned `docker run` of a killed task). */
const testClients = (): string[] =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(TEST_LABEL) && !line.includes(' ps -eo'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `promise` gives within `ms`, else undefined; the timer is cleared either way (no handle keeps jest alive). */
const within = async <T>(promise: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
};

/** `pid` and every process below it (Nx starts its task processes in groups of their own, so a group kill misses them). */
const processTree = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child && parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
};

/**
 * docker-test removes every container it starts, whichever way it ends: a command that does not exist (Docker leaves
 * such a container `Created` despite `--rm`), a smoke run that never exits, Ctrl-C, and a run killed outright (the next
 * run on the machine removes what it left). Local mode, amd64 only: the containers are what is under test.
 */
describe('docker-test leaves no containers behind', () => {
  let workspace: E2EWorkspace;
  let before: string[];
  /** Test containers that were not there when the suite started (older runs on this machine may have left some). */
  const ours = () => testContainers().filter((line) => !before.includes(line.split(' ')[0]));
  const configure = (test: object) => {
    const config = JSON.parse(workspace.read('strata.json'));
    config.platforms = ['linux/amd64'];
    config.layers.app.test = test;
    delete config.scan;
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    workspace.commitAll('test settings');
  };
  /**
   * Runs the test target as a job and waits until both its long-lived containers run: the health container (the
   * image's `httpd`) and the smoke run (`sleep 600`). The short `id -u` run of the non-root check comes and goes.
   */
  const startWithHealthAndSmoke = async () => {
    const job = workspace.nxJob(['run', TARGET]);
    const up = () => {
      const running = ours().filter((line) => line.split(' ')[1] === 'running');
      return running.some((line) => line.includes('httpd')) && running.some((line) => line.includes('sleep 600'));
    };
    for (let waited = 0; !up(); waited += 500) {
      if (waited > 240_000)
        throw new Error(
          `the health and smoke containers did not run within 240 s:\n${(await within(job.done, 1000))?.output ?? '(still running)'}`,
        );
      await sleep(500);
    }
    return job;
  };

  beforeAll(() => {
    before = testContainers().map((line) => line.split(' ')[0]);
    workspace = E2EWorkspace.create(join(FIXTURES, 'verified'));
    // Build the layers once, so each test's time goes to its containers.
    configure({ healthcheck: false });
    expectSuccess(workspace.nx(['run', TARGET]));
  });
  afterAll(() => {
    const left = ours().map((line) => line.split(' ')[0]);
    if (left.length) execFileSync('docker', ['rm', '--force', ...left]);
    workspace?.remove();
  });

  test('an image whose command does not exist fails its checks and leaves no Created container, run after run', () => {
    // `docker run -d` creates the container, then cannot start it: Docker keeps it, `Created`, unless it is removed.
    const app = workspace.read('docker/Dockerfile.app');
    workspace.write('docker/Dockerfile.app', app.replace(/^CMD .*$/m, 'CMD ["/no/such/command"]'));
    configure({ healthcheck: { timeoutMs: 120000, intervalMs: 500 }, smoke: [{ command: ['/no/such/command'] }] });
    try {
      for (let run = 0; run < 2; run++) {
        const result = workspace.nx(['run', TARGET]);
        expect(result.exitCode).not.toBe(0);
        expect(result.output).toMatch(/the container did not start: .*no such file or directory/);
        expect(ours()).toEqual([]);
      }
      // The image's command also as a smoke run (`--rm`, in the foreground): the check fails on its exit code.
      workspace.write('docker/Dockerfile.app', app);
      workspace.commitAll('the command back');
      const result = workspace.nx(['run', TARGET]);
      expect(result.output).toMatch(/smoke `\/no\/such\/command`: exit code 127, expected 0/);
      expect(ours()).toEqual([]);
    } finally {
      workspace.write('docker/Dockerfile.app', app);
      workspace.commitAll('the command back');
    }
  });

  test('a smoke run that never exits is stopped at its timeoutMs, and its container removed', () => {
    configure({ healthcheck: false, smoke: [{ command: ['sleep', '600'], timeoutMs: 3000 }] });
    const result = workspace.nx(['run', TARGET]);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('smoke `sleep 600`: no exit within 3000 ms; the run was stopped and its container removed.');
    expect(ours()).toEqual([]);
    expect(testClients()).toEqual([]);
  });

  test('Ctrl-C during the checks removes the health container and the smoke container, and no docker client is left', async () => {
    configure({ healthcheck: { timeoutMs: 120000, intervalMs: 500 }, smoke: [{ command: ['sleep', '600'] }] });
    const job = await startWithHealthAndSmoke();
    process.kill(-job.child.pid!, 'SIGINT');
    const ended = await within(job.done, 60_000);
    expect(ended === undefined ? 'still running 60 s after SIGINT' : ended.exitCode).not.toBe(0);
    // The removal outlives the task (Nx ends its whole process tree): give it a moment.
    for (let waited = 0; ours().length && waited < 20_000; waited += 250) await sleep(250);
    let left = ours();
    if (left.length) {
      // Nx ended the task before its signal handler ran (seen once on a loaded Docker 26 runner): then the next
      // docker-test on the machine must remove what the interrupted one left, its owner being gone.
      console.warn(`Ctrl-C left ${left.length} test containers; the next run must remove them`);
      configure({ healthcheck: false, smoke: [{ command: ['cat', '/etc/web-base'], output: '^web base' }] });
      const next = workspace.nx(['run', TARGET, '--skip-nx-cache'], {}, { timeoutMs: 120_000 });
      expect(next.output).toContain(`nx-strata: removed ${left.length} test container`);
      left = ours();
    }
    const details = left.length
      ? execFileSync(
          'docker',
          ['ps', '--all', '--filter', `label=${TEST_LABEL}`, '--format', '{{.Names}} {{.State}} {{.Command}} {{.CreatedAt}}'],
          { encoding: 'utf8' },
        )
      : '';
    expect({ left, details, output: left.length ? ended?.output.slice(-1500) : '' }).toEqual({ left: [], details: '', output: '' });
    expect(testClients()).toEqual([]);
  });

  test('a run killed outright leaves its containers to the next run, which removes them and says so', async () => {
    configure({ healthcheck: { timeoutMs: 120000, intervalMs: 500 }, smoke: [{ command: ['sleep', '600'] }] });
    const job = await startWithHealthAndSmoke();
    // As a CI runner cancelling a job or the OOM killer would: every process of the run at once, no handler runs.
    for (const pid of processTree(job.child.pid!)) process.kill(pid, 'SIGKILL');
    await job.done;
    // Nothing could clean up: the containers are there (and their clients gone with the process group).
    expect(ours()).toHaveLength(2);

    configure({ healthcheck: { timeoutMs: 120000, intervalMs: 500 }, smoke: [{ command: ['cat', '/etc/web-base'], output: '^web base' }] });
    const next = workspace.nx(['run', TARGET]);
    expectSuccess(next);
    expect(next.output).toContain('nx-strata: removed 2 test containers that a killed run left on the local Docker engine');
    expect(ours()).toEqual([]);
  });
});
