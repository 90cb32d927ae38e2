import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess, runInImage } from './support/e2e-workspace';
import { rawManifest, platformOf } from './support/oci-manifest';
import { FIXTURES, VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * What only a current engine does (Docker 26.1 with the containerd image store, the `docker` driver): provenance
 * attestations chained and published, registry cache exports, and the Dockerfile syntax the old engine's built-in
 * frontend refuses, each with the exact inputs, checked against the engine itself.
 */
if (process.env.STRATA_E2E_ENGINE !== 'containerd')
  throw new Error('the containerd-engine suite runs on the containerd engine only: STRATA_E2E_ENGINE=containerd (tools/test.sh does)');

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

describe('containerd engine: provenance chained and published', () => {
  let registry: TestRegistry;
  let target: TestRegistry;
  let mirror: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [registry, target, mirror] = await Promise.all([TestRegistry.start(), TestRegistry.start(), TestRegistry.start()]);
    env = { STRATA_REGISTRY: `${registry.host}/prov`, STRATA_VERSION: '2.0.0' };
    workspace = E2EWorkspace.create(VISION_EXAMPLE, {
      nxJson: {
        plugins: [{ plugin: 'nx-strata', options: {} }],
        targetDefaults: { 'nx-strata:docker-build': { options: { provenance: 'min' } } },
      },
    });
    const config = JSON.parse(workspace.read('strata.json'));
    config.publish = {
      registries: [`${target.host}/acme`, `${mirror.host}/mirror`],
      tags: ['{version}-{variant}'],
      annotations: {
        'org.opencontainers.image.description': 'Vision inference, layered',
        'org.opencontainers.image.licenses': 'Apache-2.0',
      },
    };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    workspace.commitAll('provenance on, publish to two more registries');
  });
  afterAll(async () => {
    workspace?.remove();
    await Promise.all([registry, target, mirror].map((r) => r?.destroy()));
  });

  test('every layer is pushed as an index with its provenance, and children build FROM the parent index by digest', async () => {
    expect(workspace.buildAll(env)).toHaveLength(9);
    for (const record of workspace.records()) {
      expect(record.attestations).toEqual(['provenance:min']);
      expect(await registry.mediaType(`prov/acme/vision/${record.layer}`, `strata-${record.key}`)).toBe(OCI_INDEX);
      const index = rawManifest(record.parentRef);
      expect(index.mediaType).toBe(OCI_INDEX);
      // One image for the layer's own platform, one attestation manifest that points at it.
      const image = index.manifests!.find((entry) => platformOf(entry) === record.platform);
      const attestation = index.manifests!.find((entry) => platformOf(entry) === 'unknown/unknown');
      expect(image).toBeDefined();
      expect(attestation?.annotations?.['vnd.docker.reference.digest']).toBe(image!.digest);
    }
    const app = workspace.record('cpu', 'app', 'linux-arm64')!;
    const ml = workspace.record('cpu', 'ml', 'linux-arm64')!;
    expect(app.parent?.ref).toBe(ml.parentRef);
    // The app image names its base, the ml layer, by content tag and digest (what rebase tools and update bots read).
    const appImage = rawManifest(app.parentRef).manifests!.find((entry) => platformOf(entry) === 'linux/arm64')!;
    const { annotations } = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/prov/acme/vision/app@${appImage.digest}`],
        {
          encoding: 'utf8',
        },
      ),
    ) as { annotations?: Record<string, string> };
    expect(annotations).toEqual({
      'org.opencontainers.image.base.name': `${registry.host}/prov/acme/vision/ml:strata-${ml.key}`,
      'org.opencontainers.image.base.digest': ml.digest,
    });
    // A root layer names the external image its Dockerfile starts from (by tag: the FROM line pins no digest).
    const base = workspace.record('cpu', 'base', 'linux-arm64')!;
    const baseImage = rawManifest(base.parentRef).manifests!.find((entry) => platformOf(entry) === 'linux/arm64')!;
    expect(rawManifest(`${registry.host}/prov/acme/vision/base@${baseImage.digest}`).annotations).toEqual({
      'org.opencontainers.image.base.name': 'strata-fixtures/busybox:arm64',
    });
    expect(ml.parentRef).toBe(`${registry.host}/prov/acme/vision/ml@${ml.digest}`);
    expect(runInImage(app.parentRef, 'linux/arm64', ['-m'], 'uname')).toBe('aarch64');
  });

  test('docker-publish assembles one manifest list from the indexes, keeping both platforms and their attestations', () => {
    const started = Date.now();
    expectSuccess(workspace.nx(['run', 'vision:docker-publish--cpu'], env));
    expect(workspace.builtSince(started)).toEqual([]);
    const published = rawManifest(`${target.host}/acme/acme/vision:2.0.0-cpu`);
    const images = published.manifests!.filter((entry) => platformOf(entry) !== 'unknown/unknown');
    const attestations = published.manifests!.filter((entry) => platformOf(entry) === 'unknown/unknown');
    expect(images.map(platformOf).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(attestations.map((entry) => entry.annotations?.['vnd.docker.reference.digest']).sort()).toEqual(
      images.map((entry) => entry.digest).sort(),
    );
    // Every registry holds the same index, annotated, with the provenance of each platform (as imagetools reads it).
    const revision = workspace.git('rev-parse', 'HEAD').trim();
    const mirrored = rawManifest(`${mirror.host}/mirror/acme/vision:2.0.0-cpu`);
    expect(mirrored).toEqual(published);
    for (const ref of [`${target.host}/acme/acme/vision:2.0.0-cpu`, `${mirror.host}/mirror/acme/vision:2.0.0-cpu`]) {
      const { annotations } = rawManifest(ref) as { annotations?: Record<string, string> };
      expect(annotations).toMatchObject({
        'org.opencontainers.image.description': 'Vision inference, layered',
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'org.opencontainers.image.revision': revision,
        'org.opencontainers.image.title': 'vision',
        'org.opencontainers.image.version': '2.0.0',
      });
      expect(Date.parse(annotations!['org.opencontainers.image.created'])).toBeGreaterThan(started - 60_000);
      const provenance = JSON.parse(
        execFileSync('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Provenance}}'], { encoding: 'utf8' }),
      ) as Record<string, { SLSA?: unknown }>;
      expect({ ref, platforms: Object.keys(provenance).sort() }).toEqual({ ref, platforms: ['linux/amd64', 'linux/arm64'] });
      for (const platform of ['linux/amd64', 'linux/arm64']) expect(provenance[platform]?.SLSA).toBeDefined();
    }
    // The published images are the very manifests the layer indexes hold: nothing was rebuilt or re-encoded.
    for (const platform of ['linux-amd64', 'linux-arm64']) {
      const layerIndex = rawManifest(workspace.record('cpu', 'app', platform)!.parentRef);
      const own = layerIndex.manifests!.find((entry) => platformOf(entry) === platform.replace('-', '/'))!;
      expect(images.map((entry) => entry.digest)).toContain(own.digest);
    }
  });
});

describe('containerd engine: registry cache (cache-to/cache-from type=registry, mode=max)', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  let cacheRef: string;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    // {registry}: the namespace this run writes (a trusted run: the trusted one), so no one else's cache is read.
    cacheRef = `{registry}/cache/vision-ml:cpu-amd64`;
    env = { STRATA_REGISTRY: `${registry.host}/rc` };
    workspace = E2EWorkspace.create(VISION_EXAMPLE, {
      nxJson: {
        plugins: [{ plugin: 'nx-strata', options: {} }],
        targetDefaults: {
          'nx-strata:docker-build': {
            options: { cacheFrom: [`type=registry,ref=${cacheRef}`], cacheTo: [`type=registry,ref=${cacheRef},mode=max`] },
          },
        },
      },
    });
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('the build exports its cache to the registry; with the engine cache dropped, a rebuild reuses it and gives the same image', async () => {
    const ml = 'vision:docker-build--cpu--ml--linux-amd64';
    expectSuccess(workspace.nx(['run', ml], env));
    const first = workspace.record('cpu', 'ml', 'linux-amd64')!;
    expect(await registry.tags('rc/cache/vision-ml')).toEqual(['cpu-amd64']);

    // A fresh runner: no BuildKit cache, no images of this registry in the engine.
    execFileSync('docker', ['buildx', 'prune', '--all', '--force'], { stdio: 'ignore' });
    const started = Date.now();
    const rebuild = workspace.nx(['run', ml, '--skip-nx-cache', '--registryCache=false', '--excludeTaskDependencies'], env);
    expectSuccess(rebuild);
    expect(workspace.builtSince(started)).toEqual(['cpu/ml/linux/amd64']);
    expect(rebuild.output).toMatch(/importing cache manifest from .*cache\/vision-ml:cpu-amd64/);
    expect(rebuild.output).toMatch(/#\d+ CACHED/);
    expect(workspace.record('cpu', 'ml', 'linux-amd64')!.digest).toBe(first.digest);
  });
});

/** Serves one directory on a loopback port from a child process (the test process blocks while nx runs). */
class StaticServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(dir: string): Promise<StaticServer> {
    const script = `const http=require('http'),fs=require('fs'),path=require('path');
const s=http.createServer((q,r)=>{fs.readFile(path.join(${JSON.stringify(dir)},path.basename(q.url)),(e,b)=>{if(e){r.writeHead(404);r.end();return}r.writeHead(200,{'content-type':'text/plain'});r.end(b)})});
s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.once('data', (chunk) => resolve(new StaticServer(child, Number(String(chunk).trim()))));
    });
  }

  stop(): void {
    this.child.kill();
  }
}

