import { matchesWithin, OUTPUT_MATCH_LIMIT_MS } from './output-match';
import { connect } from 'node:net';
import type { HealthcheckTest, PortTest, SmokeTest } from '../../../config/strata-config';
import {
  containerLogsArgs,
  containerPortArgs,
  containerStateArgs,
  containerTopArgs,
  declaresHealthcheck,
  dockerRunArgs,
  isExecFormatError,
  median,
  parseImageUser,
  parsePublishedPort,
  parseTopUids,
  type ContainerState,
} from '../../../engines/container-run';
import { execDocker, type DockerHost } from '../../../engines/docker-host';
import { lastLines } from '../../../engines/exec-command';
import type { ImageUnderTest } from '../../recorded-image';
import type { TestContainers } from './test-containers';

/** One check's verdict: what was checked, whether it passed, and what was measured against which budget. */
export interface CheckOutcome {
  check: string;
  ok: boolean;
  detail: string;
}

export interface CheckTarget {
  image: ImageUnderTest;
  platform: string;
  host: DockerHost;
  /** Names, labels and removes every container the checks start. */
  containers: TestContainers;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;
export const DEFAULT_HEALTH_INTERVAL_MS = 1_000;
export const DEFAULT_PORT_TIMEOUT_MS = 30_000;
export const DEFAULT_RUN_TIMEOUT_MS = 5 * 60_000;
const CALL_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a container could not run, with what to do when the engine cannot execute the image's architecture. */
function runFailure(target: CheckTarget, output: string): string {
  if (isExecFormatError(output))
    return `the engine cannot run ${target.platform} images (exec format error).\n  → register QEMU for it (docker run --privileged --rm tonistiigi/binfmt --install ${target.platform.split('/')[1]}), or map ${target.platform} to a host of that architecture in the plugin's "builders"`;
  return lastLines(output, 8);
}

/** Starts the image's own command in the background, for the health, port and process-user checks. */
export async function startContainer(
  target: CheckTarget,
  settings: { healthIntervalMs?: number; ports: number[] },
): Promise<{ id: string; startedAt: number } | { problem: string }> {
  const startedAt = Date.now();
  const name = target.containers.next();
  const started = await execDocker(
    target.host,
    dockerRunArgs({
      ref: target.image.ref,
      platform: target.platform,
      name,
      owner: target.containers.owner,
      detach: true,
      ...(settings.healthIntervalMs !== undefined ? { healthIntervalMs: settings.healthIntervalMs } : {}),
      publish: settings.ports,
    }),
    { timeoutMs: DEFAULT_RUN_TIMEOUT_MS },
  );
  const id = started.stdout.trim().split('\n').pop() ?? '';
  if (started.exitCode !== 0 || !/^[0-9a-f]{12,64}$/.test(id)) {
    // A command that does not exist leaves the container `Created`; a timed-out client may leave it running.
    await target.containers.remove(name);
    return { problem: `the container did not start: ${runFailure(target, `${started.stderr}\n${started.stdout}`)}` };
  }
  return { id, startedAt };
}

/** The process user: the image config's `User`, then `id -u` in a fresh container and `docker top` of a running one. */
export async function checkNonRoot(target: CheckTarget, runningId: string | undefined): Promise<CheckOutcome> {
  const check = 'non-root user';
  const user = parseImageUser(target.image.config.User);
  if (user.kind === 'root')
    return {
      check,
      ok: false,
      detail: `the image runs as root (config User ${user.written ? `"${user.written}"` : 'is empty'}).\n  → add a USER with a non-zero uid to the final stage, or set "test": { "nonRoot": false } for an image that must run as root`,
    };
  const seen: string[] = [`config User "${user.written}"`];
  const name = target.containers.next();
  const id = await execDocker(
    target.host,
    dockerRunArgs({
      ref: target.image.ref,
      platform: target.platform,
      name,
      owner: target.containers.owner,
      entrypoint: 'id',
      command: ['-u'],
    }),
    { timeoutMs: DEFAULT_RUN_TIMEOUT_MS },
  );
  if (id.exitCode !== 0) await target.containers.remove(name);
  const uids: number[] = [];
  if (id.exitCode === 0 && /^\d+$/.test(id.stdout.trim())) {
    uids.push(Number(id.stdout.trim()));
    seen.push(`id -u ${id.stdout.trim()}`);
  } else seen.push('no `id` in the image');
  if (runningId) {
    const top = await execDocker(target.host, containerTopArgs(runningId), { timeoutMs: CALL_TIMEOUT_MS });
    const topUids = top.exitCode === 0 ? parseTopUids(top.stdout) : [];
    if (topUids.length) {
      uids.push(...topUids);
      seen.push(`docker top uid ${[...new Set(topUids)].join(',')}`);
    }
  }
  if (user.kind === 'uid') uids.push(user.uid);
  if (uids.includes(0))
    return {
      check,
      ok: false,
      detail: `a process of the container runs as uid 0 (${seen.join('; ')}).\n  → give the final stage a USER with a non-zero uid, or set "test": { "nonRoot": false }`,
    };
  return { check, ok: true, detail: seen.join('; ') };
}

/** Polls the container's health until `healthy`, `unhealthy`, an exit, or the budget runs out. */
export async function checkHealth(
  target: CheckTarget,
  container: { id: string; startedAt: number },
  settings: HealthcheckTest,
): Promise<CheckOutcome> {
  const { id, startedAt: started } = container;
  const check = 'healthcheck';
  const budget = settings.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  if (!declaresHealthcheck(target.image.config))
    return {
      check,
      ok: false,
      detail:
        'the image declares no HEALTHCHECK.\n  → add one to the final stage (HEALTHCHECK CMD ...), or set "test": { "healthcheck": false }',
    };
  // Measured from the container's start: the other checks may have run meanwhile.
  let state: ContainerState | undefined;
  while (Date.now() - started <= budget) {
    state = await containerState(target, id);
    const health = state?.Health?.Status;
    if (health === 'healthy') return { check, ok: true, detail: `healthy ${Date.now() - started} ms after start (budget ${budget} ms)` };
    if (state && !state.Running) {
      const logs = await execDocker(target.host, containerLogsArgs(id), { timeoutMs: CALL_TIMEOUT_MS });
      return {
        check,
        ok: false,
        detail: `the container exited (code ${state.ExitCode}) before it became healthy; its last output:\n${lastLines(`${logs.stdout}\n${logs.stderr}`, 8)}`,
      };
    }
    if (health === 'unhealthy') break;
    await sleep(POLL_MS);
  }
  const log = (state?.Health?.Log ?? [])
    .slice(-3)
    .map((entry) => `  exit ${entry.ExitCode}: ${entry.Output.trim().split('\n').slice(-2).join(' | ')}`);
  return {
    check,
    ok: false,
    detail: `${state?.Health?.Status === 'unhealthy' ? 'unhealthy' : `not healthy within the budget of ${budget} ms (status ${state?.Health?.Status ?? 'unknown'})`} after ${Date.now() - started} ms; the last health checks:\n${log.join('\n') || '  (none ran)'}\n  → fix the service or its HEALTHCHECK, or raise "test.healthcheck.timeoutMs"`,
  };
}

/** Connects to (or GETs) a published port until it answers, within its budget. */
export async function checkPort(target: CheckTarget, id: string, port: PortTest): Promise<CheckOutcome> {
  const check = `port ${port.port}${port.http ? ` (HTTP GET ${port.http})` : ''}`;
  const budget = port.timeoutMs ?? DEFAULT_PORT_TIMEOUT_MS;
  const published = await execDocker(target.host, containerPortArgs(id, port.port), { timeoutMs: CALL_TIMEOUT_MS });
  const address = parsePublishedPort(published.stdout);
  if (!address) return { check, ok: false, detail: `docker did not publish ${port.port}/tcp: ${lastLines(published.stderr, 3)}` };
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started <= budget) {
    const answer = port.http ? await httpStatus(address, port.http) : await tcpConnects(address);
    if (answer.ok && (!port.http || answer.status === (port.status ?? 200)))
      return {
        check,
        ok: true,
        detail: `answered after ${Date.now() - started} ms${port.http ? ` with HTTP ${answer.status}` : ''} (budget ${budget} ms)`,
      };
    last = answer.ok ? `HTTP ${answer.status}, expected ${port.status ?? 200}` : answer.error;
    const state = await containerState(target, id);
    if (state && !state.Running) {
      last = `the container exited (code ${state.ExitCode})`;
      break;
    }
    await sleep(POLL_MS);
  }
  return {
    check,
    ok: false,
    detail: `no good answer within the budget of ${budget} ms (measured ${Date.now() - started} ms; last: ${last}).\n  → check that the service listens on ${port.port} on all interfaces, or raise its "timeoutMs"`,
  };
}

