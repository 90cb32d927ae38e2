import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import type { ExecOptions, ExecResult } from '../../engines/exec-command';
import { createTempWorkspace, removeTempWorkspace, writeFiles } from '../../test-utils/temp-workspace';
import type { DockerBuildExecutorOptions } from './schema';

/**
 * The executor's decisions with the one child-process seam faked (as Nx tests its own executors): what it runs, what it
 * logs and what record it leaves, for a build, a failed build, a missing parent, a registry hit, a dry run and a docker
 * without buildx. The real engine runs these paths in e2e.
 */
const docker: { calls: string[][]; answer: (args: readonly string[]) => Partial<ExecResult> } = { calls: [], answer: () => ({}) };
jest.mock('../../engines/exec-command', () => {
  const actual = jest.requireActual('../../engines/exec-command');
  return {
    ...actual,
    execCommand: async (file: string, args: readonly string[], _options?: ExecOptions): Promise<ExecResult> => {
      docker.calls.push([file, ...args]);
      return { command: [file, ...args], exitCode: 0, stdout: '', stderr: '', ...docker.answer(args) };
    },
  };
});

// Imported after the mock so the executor sees the fake.
import dockerBuildExecutor from './executor';

const RECORD = 'dist/strata/default/app/linux-amd64.json';
const IN_REGISTRY = `sha256:${createHash('sha256')
  .update(JSON.stringify({ schemaVersion: 2, config: { size: 100 }, layers: [{ size: 120 }, { size: 80 }] }))
  .digest('hex')}`;