describe('containerd engine: heredocs, COPY --link/--chmod, ADD --checksum, cache and secret mounts', () => {
  let registry: TestRegistry;
  let server: StaticServer;
  let served: string;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const target = 'modern:docker-build--app--linux-amd64';
  const candidates = ['app/main.txt', 'tools/run.sh', 'bound.txt', 'notes.txt', 'token.txt'];

  beforeAll(async () => {
    registry = await TestRegistry.start();
    served = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-served-'));
    writeFileSync(join(served, 'asset.txt'), 'an asset fetched by ADD --checksum\n');
    server = await StaticServer.start(served);
    const checksum = createHash('sha256').update('an asset fetched by ADD --checksum\n').digest('hex');
    env = { STRATA_REGISTRY: `${registry.host}/modern` };
    workspace = E2EWorkspace.create(join(FIXTURES, 'containerd-features'));
    workspace.write(
      'Dockerfile',
      [
        'FROM strata-fixtures/busybox:amd64',
        'COPY <<GREETING /etc/greeting',
        'hello from a heredoc',
        'GREETING',
        'RUN <<SCRIPT',
        'set -e',
        'echo built > /built',
        'SCRIPT',
        'COPY --link app/ /app/',
        'COPY --chmod=0755 tools/run.sh /usr/local/bin/run',
        `ADD --checksum=sha256:${checksum} http://127.0.0.1:${server.port}/asset.txt /asset.txt`,
        'RUN --mount=type=cache,target=/var/cache/strata --mount=type=secret,id=token test -s /run/secrets/token && date > /var/cache/strata/stamp && echo ok > /ok',
        'RUN --mount=type=bind,source=bound.txt,target=/b cat /b > /bound-copy',
        '',
      ].join('\n'),
    );
    workspace.commitAll('a Dockerfile in the syntax of current engines');
  });
  afterAll(async () => {
    server?.stop();
    rmSync(served, { recursive: true, force: true });
    workspace?.remove();
    await registry?.destroy();
  });

  test('builds through nx-strata, and the image has what each instruction made', () => {
    expectSuccess(workspace.nx(['run', target], env));
    const ref = workspace.record('default', 'app', 'linux-amd64')!.parentRef;
    expect(runInImage(ref, 'linux/amd64', ['cat', '/etc/greeting', '/built', '/app/main.txt', '/asset.txt', '/ok', '/bound-copy'])).toBe(
      'hello from a heredoc\nbuilt\napp v1\nan asset fetched by ADD --checksum\nok\nbound v1',
    );
    expect(runInImage(ref, 'linux/amd64', ['ls', '-l', '/usr/local/bin/run'])).toMatch(/^-rwxr-xr-x /);
  });

  test('inputs are exact: a heredoc reads no file, a cache or secret mount is no input, --link changes nothing', () => {
    const run = workspace.cli(['inspect', '--json']);
    expect(run.exitCode).toBe(0);
    const [layer] = JSON.parse(run.output) as Array<{ inputs: string[] }>;
    expect(layer.inputs).toEqual(['app/main.txt', 'bound.txt', 'tools/run.sh']);
  });

  test('the engine agrees: a file changes the built image exactly when nx-strata lists it as an input', () => {
    // Docker's own answer: build with plain buildx, mutate one file, rebuild, compare the image's layers.
    const layersOfBuild = () => {
      execFileSync(
        'docker',
        [
          'buildx',
          'build',
          '-q',
          '--platform',
          'linux/amd64',
          '--secret',
          'id=token,src=token.txt',
          '--load',
          '-t',
          'strata-e2e/modern:probe',
          '.',
        ],
        { cwd: workspace.root, stdio: 'ignore' },
      );
      return execFileSync('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'strata-e2e/modern:probe'], {
        encoding: 'utf8',
      }).trim();
    };
    const inputs = (JSON.parse(workspace.cli(['inspect', '--json']).output) as Array<{ inputs: string[] }>)[0].inputs;
    const engineSays: Record<string, boolean> = {};
    let before = layersOfBuild();
    expect(layersOfBuild()).toBe(before); // an unchanged rebuild gives the same layers
    for (const file of candidates) {
      workspace.append(file, `changed ${file}\n`);
      const after = layersOfBuild();
      engineSays[file] = after !== before;
      before = after;
    }
    expect(engineSays).toEqual(Object.fromEntries(candidates.map((file) => [file, inputs.includes(file)])));
    execFileSync('docker', ['rmi', '--force', 'strata-e2e/modern:probe'], { stdio: 'ignore' });
  });

  test('and through Nx: a secret or an unread file changes nothing; a bind-mounted file rebuilds the layer', () => {
    workspace.commitAll('the engine check changed every candidate');
    expectSuccess(workspace.nx(['run', target], env));
    let started = Date.now();
    workspace.append('token.txt', 'rotated\n');
    workspace.append('notes.txt', 'more notes\n');
    expectSuccess(workspace.nx(['run', target], env));
    expect(workspace.builtSince(started)).toEqual([]);
    started = Date.now();
    workspace.append('bound.txt', 'bound v2\n');
    expectSuccess(workspace.nx(['run', target], env));
    expect(workspace.builtSince(started)).toEqual(['default/app/linux/amd64']);
  });
});
