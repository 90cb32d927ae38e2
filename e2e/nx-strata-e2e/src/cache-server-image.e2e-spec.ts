import { freePort } from './support/free-port';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './support/paths';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
function buildNodeBase(tag: string): void {
  const work = mkdtempSync(join(tmpdir(), 'nx-strata-node-base-'));
  const rootfs = join(work, 'rootfs');
  const files = [process.execPath, ...execFileSync('ldd', [process.execPath], { encoding: 'utf8' }).match(/\/[^\s)]+/g)!];
  for (const file of files) {
    mkdirSync(join(rootfs, dirname(file)), { recursive: true });
    cpSync(file, join(rootfs, file), { dereference: true });
  }
  mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
  if (process.execPath !== '/usr/local/bin/node') cpSync(process.execPath, join(rootfs, 'usr/local/bin/node'));
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
  writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\nADD rootfs.tar /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n');
  execFileSync('docker', ['buildx', 'build', '-q', '--platform', 'linux/amd64', '--provenance=false', '--load', '-t', tag, work], {
    stdio: 'pipe',
  });
  rmSync(work, { recursive: true, force: true });
}

describe('the cache-server container image', () => {
  const suffix = `${process.pid}`;
  const base = `strata-e2e/node-base:${suffix}`;
  const image = `strata-e2e/cache-server:${suffix}`;
  const context = join(REPO_ROOT, 'tmp', `cache-server-image-${suffix}`);
  let container = '';

  beforeAll(() => {
    buildNodeBase(base);
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools/cache-server-image/stage.mjs'), context], { stdio: 'pipe' });
    execFileSync(
      'docker',
      ['buildx', 'build', '-q', '--provenance=false', '--load', '--build-arg', `NODE_IMAGE=${base}`, '-t', image, context],
      { stdio: 'pipe' },
    );
  });
  afterAll(() => {
    if (container) execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', '-f', image, base], { stdio: 'ignore' });
    rmSync(context, { recursive: true, force: true });
  });

  test('runs as a non-root user with a health check, and serves the cache protocol', async () => {
    const config = JSON.parse(docker('image', 'inspect', '--format', '{{json .Config}}', image));
    expect(config.User).toBe('10001:10001');
    expect(config.Healthcheck.Test.join(' ')).toContain('http://127.0.0.1:3535/health');
    expect(config.ExposedPorts).toEqual({ '3535/tcp': {} });

    const port = await freePort();
    container = docker(
      'run',
      '-d',
      '-p',
      `127.0.0.1:${port}:3535`,
      '-e',
      'STRATA_CACHE_WRITE_TOKENS=w1',
      '-e',
      'STRATA_CACHE_READ_TOKENS=r1',
      '--health-interval=1s',
      '--health-start-period=1s',
      image,
    );
    let health = '';
    for (let i = 0; i < 60 && health !== 'healthy'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      health = docker('inspect', '--format', '{{.State.Health.Status}}', container);
    }
    expect(health).toBe('healthy');
    expect(docker('exec', container, 'node', '-p', 'process.getuid()')).toBe('10001');

    const url = `http://127.0.0.1:${port}/v1/cache/4242`;
    expect((await fetch(url, { method: 'PUT', headers: { Authorization: 'Bearer w1' }, body: 'artifact from a container' })).status).toBe(
      200,
    );
    const got = await fetch(url, { headers: { Authorization: 'Bearer r1' } });
    expect(await got.text()).toBe('artifact from a container');
    expect((await fetch(url, { method: 'PUT', headers: { Authorization: 'Bearer r1' }, body: 'x' })).status).toBe(403);
    expect(docker('logs', container)).toContain('nx-strata cache server on http://0.0.0.0:3535 (storage file:///var/cache/nx-strata');
  });
});