describe('docker-build executor decisions', () => {
  let root: string;
  let errors: string[];
  let infos: string[];
  const context = () => ({ root, projectName: 'shop', targetName: 'docker-build--app--linux-amd64' }) as unknown as ExecutorContext;
  const options = (extra: Partial<DockerBuildExecutorOptions> = {}): DockerBuildExecutorOptions => ({
    configFile: 'strata.json',
    image: 'acme/shop',
    variant: 'default',
    explicitVariant: false,
    layer: 'app',
    platform: 'linux/amd64',
    dockerfile: 'Dockerfile',
    context: '.',
    record: RECORD,
    registry: '',
    ...extra,
  });
  /** A buildx that builds: writes the metadata file it is given, as the real one does. */
  const buildxThatBuilds = (args: readonly string[]): Partial<ExecResult> => {
    if (args[0] === 'buildx' && args[1] === 'build') {
      const metadataFile = args[args.indexOf('--metadata-file') + 1];
      writeFileSync(metadataFile, JSON.stringify({ 'containerimage.digest': 'sha256:built' }));
    }
    if (args[0] === 'image' && args[1] === 'inspect') return { stdout: '4096 3\n' };
    return {};
  };

  beforeEach(() => {
    root = createTempWorkspace({ 'strata.json': '{}', Dockerfile: 'FROM scratch\nCOPY app.txt /app.txt\n', 'app.txt': 'v1\n' });
    docker.calls = [];
    errors = [];
    infos = [];
    jest.spyOn(logger, 'error').mockImplementation((line: string) => void errors.push(line));
    jest.spyOn(logger, 'info').mockImplementation((line: string) => void infos.push(line));
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    process.env.STRATA_REGISTRY = '';
    // A developer machine's level, whatever CI variables the test runner has.
    process.env.STRATA_TRUST = 'untrusted';
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env.STRATA_REGISTRY;
    delete process.env.STRATA_TRUST;
    removeTempWorkspace(root);
  });

  it('builds, then writes a record of what it built', async () => {
    docker.answer = buildxThatBuilds;
    expect(await dockerBuildExecutor(options(), context())).toEqual({ success: true });
    const build = docker.calls.find((call) => call[1] === 'buildx' && call[2] === 'build')!;
    expect(build).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', '--load', '--file', 'Dockerfile']));
    const record = JSON.parse(readFileSync(join(root, RECORD), 'utf8'));
    expect(record).toMatchObject({ result: 'built', digest: 'sha256:built', layer: 'app', mode: 'local', sizeBytes: 4096, layerCount: 3 });
    expect(record.inputs).toEqual({ 'app.txt': expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(infos.join('\n')).toMatch(/built layer "app" \(linux\/amd64\) in [\d.]+ s/);
  });

  it('leaves no record when the build fails, and says why with the command', async () => {
    writeFiles(root, { [RECORD]: JSON.stringify({ stale: true }) });
    docker.answer = (args) =>
      args[1] === 'build'
        ? { exitCode: 1, stderr: 'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2\n' }
        : {};
    expect(await dockerBuildExecutor(options(), context())).toEqual({ success: false });
    expect(existsSync(join(root, RECORD))).toBe(false);
    expect(errors.join('\n')).toMatch(
      /layer "app" \(linux\/amd64\): docker buildx build failed \(exit code 1\)\.\n {2}command: docker buildx build/,
    );
  });

  it('refuses to build on a parent whose record is missing, and says how to build the parent', async () => {
    docker.answer = buildxThatBuilds;
    const result = await dockerBuildExecutor(
      options({ parentRecord: 'dist/strata/default/base/linux-amd64.json', parentTarget: 'docker-build--base--linux-amd64' }),
      context(),
    );
    expect(result).toEqual({ success: false });
    expect(errors.join('\n')).toContain("the parent layer's record dist/strata/default/base/linux-amd64.json is missing or unreadable");
    expect(errors.join('\n')).toContain('npx nx run shop:docker-build--base--linux-amd64 --skip-nx-cache');
    expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
  });

  it('builds nothing on a registry hit and records it as one', async () => {
    const registry = await manifestServer();
    try {
      docker.answer = buildxThatBuilds;
      const result = await dockerBuildExecutor(options({ registry: `${registry.host}/team` }), context());
      expect(result).toEqual({ success: true });
      expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
      expect(registry.asked[0]).toMatch(/^GET \/v2\/team\/acme\/shop\/app\/manifests\/strata-[0-9a-f]{16}$/);
      expect(JSON.parse(readFileSync(join(root, RECORD), 'utf8'))).toMatchObject({
        result: 'registry-hit',
        digest: IN_REGISTRY,
        sizeBytes: 300,
        layerCount: 2,
      });
    } finally {
      process.env.STRATA_REGISTRY = '';
      registry.server.close();
    }
  });

  it('takes no hit from a registry that answers with something other than the manifest it names, and records nothing', async () => {
    const registry = await manifestServer({ text: '<html><body>proxy login</body></html>', type: 'text/html' });
    try {
      docker.answer = buildxThatBuilds;
      const result = await dockerBuildExecutor(options({ registry: `${registry.host}/team` }), context());
      expect(result).toEqual({ success: false });
      expect(existsSync(join(root, RECORD))).toBe(false);
      expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
      const message = errors.join('\n');
      expect(message).toMatch(new RegExp(`${registry.host} answered team/acme/shop/app:strata-[0-9a-f]{16} with something it cannot be`));
      expect(message).not.toContain('proxy login');
    } finally {
      process.env.STRATA_REGISTRY = '';
      registry.server.close();
    }
  });

  it('on a trusted run takes no hit from the untrusted namespace, whatever it holds under the same key, and builds', async () => {
    const registry = await manifestServer(undefined, /^\/v2\/team\/untrusted\//);
    try {
      docker.answer = buildxThatBuilds;
      process.env.STRATA_TRUST = 'trusted';
      const result = await dockerBuildExecutor(options({ registry: `${registry.host}/team` }), context());
      expect(result).toEqual({ success: true });
      expect(registry.asked).toEqual([expect.stringMatching(/^GET \/v2\/team\/acme\/shop\/app\/manifests\/strata-/)]);
      const build = docker.calls.find((call) => call[1] === 'buildx' && call[2] === 'build')!;
      expect(build.join(' ')).toMatch(new RegExp(`--tag ${registry.host}/team/acme/shop/app:strata-[0-9a-f]{16} .*--push`));
      expect(JSON.parse(readFileSync(join(root, RECORD), 'utf8'))).toMatchObject({ result: 'built', registry: `${registry.host}/team` });
    } finally {
      process.env.STRATA_REGISTRY = '';
      registry.server.close();
    }
  });

  it('on an untrusted run takes a hit from the trusted namespace and records it there', async () => {
    const registry = await manifestServer(undefined, /^\/v2\/team\/acme\//);
    try {
      docker.answer = buildxThatBuilds;
      const result = await dockerBuildExecutor(options({ registry: `${registry.host}/team` }), context());
      expect(result).toEqual({ success: true });
      expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
      const record = JSON.parse(readFileSync(join(root, RECORD), 'utf8'));
      expect(record).toMatchObject({ result: 'registry-hit', registry: `${registry.host}/team`, digest: IN_REGISTRY });
      expect(record.parentRef).toBe(`${registry.host}/team/acme/shop/app@${IN_REGISTRY}`);
    } finally {
      process.env.STRATA_REGISTRY = '';
      registry.server.close();
    }
  });

  it('on a trusted run refuses a parent whose record puts it in the untrusted namespace (a record from an untrusted cache)', async () => {
    const registry = await manifestServer();
    try {
      process.env.STRATA_TRUST = 'trusted';
      docker.answer = buildxThatBuilds;
      const parentRecord = 'dist/strata/default/base/linux-amd64.json';
      const untrustedRef = `${registry.host}/team/untrusted/acme/shop/base@sha256:${'3'.repeat(64)}`;
      writeFiles(root, {
        [parentRecord]: JSON.stringify({
          schemaVersion: 1,
          key: 'k'.repeat(16),
          parentRef: untrustedRef,
          mode: 'registry',
          registry: `${registry.host}/team`,
          refs: [untrustedRef],
        }),
      });
      const result = await dockerBuildExecutor(
        options({ registry: `${registry.host}/team`, parentRecord, parentTarget: 'docker-build--base--linux-amd64' }),
        context(),
      );
      expect(result).toEqual({ success: false });
      expect(errors.join('\n')).toContain(
        `the parent docker-build--base--linux-amd64 is ${untrustedRef} in the untrusted namespace ${registry.host}/team/untrusted, which this trusted run does not build on`,
      );
      expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
      expect(existsSync(join(root, RECORD))).toBe(false);
    } finally {
      process.env.STRATA_REGISTRY = '';
      registry.server.close();
    }
  });

  it("on a fork's pull request (nowhere to push) builds into the local engine when the trusted namespace will not let it read", async () => {
    const server = createServer(
      (_request, response) => void response.writeHead(401, { 'www-authenticate': 'Basic realm="private"' }).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const warnings: string[] = [];
    jest.spyOn(logger, 'warn').mockImplementation((line: string) => void warnings.push(line));
    try {
      process.env.STRATA_REGISTRY = `${host}/team`;
      process.env.STRATA_UNTRUSTED_REGISTRY = '';
      process.env.DOCKER_CONFIG = root;
      docker.answer = buildxThatBuilds;
      expect(await dockerBuildExecutor(options({ registry: `${host}/team` }), context())).toEqual({ success: true });
      const build = docker.calls.find((call) => call[1] === 'buildx' && call[2] === 'build')!;
      expect(build).toEqual(expect.arrayContaining(['--load', '--tag', expect.stringMatching(/^acme\/shop\/app:strata-[0-9a-f]{16}$/)]));
      expect(warnings.join('\n')).toContain(
        `cannot read ${host}/team (${host} wants a login and docker has none for it), so no registry hit from it; building instead`,
      );
      expect(JSON.parse(readFileSync(join(root, RECORD), 'utf8'))).toMatchObject({ result: 'built', mode: 'local' });
    } finally {
      delete process.env.STRATA_UNTRUSTED_REGISTRY;
      delete process.env.DOCKER_CONFIG;
      process.env.STRATA_REGISTRY = '';
      server.close();
    }
  });

  it('refuses an image whose trusted repositories would lie inside the untrusted namespace', async () => {
    process.env.STRATA_REGISTRY = 'r.example/team';
    try {
      expect(await dockerBuildExecutor(options({ image: 'untrusted/shop' }), context())).toEqual({ success: false });
      expect(errors.join('\n')).toContain(
        'the image untrusted/shop is pushed to r.example/team/untrusted/shop/..., which lies inside the untrusted namespace r.example/team/untrusted, so untrusted runs could write it',
      );
      expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
    } finally {
      process.env.STRATA_REGISTRY = '';
    }
  });

  it('stops before anything when STRATA_TRUST is neither trusted nor untrusted, and says what to set', async () => {
    process.env.STRATA_TRUST = 'yes';
    expect(await dockerBuildExecutor(options(), context())).toEqual({ success: false });
    expect(errors.join('\n')).toContain('layer "app" (linux/amd64): STRATA_TRUST="yes" is neither "trusted" nor "untrusted"');
    expect(docker.calls).toEqual([]);
  });

  it('on a dry run prints the command and writes nothing', async () => {
    docker.answer = buildxThatBuilds;
    expect(await dockerBuildExecutor(options({ dryRun: true }), context())).toEqual({ success: true });
    expect(docker.calls.some((call) => call[2] === 'build')).toBe(false);
    expect(infos.join('\n')).toMatch(/dry run for layer "app" \(linux\/amd64\), key [0-9a-f]{16}; would run:\ndocker buildx build/);
    expect(existsSync(join(root, RECORD))).toBe(false);
  });

  it('says what to install when docker has no buildx plugin', async () => {
    docker.answer = (args) =>
      args[0] === 'buildx' && args[1] === 'version' ? { exitCode: 1, stderr: "docker: 'buildx' is not a docker command." } : {};
    expect(await dockerBuildExecutor(options(), context())).toEqual({ success: false });
    expect(errors.join('\n')).toContain('nx-strata needs the docker buildx plugin');
    expect(errors.join('\n')).toContain('docker-buildx-plugin');
  });

  /**
   * A registry that has every content tag: answers manifests with a two-layer image of 300 bytes, or (a misbehaving
   * proxy) with `body` under a made-up digest.
   */
  async function manifestServer(
    body?: { text: string; type: string },
    holds: RegExp = /./,
  ): Promise<{ server: Server; host: string; asked: string[] }> {
    const asked: string[] = [];
    const manifest = JSON.stringify({ schemaVersion: 2, config: { size: 100 }, layers: [{ size: 120 }, { size: 80 }] });
    const server = createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      if (!holds.test(request.url ?? '')) return void response.writeHead(404).end();
      response.writeHead(200, {
        'docker-content-digest': body ? `sha256:${'2'.repeat(64)}` : IN_REGISTRY,
        'content-type': body?.type ?? 'application/vnd.oci.image.manifest.v1+json',
      });
      response.end(request.method === 'HEAD' ? undefined : (body?.text ?? manifest));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.STRATA_REGISTRY = `${host}/team`;
    return { server, host, asked };
  }
});
