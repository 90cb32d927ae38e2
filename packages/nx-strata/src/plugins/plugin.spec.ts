import { AggregateCreateNodesError, type CreateNodesContext, type CreateNodesResult } from 'nx/src/devkit-exports';
import { createTempWorkspace, removeTempWorkspace, VISION_LAYOUT } from '../test-utils/temp-workspace';
import { createNodes } from './plugin';

async function inferProject(root: string, options = {}) {
  const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
  const results = await createNodes[1](['strata.json'], options, context);
  const [[file, result]] = results as Array<[string, CreateNodesResult]>;
  expect(file).toBe('strata.json');
  return result.projects!['.'];
}

describe('createNodes', () => {
  let root: string;
  afterEach(() => root && removeTempWorkspace(root));

  it('claims strata.json files only', () => {
    expect(createNodes[0]).toBe('**/strata.json');
  });

  it('called the way Nx 19 calls plugins (one file, a string): one sentence with the Nx found and what to do, no stack trace', async () => {
    root = createTempWorkspace({ 'node_modules/nx/package.json': JSON.stringify({ name: 'nx', version: '19.8.4' }) });
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const call = Promise.resolve(createNodes[1]('strata.json' as unknown as string[], {}, context));
    await expect(call).rejects.toThrow(
      "nx-strata supports Nx 21 to 24, and this workspace has Nx 19.8.4: upgrade Nx first (`npx nx migrate 21`, or `npx nx migrate latest`), or remove nx-strata from nx.json's plugins",
    );
    await call.catch((error: Error) => expect(error.stack).toBe(error.message));
    // Nx 19.8 reads createNodesV2 and calls it the new way: refused all the same, with the same sentence.
    await expect(Promise.resolve(createNodes[1](['strata.json'], {}, context))).rejects.toThrow('this workspace has Nx 19.8.4');
  });

  it('infers a layer target with exact inputs covering its ancestors, record output and parent dependency', async () => {
    root = createTempWorkspace(VISION_LAYOUT);
    const project = await inferProject(root, { registry: 'localhost:5000/acme' });
    expect(project.name).toBe('vision');
    expect(project.targets!['docker-build--cpu--app--linux-arm64']).toEqual({
      executor: 'nx-strata:docker-build',
      cache: true,
      inputs: [
        '{workspaceRoot}/strata.json',
        '{workspaceRoot}/docker/app/Dockerfile',
        '{workspaceRoot}/.dockerignore',
        '{workspaceRoot}/docker/arm64/Dockerfile.ml',
        '{workspaceRoot}/docker/arm64/Dockerfile.base',
        { fileset: '{workspaceRoot}/docker/common/entrypoint.sh', includeIgnored: true },
        { fileset: '{workspaceRoot}/requirements/app.txt', includeIgnored: true },
        { fileset: '{workspaceRoot}/src/vision/main.py', includeIgnored: true },
        { fileset: '{workspaceRoot}/requirements/**/*', includeIgnored: true },
        { env: 'STRATA_REGISTRY' },
        // A dry run's success is stored under another hash: a real run never replays it.
        { env: 'STRATA_DRY_RUN_SALT' },
      ],
      outputs: ['{workspaceRoot}/dist/strata/cpu/app/linux-arm64.json', '{workspaceRoot}/dist/strata/cpu/app/linux-arm64.digest'],
      // It copies no build output: it waits for its parent only, never for other projects' builds.
      dependsOn: ['docker-build--cpu--ml--linux-arm64'],
      options: {
        configFile: 'strata.json',
        image: 'acme/vision',
        variant: 'cpu',
        layer: 'app',
        platform: 'linux/arm64',
        dockerfile: 'docker/app/Dockerfile',
        context: '.',
        args: {},
        parentArg: 'BASE_IMAGE',
        record: 'dist/strata/cpu/app/linux-arm64.json',
        excludedInputs: ['.nx', 'dist/strata'],
        parentRecord: 'dist/strata/cpu/ml/linux-arm64.json',
        parentTarget: 'docker-build--cpu--ml--linux-arm64',
        registry: 'localhost:5000/acme',
        trustedBranches: ['main'],
      },
      metadata: {
        description: 'Builds layer "app" of acme/vision (variant cpu) for linux/arm64 from docker/app/Dockerfile, on top of layer "ml".',
        technologies: ['docker'],
        help: { command: 'docker buildx build --help', example: { options: { dryRun: true } } },
      },
    });
  });

  it('gives the base layer only its own inputs (nothing from src/ or requirements/)', async () => {
    root = createTempWorkspace(VISION_LAYOUT);
    const project = await inferProject(root);
    expect(project.targets!['docker-build--cuda--base--linux-amd64'].inputs).toEqual([
      '{workspaceRoot}/strata.json',
      '{workspaceRoot}/docker/cuda/Dockerfile.base',
      '{workspaceRoot}/.dockerignore',
      { env: 'STRATA_REGISTRY' },
      { env: 'STRATA_DRY_RUN_SALT' },
    ]);
  });

  it('adds an aggregate per platform and one for everything, with the union of inputs', async () => {
    root = createTempWorkspace(VISION_LAYOUT);
    const project = await inferProject(root, { builders: { 'linux/arm64': 'arm-node', 'linux/amd64': { context: 'amd64-host' } } });
    expect(project.targets!['docker-build--linux-arm64'].dependsOn).toEqual([
      'docker-build--cpu--base--linux-arm64',
      'docker-build--cpu--ml--linux-arm64',
      'docker-build--cpu--app--linux-arm64',
    ]);
    expect(project.targets!['docker-build'].dependsOn).toHaveLength(9);
    expect(project.targets!['docker-build'].executor).toBe('nx:noop');
    expect(project.targets!['docker-build'].inputs).toContainEqual({ fileset: '{workspaceRoot}/src/vision/main.py', includeIgnored: true });
    expect(project.targets!['docker-build--cpu--base--linux-arm64'].options.builder).toBe('arm-node');
    expect(project.targets!['docker-build--cpu--base--linux-amd64'].options.builder).toBeUndefined();
    expect(project.targets!['docker-build--cpu--base--linux-amd64'].options.dockerContext).toBe('amd64-host');
    expect(project.metadata?.targetGroups?.['docker-build linux/arm64']).toHaveLength(3);
  });

  it('infers docker-test for published layers and layers that ask, cached on the digest alone, run on the build host', async () => {
    const layout = JSON.parse(VISION_LAYOUT['strata.json'] as string);
    layout.layers.ml.test = { smoke: [{ command: ['true'] }] };
    layout.variants.cuda.layers = { app: { test: { enabled: false } } };
    layout.variants.cpu.platforms['linux/arm64'].layers.app = { test: { nonRoot: false, ports: [{ port: 8080 }] } };
    layout.layers.app.test = { healthcheck: { timeoutMs: 5000 } };
    root = createTempWorkspace({ ...VISION_LAYOUT, 'strata.json': JSON.stringify(layout) });
    const project = await inferProject(root, { builders: { 'linux/arm64': { context: 'arm64-host' } } });
    const tests = Object.keys(project.targets!)
      .filter((name) => name.startsWith('docker-test--'))
      .sort();
    // Published (top) app layers except cuda's (disabled), and the ml layers that ask.
    expect(tests).toEqual([
      'docker-test--cpu--app--linux-amd64',
      'docker-test--cpu--app--linux-arm64',
      'docker-test--cpu--ml--linux-amd64',
      'docker-test--cpu--ml--linux-arm64',
      'docker-test--cuda--ml--linux-amd64',
      'docker-test--linux-amd64',
      'docker-test--linux-arm64',
    ]);
    // One aggregate per platform: what a CI job for that platform runs.
    expect(project.targets!['docker-test--linux-arm64'].dependsOn).toEqual([
      'docker-test--cpu--ml--linux-arm64',
      'docker-test--cpu--app--linux-arm64',
    ]);
    const arm = project.targets!['docker-test--cpu--app--linux-arm64'];
    expect(arm).toMatchObject({
      executor: 'nx-strata:docker-test',
      cache: true,
      inputs: [{ dependentTasksOutputFiles: 'dist/strata/cpu/app/linux-arm64.digest', transitive: false }, { env: 'STRATA_DRY_RUN_SALT' }],
      outputs: ['{workspaceRoot}/dist/strata/cpu/app/linux-arm64.tested.json'],
      dependsOn: ['docker-build--cpu--app--linux-arm64'],
      options: {
        record: 'dist/strata/cpu/app/linux-arm64.json',
        buildTarget: 'docker-build--cpu--app--linux-arm64',
        dockerContext: 'arm64-host',
        // Merged key by key: the platform's override over the layer's.
        test: { healthcheck: { timeoutMs: 5000 }, nonRoot: false, ports: [{ port: 8080 }] },
      },
    });
    expect(project.targets!['docker-test--cpu--app--linux-amd64'].options.dockerContext).toBeUndefined();
    expect(project.targets!['docker-test'].dependsOn).toHaveLength(5);
    expect(project.targets!['docker-publish--cuda'].dependsOn).toEqual(['docker-build--cuda--app--linux-amd64', 'docker-lint']);
  });

  it('infers docker-scan for published layers, cached on digest + scanner version + settings, or never without a version', async () => {
    const layout = JSON.parse(VISION_LAYOUT['strata.json'] as string);
    layout.scan = { scanner: 'trivy', severity: 'critical' };
    layout.layers.ml.scan = { scanner: { command: ['./scan.sh', '{image}', '{sarif}'] } };
    root = createTempWorkspace({ ...VISION_LAYOUT, 'strata.json': JSON.stringify(layout) });
    const project = await inferProject(root, { builders: { 'linux/arm64': { host: 'ssh://ci@arm64' } } });
    const scans = Object.keys(project.targets!)
      .filter((name) => name.startsWith('docker-scan'))
      .sort();
    // The published app layers, and the ml layers with scan settings of their own.
    expect(scans).toEqual([
      'docker-scan',
      'docker-scan--cpu--app--linux-amd64',
      'docker-scan--cpu--app--linux-arm64',
      'docker-scan--cpu--ml--linux-amd64',
      'docker-scan--cpu--ml--linux-arm64',
      'docker-scan--cuda--app--linux-amd64',
      'docker-scan--cuda--ml--linux-amd64',
      'docker-scan--linux-amd64',
      'docker-scan--linux-arm64',
    ]);
    expect(project.targets!['docker-scan--cpu--app--linux-arm64']).toMatchObject({
      executor: 'nx-strata:docker-scan',
      cache: true,
      inputs: [
        { dependentTasksOutputFiles: 'dist/strata/cpu/app/linux-arm64.digest', transitive: false },
        { runtime: '(trivy --version) 2>/dev/null || echo missing' },
        { env: 'STRATA_DRY_RUN_SALT' },
      ],
      outputs: [
        '{workspaceRoot}/dist/strata/cpu/app/linux-arm64.scan.sarif',
        '{workspaceRoot}/dist/strata/cpu/app/linux-arm64.scanned.json',
      ],
      dependsOn: ['docker-build--cpu--app--linux-arm64'],
      options: {
        scan: { scanner: 'trivy', severity: 'critical' },
        dockerHost: 'ssh://ci@arm64',
        record: 'dist/strata/cpu/app/linux-arm64.json',
      },
    });
    // A scanner without a version command is never cached: a cached pass must not hide new CVEs.
    const ml = project.targets!['docker-scan--cpu--ml--linux-amd64'];
    expect(ml.cache).toBe(false);
    expect(ml.inputs).toEqual([
      { dependentTasksOutputFiles: 'dist/strata/cpu/ml/linux-amd64.digest', transitive: false },
      { env: 'STRATA_DRY_RUN_SALT' },
    ]);
    // The publish waits for the scans of what it publishes (not the ml scans: ml is not published).
    expect(project.targets!['docker-publish--cpu'].dependsOn).toEqual(
      expect.arrayContaining(['docker-scan--cpu--app--linux-amd64', 'docker-scan--cpu--app--linux-arm64']),
    );
    expect(project.targets!['docker-publish--cpu'].dependsOn).not.toContain('docker-scan--cpu--ml--linux-amd64');
    expect(project.targets!['docker-publish--cuda'].dependsOn).toContain('docker-scan--cuda--app--linux-amd64');
  });

  it('infers no docker-scan without a scanner, or for a layer that turns it off', async () => {
    const layout = JSON.parse(VISION_LAYOUT['strata.json'] as string);
    root = createTempWorkspace({ ...VISION_LAYOUT, 'strata.json': JSON.stringify(layout) });
    expect(Object.keys((await inferProject(root)).targets!).filter((name) => name.startsWith('docker-scan'))).toEqual([]);
    removeTempWorkspace(root);
    layout.scan = { scanner: 'grype' };
    layout.layers.app.scan = { enabled: false };
    root = createTempWorkspace({ ...VISION_LAYOUT, 'strata.json': JSON.stringify(layout) });
    expect(Object.keys((await inferProject(root)).targets!).filter((name) => name.startsWith('docker-scan'))).toEqual([]);
  });

  it('infers one docker-lint per image: each distinct Dockerfile build once, cached on the Dockerfiles, SARIF as output', async () => {
    const layout = JSON.parse(VISION_LAYOUT['strata.json'] as string);
    layout.lint = { rules: { 'latest-tag': 'off' }, allowImages: ['python'] };
    layout.layers.app.lint = { rules: { healthcheck: 'off' } };
    layout.layers.base.test = { smoke: [{ command: ['true'] }] };
    root = createTempWorkspace({ ...VISION_LAYOUT, 'strata.json': JSON.stringify(layout) });
    const lint = (await inferProject(root)).targets!['docker-lint'];
    expect(lint).toMatchObject({
      executor: 'nx-strata:docker-lint',
      cache: true,
      outputs: ['{options.sarif}'],
      options: { image: 'acme/vision', sarif: 'dist/strata/lint.sarif' },
    });
    expect(lint.inputs).toEqual([
      '{workspaceRoot}/strata.json',
      '{workspaceRoot}/docker/app/Dockerfile',
      '{workspaceRoot}/docker/arm64/Dockerfile.base',
      '{workspaceRoot}/docker/arm64/Dockerfile.ml',
      '{workspaceRoot}/docker/cpu/Dockerfile.base',
      '{workspaceRoot}/docker/cpu/Dockerfile.ml',
      '{workspaceRoot}/docker/cuda/Dockerfile.base',
      '{workspaceRoot}/docker/cuda/Dockerfile.ml',
      { env: 'STRATA_DRY_RUN_SALT' },
    ]);
    const units = lint.options.units as Array<{ dockerfile: string; final: boolean; layers: string[]; severities: Record<string, string> }>;
    // The app Dockerfile is one file built on three different parents (its USER or HEALTHCHECK may come from any of
    // them): three units, each of a published layer.
    const app = units.filter((unit) => unit.dockerfile === 'docker/app/Dockerfile');
    expect(app.map((unit) => unit.layers)).toEqual([['app (cpu, linux/amd64)'], ['app (cpu, linux/arm64)'], ['app (cuda, linux/amd64)']]);
    expect(app.every((unit) => unit.final && unit.severities.healthcheck === 'off' && unit.severities['latest-tag'] === 'off')).toBe(true);
    // The base layer is tested, but others build on it: it may run as root, so the runtime rules do not apply.
    const base = units.find((unit) => unit.dockerfile === 'docker/cpu/Dockerfile.base')!;
    expect(base).toMatchObject({ final: false, severities: { healthcheck: 'warning', 'non-root-user': 'error' }, allowImages: ['python'] });
  });

  it('infers docker-publish per variant, waiting for the top layer on every platform, never cached', async () => {
    root = createTempWorkspace({
      ...VISION_LAYOUT,
      'strata.json': JSON.stringify({
        ...JSON.parse(VISION_LAYOUT['strata.json'] as string),
        publish: { registries: ['ghcr.io/acme', { url: 'quay.io/acme', optional: true }], tags: ['{version}-{variant}'] },
      }),
    });
    const project = await inferProject(root, { registry: 'localhost:5000/acme', publishDependsOn: ['container-test'] });
    const cpu = project.targets!['docker-publish--cpu'];
    expect(cpu).toMatchObject({
      executor: 'nx-strata:docker-publish',
      cache: false,
      outputs: ['{workspaceRoot}/dist/strata/cpu/publish.json'],
      // The builds and the tests of the same layers and platforms, then publishDependsOn.
      dependsOn: [
        'docker-build--cpu--app--linux-amd64',
        'docker-build--cpu--app--linux-arm64',
        'docker-test--cpu--app--linux-amd64',
        'docker-test--cpu--app--linux-arm64',
        'docker-lint',
        'container-test',
      ],
      options: {
        variant: 'cpu',
        image: 'acme/vision',
        tags: ['{version}-{variant}'],
        registries: ['ghcr.io/acme', { url: 'quay.io/acme', optional: true }],
        registry: 'localhost:5000/acme',
        trustedBranches: ['main'],
        layers: [
          {
            layer: 'app',
            top: true,
            platforms: [
              {
                platform: 'linux/amd64',
                record: 'dist/strata/cpu/app/linux-amd64.json',
                target: 'docker-build--cpu--app--linux-amd64',
              },
              {
                platform: 'linux/arm64',
                record: 'dist/strata/cpu/app/linux-arm64.json',
                target: 'docker-build--cpu--app--linux-arm64',
              },
            ],
          },
        ],
      },
    });
    expect(cpu.inputs).toContainEqual({ env: 'STRATA_VERSION' });
    expect(project.targets!['docker-publish--cuda'].dependsOn).toEqual([
      'docker-build--cuda--app--linux-amd64',
      'docker-test--cuda--app--linux-amd64',
      'docker-lint',
      'container-test',
    ]);
    expect(project.targets!['docker-publish']).toMatchObject({
      executor: 'nx:noop',
      dependsOn: ['docker-publish--cpu', 'docker-publish--cuda'],
    });
  });

  it('gives a pyinstaller binary what its docker build reads, after .dockerignore (issue 20 item 16)', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({
        project: 'cli',
        binaries: { tool: { preset: 'pyinstaller', source: 'packaging/Dockerfile', target: 'binary', platforms: ['linux/amd64'] } },
      }),
      'packaging/Dockerfile': 'FROM python:3.12 AS binary\nCOPY . /src/\nRUN pyinstaller /src/tool.py\n',
      '.dockerignore': 'README.md\ndocs\n',
      'tool.py': 'print(1)\n',
      'README.md': '# tool\n',
      'docs/guide.md': 'x\n',
    });
    const project = await inferProject(root);
    const inputs = JSON.stringify(project.targets!['binary-build--tool--linux-amd64'].inputs);
    // Not "every file of the context": a README change no longer rebuilds the binary.
    expect(inputs).not.toContain('{workspaceRoot}/**/*');
    expect(inputs).toContain('{workspaceRoot}/tool.py');
    expect(inputs).toContain('{workspaceRoot}/.dockerignore');
    expect(inputs).not.toContain('README.md');
    expect(inputs).not.toContain('docs');
  });

  it('infers binary targets for a strata.json with only binaries: cached builds whose output is the binary', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({
        project: 'cli',
        binaries: {
          hello: { preset: 'go', platforms: ['linux/amd64', 'darwin/arm64'], onUnbuildable: 'skip', check: { maxSizeBytes: 100 } },
        },
      }),
      'main.go': 'package main\n',
    });
    const project = await inferProject(root);
    expect(project.name).toBe('cli');
    const build = project.targets!['binary-build--hello--darwin-arm64'];
    expect(build).toMatchObject({
      executor: 'nx-strata:binary-build',
      cache: true,
      outputs: ['{workspaceRoot}/dist/bin/hello-darwin-arm64', '{workspaceRoot}/dist/bin/.records/hello-darwin-arm64.json'],
      options: { name: 'hello', platform: 'darwin/arm64', output: 'dist/bin/hello-darwin-arm64', projectRoot: '.' },
    });
    expect(build.inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/**/*.go',
        '!{workspaceRoot}/**/*_linux.go',
        { runtime: 'node -p "process.platform + \'/\' + process.arch"' },
      ]),
    );
    expect(build.inputs).not.toContain('!{workspaceRoot}/**/*_darwin.go');
    expect(project.targets!['binary-check--hello--linux-amd64']).toMatchObject({
      dependsOn: ['binary-build--hello--linux-amd64'],
      options: { check: { maxSizeBytes: 100 } },
    });
    expect(project.targets!['binary-checksums--hello']).toMatchObject({
      dependsOn: ['binary-build--hello--linux-amd64', 'binary-build--hello--darwin-arm64'],
      outputs: ['{workspaceRoot}/dist/bin/hello.SHA256SUMS'],
    });
    const aggregateInputs = project.targets!['binary-build'].inputs as unknown[];
    expect(aggregateInputs).toContain('{workspaceRoot}/**/*.go');
    expect(aggregateInputs.filter((input) => typeof input === 'string' && input.startsWith('!'))).toEqual([]);
    expect(project.targets!['docker-build']).toBeUndefined();
  });

  it('fails graph creation with the file, line and what to do for a malformed Dockerfile', async () => {
    root = createTempWorkspace({ ...VISION_LAYOUT, 'docker/app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPPY src/ /src/\n' });
    const error = await inferProject(root).then(
      () => undefined,
      (caught: unknown) => caught as AggregateCreateNodesError,
    );
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    expect(error!.errors).toHaveLength(1);
    const [file, cause] = error!.errors[0];
    expect(file).toBe('strata.json');
    expect(cause.message).toContain('docker/app/Dockerfile:3: unknown instruction "COPPY"');
    expect(cause.message).toContain('→ fix the Dockerfile');
  });

  it('tells the executors of a strata.json without variants to leave the variant out of their messages', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({ image: 'acme/web', layers: { app: { dockerfile: 'Dockerfile', test: { nonRoot: false } } } }),
      Dockerfile: 'FROM busybox\n',
    });
    const project = await inferProject(root);
    for (const target of ['docker-build--app--linux-amd64', 'docker-test--app--linux-amd64', 'docker-publish'])
      expect({ target, explicitVariant: project.targets![target].options?.explicitVariant }).toEqual({ target, explicitVariant: false });
  });

  it('gives nx release what it needs: version actions without a manifest, and an nx-release-publish behind the publish gates', async () => {
    root = createTempWorkspace({
      'strata.json': JSON.stringify({
        image: 'acme/vision',
        layers: { app: { dockerfile: 'Dockerfile', test: { nonRoot: false } } },
        variants: { cpu: {}, cuda: { platforms: ['linux/amd64'] } },
      }),
      Dockerfile: 'FROM busybox\n',
    });
    const project = await inferProject(root);
    expect(project.release).toEqual({ version: { versionActions: 'nx-strata/dist/release/version-actions' } });
    const release = project.targets!['nx-release-publish'];
    expect(release).toMatchObject({
      executor: 'nx-strata:release-publish',
      cache: false,
      options: { publishTargets: ['docker-publish--cpu', 'docker-publish--cuda'] },
    });
    expect(release.dependsOn).toEqual(
      expect.arrayContaining(['docker-build--cpu--app--linux-amd64', 'docker-test--cuda--app--linux-amd64', 'docker-lint']),
    );
    expect(release.dependsOn).not.toContain('docker-publish--cpu');

    // A workspace-root package.json without a version is not the image's manifest.
    removeTempWorkspace(root);
    root = createTempWorkspace({
      'strata.json': JSON.stringify({ image: 'acme/web', layers: { app: { dockerfile: 'Dockerfile' } } }),
      'package.json': JSON.stringify({ name: 'workspace', private: true }),
      Dockerfile: 'FROM busybox\n',
    });
    expect((await inferProject(root)).release).toEqual({ version: { versionActions: 'nx-strata/dist/release/version-actions' } });
    // A project whose package.json has a version keeps Nx's default version actions (they write the version there).
    removeTempWorkspace(root);
    root = createTempWorkspace({
      'strata.json': JSON.stringify({ image: 'acme/web', layers: { app: { dockerfile: 'Dockerfile' } } }),
      'package.json': JSON.stringify({ name: 'web', version: '1.0.0' }),
      Dockerfile: 'FROM busybox\n',
    });
    expect((await inferProject(root)).release).toBeUndefined();
  });
});
