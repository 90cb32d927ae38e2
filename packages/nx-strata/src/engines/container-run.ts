/**
 * Argv and answers of the docker commands that run an image under test (`docker-test`): pure functions, run through
 * `execDocker` with the build host of the layer's platform.
 */

/** Every container nx-strata starts carries this label, so a leftover can be found and removed. */
export const TEST_CONTAINER_LABEL = 'org.nx-strata.test=1';
/** The process that started the container, `<hostname>:<pid>`: a later run removes those whose process is gone. */
export const TEST_OWNER_LABEL = 'org.nx-strata.test.owner';

export interface ContainerRun {
  ref: string;
  platform: string;
  /** `--name`: known before the container exists, so it can be removed whatever becomes of `docker run`. */
  name?: string;
  /** `--label org.nx-strata.test.owner=<owner>`. */
  owner?: string;
  /** Start in the background (`-d`) and keep the container for inspection; else `--rm`, run to the end. */
  detach?: boolean;
  entrypoint?: string;
  command?: string[];
  /** `--health-interval`: the image's own interval is often 30 s (Docker 20.10 has no `--start-interval`). */
  healthIntervalMs?: number;
  /** Container ports published on the engine host's loopback, each on a free port (`-p 127.0.0.1::<port>`). */
  publish?: number[];
}

/** `docker run ...` for one container of the image under test; never pulls (the image was pulled by digest). */
export function dockerRunArgs(run: ContainerRun): string[] {
  return [
    'run',
    run.detach ? '-d' : '--rm',
    '--pull',
    'never',
    '--platform',
    run.platform,
    '--label',
    TEST_CONTAINER_LABEL,
    ...(run.owner !== undefined ? ['--label', `${TEST_OWNER_LABEL}=${run.owner}`] : []),
    ...(run.name !== undefined ? ['--name', run.name] : []),
    ...(run.healthIntervalMs !== undefined ? ['--health-interval', `${run.healthIntervalMs}ms`] : []),
    ...(run.publish ?? []).flatMap((port) => ['-p', `127.0.0.1::${port}`]),
    ...(run.entrypoint !== undefined ? ['--entrypoint', run.entrypoint] : []),
    run.ref,
    ...(run.command ?? []),
  ];
}

/** `docker pull --platform <p> <ref>`: a digest reference pulls exactly what was built. */
export function dockerPullArgs(ref: string, platform: string): string[] {
  return ['pull', '--platform', platform, ref];
}

/** The image config as JSON (User, Healthcheck, ExposedPorts...). */
export function imageConfigArgs(ref: string): string[] {
  return ['image', 'inspect', '--format', '{{json .Config}}', ref];
}

export function containerStateArgs(id: string): string[] {
  return ['container', 'inspect', '--format', '{{json .State}}', id];
}

/** `docker top` needs a PID column in what ps prints; the UID column is the process user as the host sees it. */
export function containerTopArgs(id: string): string[] {
  return ['top', id, '-o', 'pid,uid'];
}

export function containerPortArgs(id: string, port: number): string[] {
  return ['port', id, `${port}/tcp`];
}

/** Removes containers (running, stopped or only created) with their anonymous volumes. */
export function removeContainersArgs(idsOrNames: readonly string[]): string[] {
  return ['rm', '--force', '--volumes', ...idsOrNames];
}

/** Every test container on the engine with its owner: lines of `<id> <owner>` (owner empty for older ones). */
export function testContainersArgs(): string[] {
  return ['ps', '--all', '--filter', `label=${TEST_CONTAINER_LABEL}`, '--format', `{{.ID}} {{.Label "${TEST_OWNER_LABEL}"}}`];
}

/** The ids `testContainersArgs` lists whose owner is on `hostname` and for which `isGone(pid)` says the process is gone. */
export function orphanedTestContainers(output: string, hostname: string, isGone: (pid: number) => boolean): string[] {
  const orphans: string[] = [];
  for (const line of output.split('\n')) {
    const [id, owner] = line.trim().split(/\s+/);
    const match = /^(.+):(\d+)$/.exec(owner ?? '');
    if (id && match && match[1] === hostname && isGone(Number(match[2]))) orphans.push(id);
  }
  return orphans;
}

export function containerLogsArgs(id: string): string[] {
  return ['logs', '--tail', '20', id];
}

/** What the image config's `User` says: root (empty, `root`, `0`, with any group), a uid, or a user name. */
export type ImageUser =
  { kind: 'root'; written: string } | { kind: 'uid'; uid: number; written: string } | { kind: 'name'; name: string; written: string };

export function parseImageUser(user: string | undefined): ImageUser {
  const written = user ?? '';
  const name = written.split(':')[0].trim();
  if (name === '' || name === 'root' || name === '0') return { kind: 'root', written };
  if (/^\d+$/.test(name)) return { kind: 'uid', uid: Number(name), written };
  return { kind: 'name', name, written };
}

export interface ImageConfig {
  User?: string;
  Healthcheck?: { Test?: string[] } | null;
  ExposedPorts?: Record<string, unknown> | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
}

/** Whether the config declares a HEALTHCHECK (not `HEALTHCHECK NONE`). */
export function declaresHealthcheck(config: ImageConfig): boolean {
  const test = config.Healthcheck?.Test;
  return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  Health?: { Status: string; Log?: Array<{ ExitCode: number; Output: string }> } | null;
}

/** The uids `docker top` lists for the container's processes (header skipped), or [] when it printed none. */
export function parseTopUids(output: string): number[] {
  const [header, ...rows] = output.trim().split('\n');
  const columns = (header ?? '').trim().split(/\s+/);
  const column = columns.findIndex((name) => name.toUpperCase() === 'UID');
  if (column < 0) return [];
  return rows
    .map((row) => row.trim().split(/\s+/)[column])
    .filter((value) => /^\d+$/.test(value ?? ''))
    .map(Number);
}

/** The loopback address `docker port` gives for a published port (`127.0.0.1:49153`), if any. */
export function parsePublishedPort(output: string): { host: string; port: number } | undefined {
  for (const line of output.split('\n')) {
    const match = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(line.trim());
    if (match) return { host: match[1], port: Number(match[2]) };
  }
  return undefined;
}

/** A run that failed because the engine cannot execute the image's architecture (no QEMU registered). */
export function isExecFormatError(output: string): boolean {
  return /exec format error/i.test(output);
}

/** The median of measured times (the upper one for an even count), in the unit given. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
