import { execCommand, formatCommand, startDetached, type ExecOptions, type ExecResult } from './exec-command';

/**
 * Where one task's docker commands go (the plugin's `builders`, per platform):
 * - `builder`: a buildx builder (`--builder`, passed by `buildxBuildArgs`), e.g. a docker-container or remote builder;
 *   commands other than `buildx build` go to the default engine;
 * - `context`: a docker context (`docker --context <name> ...`), e.g. a second engine reached over ssh or a socket;
 *   the `docker` driver's engines are reached this way (buildx 0.13 refuses `--builder <context>`);
 * - `host`: a daemon address (`DOCKER_HOST=unix:///...`, `tcp://...`, `ssh://...`).
 * Every docker call of a task (build, imagetools, inspect, run) goes through `execDocker` with the task's host, so a
 * layer built on the second engine is inspected, loaded and tested there too.
 */
export interface DockerHost {
  builder?: string;
  context?: string;
  host?: string;
}

export const DEFAULT_DOCKER_HOST: DockerHost = {};

/** The global flags and environment that send a docker command to `host`. Pure. */
export function dockerInvocation(host: DockerHost | undefined, args: readonly string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  if (host?.context) return { args: ['--context', host.context, ...args], env: {} };
  if (host?.host) return { args: [...args], env: { DOCKER_HOST: host.host, DOCKER_CONTEXT: undefined } };
  // A builder is a flag of `buildx build` itself (buildxBuildArgs passes it); every other call goes to the default engine.
  return { args: [...args], env: {} };
}

/**
 * The environment that sends another program's docker client (a scanner that reads the image from the engine) to
 * `host`: `DOCKER_CONTEXT` or `DOCKER_HOST`. Pure.
 */
export function dockerClientEnv(host: DockerHost | undefined): NodeJS.ProcessEnv {
  if (host?.context) return { DOCKER_CONTEXT: host.context, DOCKER_HOST: undefined };
  if (host?.host) return { DOCKER_HOST: host.host, DOCKER_CONTEXT: undefined };
  return {};
}

/** Runs `docker <args>` against `host`. Never throws for a non-zero exit (see execCommand). */
export function execDocker(host: DockerHost | undefined, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const invocation = dockerInvocation(host, args);
  return execCommand('docker', invocation.args, { ...options, env: { ...options.env, ...invocation.env } });
}

/** Starts `docker <args>` against `host` so that it outlives this process (see startDetached): for cleanup on a signal. */
export function startDockerDetached(host: DockerHost | undefined, args: readonly string[]): void {
  const invocation = dockerInvocation(host, args);
  startDetached('docker', invocation.args, { env: invocation.env });
}

/** The command as a user would type it: `docker --context b buildx build ...` or `DOCKER_HOST=... docker ...`. */
export function formatDockerCommand(host: DockerHost | undefined, args: readonly string[]): string {
  const invocation = dockerInvocation(host, args);
  return `${host?.host ? `DOCKER_HOST=${formatCommand([host.host])} ` : ''}docker ${formatCommand(invocation.args)}`;
}

/** How messages name a host: `docker context "arm64-host"`, `the engine at unix:///run/b.sock`, `buildx builder "arm64-native"`, `the local Docker engine`. */
export function describeDockerHost(host: DockerHost | undefined): string {
  if (host?.context) return `docker context "${host.context}"`;
  if (host?.host) return `the engine at ${host.host}`;
  if (host?.builder) return `buildx builder "${host.builder}"`;
  return 'the local Docker engine';
}

/** A stable key for per-host memos. */
export function dockerHostKey(host: DockerHost | undefined): string {
  return host?.context
    ? `context:${host.context}`
    : host?.host
      ? `host:${host.host}`
      : host?.builder
        ? `builder:${host.builder}`
        : 'default';
}
