import {
  declaresHealthcheck,
  dockerRunArgs,
  isExecFormatError,
  median,
  orphanedTestContainers,
  parseImageUser,
  parsePublishedPort,
  parseTopUids,
} from './container-run';

describe('container-run', () => {
  it('runs the image by reference, never pulling, labelled, with health interval, loopback ports and entrypoint', () => {
    expect(
      dockerRunArgs({
        ref: 'r/acme/app@sha256:abc',
        platform: 'linux/arm64',
        name: 'nx-strata-test-0a1b2c3d-1',
        owner: 'ci-7:4242',
        detach: true,
        healthIntervalMs: 500,
        publish: [8080, 9090],
        entrypoint: 'id',
        command: ['-u'],
      }),
    ).toEqual([
      'run',
      '-d',
      '--pull',
      'never',
      '--platform',
      'linux/arm64',
      '--label',
      'org.nx-strata.test=1',
      '--label',
      'org.nx-strata.test.owner=ci-7:4242',
      '--name',
      'nx-strata-test-0a1b2c3d-1',
      '--health-interval',
      '500ms',
      '-p',
      '127.0.0.1::8080',
      '-p',
      '127.0.0.1::9090',
      '--entrypoint',
      'id',
      'r/acme/app@sha256:abc',
      '-u',
    ]);
    expect(dockerRunArgs({ ref: 'x:strata-1', platform: 'linux/amd64' })).toEqual([
      'run',
      '--rm',
      '--pull',
      'never',
      '--platform',
      'linux/amd64',
      '--label',
      'org.nx-strata.test=1',
      'x:strata-1',
    ]);
  });

  it('finds the test containers left by processes of this machine that are gone, and only those', () => {
    const listed = ['aaa111 ci-7:100', 'bbb222 ci-7:200', 'ccc333 other-host:100', 'ddd444 ', 'eee555 ci-7:notapid', ''].join('\n');
    const gone = new Set([100]);
    expect(orphanedTestContainers(listed, 'ci-7', (pid) => gone.has(pid))).toEqual(['aaa111']);
    // A hostname with a colon in it still splits at the last one.
    expect(orphanedTestContainers('fff666 host:with:colons:100', 'host:with:colons', () => true)).toEqual(['fff666']);
  });

  test.each([
    ['', 'root'],
    ['root', 'root'],
    ['0', 'root'],
    ['0:0', 'root'],
    ['root:staff', 'root'],
    ['1000', 'uid'],
    ['65534:65534', 'uid'],
    ['app', 'name'],
    ['app:app', 'name'],
  ])('reads the config User %j as %s', (user, kind) => {
    expect(parseImageUser(user).kind).toBe(kind);
  });

  it('reads a uid and a name from the config User', () => {
    expect(parseImageUser('1000:1000')).toEqual({ kind: 'uid', uid: 1000, written: '1000:1000' });
    expect(parseImageUser(undefined)).toEqual({ kind: 'root', written: '' });
  });

  it('knows a declared healthcheck from none and from HEALTHCHECK NONE', () => {
    expect(declaresHealthcheck({ Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O- localhost:8080'] } })).toBe(true);
    expect(declaresHealthcheck({ Healthcheck: { Test: ['NONE'] } })).toBe(false);
    expect(declaresHealthcheck({ Healthcheck: null })).toBe(false);
    expect(declaresHealthcheck({})).toBe(false);
  });

  it('reads the uids of docker top, whatever the column order', () => {
    expect(parseTopUids('PID                 UID\n4242                65534\n4250                0\n')).toEqual([65534, 0]);
    expect(parseTopUids('UID PID\n1000 12\n')).toEqual([1000]);
    expect(parseTopUids('')).toEqual([]);
  });

  it('reads the loopback address of a published port, ignoring IPv6 lines', () => {
    expect(parsePublishedPort('[::1]:49154\n127.0.0.1:49153\n')).toEqual({ host: '127.0.0.1', port: 49153 });
    expect(parsePublishedPort('Error: No public port')).toBeUndefined();
  });

  it('recognises an architecture the engine cannot run, and takes medians', () => {
    expect(isExecFormatError('exec /bin/sh: exec format error')).toBe(true);
    expect(isExecFormatError('no such file')).toBe(false);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
  });
});
