import { describeDockerHost, dockerClientEnv, dockerHostKey, dockerInvocation, execDocker, formatDockerCommand } from './docker-host';

describe('dockerInvocation', () => {
  const inspect = ['image', 'inspect', 'acme/app:strata-1'];

  it('leaves a command for the default engine as it is', () => {
    expect(dockerInvocation(undefined, inspect)).toEqual({ args: inspect, env: {} });
    expect(dockerInvocation({}, inspect)).toEqual({ args: inspect, env: {} });
  });

  it('sends every command to a docker context with the global --context flag', () => {
    expect(dockerInvocation({ context: 'arm64-host' }, inspect).args).toEqual(['--context', 'arm64-host', ...inspect]);
    expect(dockerInvocation({ context: 'arm64-host' }, ['buildx', 'build', '.']).args).toEqual([
      '--context',
      'arm64-host',
      'buildx',
      'build',
      '.',
    ]);
  });

  it('sends every command to a daemon address through DOCKER_HOST, dropping a DOCKER_CONTEXT that would win', () => {
    expect(dockerInvocation({ host: 'unix:///run/b.sock' }, inspect)).toEqual({
      args: inspect,
      env: { DOCKER_HOST: 'unix:///run/b.sock', DOCKER_CONTEXT: undefined },
    });
  });

  it('leaves a buildx builder to buildx build (its own --builder flag): other commands go to the default engine', () => {
    expect(dockerInvocation({ builder: 'remote-arm64' }, inspect)).toEqual({ args: inspect, env: {} });
  });
});

describe('formatDockerCommand', () => {
  it('reads as a user would type it', () => {
    expect(formatDockerCommand({ context: 'b' }, ['buildx', 'build', '--tag', 'a b', '.'])).toBe(
      "docker --context b buildx build --tag 'a b' .",
    );
    expect(formatDockerCommand({ host: 'ssh://ci@arm' }, ['info'])).toBe('DOCKER_HOST=ssh://ci@arm docker info');
  });
});

describe('describeDockerHost and dockerHostKey', () => {
  it('name each kind of host differently', () => {
    const hosts = [undefined, { builder: 'x' }, { context: 'x' }, { host: 'unix:///x' }];
    expect(hosts.map(describeDockerHost)).toEqual([
      'the local Docker engine',
      'buildx builder "x"',
      'docker context "x"',
      'the engine at unix:///x',
    ]);
    expect(new Set(hosts.map(dockerHostKey)).size).toBe(4);
  });
});

describe('execDocker', () => {
  it('really reaches the daemon named by DOCKER_HOST (an address nothing listens on fails with that address)', async () => {
    const result = await execDocker({ host: 'unix:///nonexistent/strata-test.sock' }, ['version', '--format', '{{.Server.Version}}'], {
      timeoutMs: 20_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('/nonexistent/strata-test.sock');
  });
});

describe('dockerClientEnv', () => {
  it("sends another program's docker client to the task's host, and only there", () => {
    expect(dockerClientEnv({ context: 'arm64-host' })).toEqual({ DOCKER_CONTEXT: 'arm64-host', DOCKER_HOST: undefined });
    expect(dockerClientEnv({ host: 'unix:///run/b.sock' })).toEqual({ DOCKER_HOST: 'unix:///run/b.sock', DOCKER_CONTEXT: undefined });
    expect(dockerClientEnv({ builder: 'remote' })).toEqual({});
    expect(dockerClientEnv(undefined)).toEqual({});
  });
});