/** Runs a smoke command (`runs` times), checking its exit code, its output and the median wall time. */
export async function checkSmoke(target: CheckTarget, smoke: SmokeTest): Promise<CheckOutcome> {
  const shown = [...(smoke.entrypoint ? [`--entrypoint ${smoke.entrypoint}`] : []), ...smoke.command].join(' ');
  const check = shown ? `smoke \`${shown}\`` : "smoke (the image's own command)";
  const runs = smoke.runs ?? (smoke.maxStartupMs !== undefined ? 5 : 1);
  const expectedExit = smoke.exitCode ?? 0;
  const times: number[] = [];
  let firstLine = '';
  const timeoutMs = smoke.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  for (let run = 0; run < runs; run++) {
    const name = target.containers.next();
    const started = process.hrtime.bigint();
    const result = await execDocker(
      target.host,
      dockerRunArgs({
        ref: target.image.ref,
        platform: target.platform,
        name,
        owner: target.containers.owner,
        command: smoke.command,
        ...(smoke.entrypoint !== undefined ? { entrypoint: smoke.entrypoint } : {}),
      }),
      { timeoutMs },
    );
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    // `--rm` removes a container that ran to its end; not one left `Created` (no such command) or still running
    // after its client was killed on the timeout.
    if (result.exitCode !== 0 || result.timedOut) await target.containers.remove(name);
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.timedOut)
      return {
        check,
        ok: false,
        detail: `no exit within ${timeoutMs} ms; the run was stopped and its container removed.\n  → make the command end, or raise its "timeoutMs"${output.trim() ? `\n${lastLines(output, 8)}` : ''}`,
      };
    if (result.exitCode !== expectedExit)
      return {
        check,
        ok: false,
        detail: `exit code ${result.exitCode}, expected ${expectedExit}:\n${runFailure(target, output)}`,
      };
    if (smoke.output !== undefined) {
      const match = matchesWithin(smoke.output, output);
      if ('timedOut' in match)
        return {
          check,
          ok: false,
          detail: `matching its output against /${smoke.output}/ took over ${OUTPUT_MATCH_LIMIT_MS} ms (a pattern that backtracks without end, such as nested quantifiers); simplify the "output" pattern`,
        };
      if (!match.matched) return { check, ok: false, detail: `its output does not match /${smoke.output}/:\n${lastLines(output, 8)}` };
    }
    if (run === 0) firstLine = output.trim().split('\n')[0].slice(0, 100);
  }
  const middle = median(times);
  const runsShown = times.map((time) => time.toFixed(0)).join(', ');
  if (smoke.maxStartupMs !== undefined && middle > smoke.maxStartupMs)
    return {
      check,
      ok: false,
      detail: `median start-up ${middle.toFixed(0)} ms over ${runs} runs is over its budget of ${smoke.maxStartupMs} ms (runs: ${runsShown} ms).\n  → make start-up cheaper or raise "maxStartupMs"`,
    };
  return {
    check,
    ok: true,
    detail: `exit ${expectedExit}${firstLine ? ` ("${firstLine}")` : ''}${smoke.output ? `, output matches /${smoke.output}/` : ''}; median ${middle.toFixed(0)} ms over ${runs} run${runs === 1 ? '' : 's'}${smoke.maxStartupMs !== undefined ? ` (budget ${smoke.maxStartupMs} ms)` : ''}`,
  };
}

async function containerState(target: CheckTarget, id: string): Promise<ContainerState | undefined> {
  const inspect = await execDocker(target.host, containerStateArgs(id), { timeoutMs: CALL_TIMEOUT_MS });
  if (inspect.exitCode !== 0) return undefined;
  try {
    return JSON.parse(inspect.stdout) as ContainerState;
  } catch {
    return undefined;
  }
}

function tcpConnects(address: { host: string; port: number }): Promise<{ ok: true; status?: number } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port });
    const done = (answer: { ok: true } | { ok: false; error: string }) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done({ ok: false, error: 'connect timed out' }));
    // docker-proxy accepts before the service does: a connection it closes at once is not an answer.
    socket.once('connect', () => setTimeout(() => done(socket.destroyed ? { ok: false, error: 'closed' } : { ok: true }), 100));
    socket.once('close', () => done({ ok: false, error: 'connection closed' }));
    socket.once('error', (error) => done({ ok: false, error: error.message }));
  });
}

async function httpStatus(
  address: { host: string; port: number },
  path: string,
): Promise<{ ok: true; status: number } | { ok: false; error: string }> {
  try {
    const response = await fetch(`http://${address.host}:${address.port}${path}`, {
      signal: AbortSignal.timeout(5_000),
      redirect: 'manual',
    });
    await response.body?.cancel();
    return { ok: true, status: response.status };
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return { ok: false, error: cause?.message ?? (error as Error).message };
  }
}
