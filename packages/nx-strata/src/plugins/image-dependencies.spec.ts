import { DependencyType, type CreateDependenciesContext, type CreateNodesContext, type CreateNodesResult } from 'nx/src/devkit-exports';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { createDependencies } from './image-dependencies';
import { createNodes } from './plugin';

/** A monorepo: apps/api builds into dist/apps/api (not built yet), libs/util is read as source, images/api packages both. */
const MONOREPO = {
  'nx.json': '{}',
  'apps/api/project.json': JSON.stringify({ name: 'api' }),
  'apps/api/src/main.ts': 'export {};\n',
  'libs/util/project.json': JSON.stringify({ name: 'util' }),
  'libs/util/src/index.ts': 'export {};\n',
  'images/api/strata.json': JSON.stringify({
    image: 'acme/api',
    context: '../..',
    layers: { base: { dockerfile: 'Dockerfile.base' }, app: { dockerfile: 'Dockerfile', parent: 'base' } },
  }),
  'images/api/Dockerfile.base': 'FROM busybox\nCOPY libs/util/src /util\n',
  'images/api/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY dist/apps/api /app\n',
};

/** The monorepo with one layer, which copies sources only and says it packages `uses`. */
const withUses = (uses: string[]) => ({
  ...MONOREPO,
  'images/api/strata.json': JSON.stringify(
    { image: 'acme/api', context: '../..', layers: { app: { dockerfile: 'Dockerfile.assets', uses } } },
    null,
    2,
  ),
  'images/api/Dockerfile.assets': 'FROM busybox\nCOPY apps/api/src /src\n',
});

describe('images in the monorepo graph', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  /** What createDependencies sees: api (whose build has these outputs), util, and the inferred image project. */
  const graphOf = (image: { targets?: Record<string, unknown> }, apiOutputs: string[] = []) =>
    ({
      workspaceRoot: root,
      nxJsonConfiguration: {},
      externalNodes: {},
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      projects: {
        api: { root: 'apps/api', targets: { build: { executor: 'nx:run-commands', outputs: apiOutputs } } },
        util: { root: 'libs/util', targets: {} },
        'api-image': { root: 'images/api', targets: image.targets },
      },
    }) as unknown as CreateDependenciesContext;

  const inferImage = async () => {
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const [[, result]] = (await createNodes[1](['images/api/strata.json'], {}, context)) as Array<[string, CreateNodesResult]>;
    return result.projects!['images/api'];
  };

  it('links the image to the project that owns what it reads and to the project whose outputs it copies', async () => {
    root = createTempWorkspace(MONOREPO);
    const image = await inferImage();
    expect(image.name).toBe('api-image');
    const dependencies = await createDependencies({}, graphOf(image, ['{workspaceRoot}/dist/{projectRoot}']));
    expect(dependencies.sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { source: 'api-image', target: 'api', type: DependencyType.static, sourceFile: 'images/api/strata.json' },
      { source: 'api-image', target: 'util', type: DependencyType.static, sourceFile: 'images/api/strata.json' },
    ]);
  });

  it('reads a build output from the COPY path and from the outputs of the tasks it waits for, never the records', async () => {
    root = createTempWorkspace(MONOREPO);
    const image = await inferImage();
    const app = image.targets!['docker-build--app--linux-amd64'];
    expect(app.dependsOn).toEqual(['docker-build--base--linux-amd64', { dependencies: true, target: 'build' }]);
    expect(app.inputs).toEqual(
      expect.arrayContaining([
        { fileset: '{workspaceRoot}/dist/apps/api/**/*', includeIgnored: true },
        { dependentTasksOutputFiles: 'dist/apps/api/**/*', transitive: true },
        { fileset: '{workspaceRoot}/libs/util/src/**/*', includeIgnored: true },
      ]),
    );
    // The base layer reads no build output: nothing of api's outputs is in its hash, and it does not wait for
    // api:build (it starts at once, beside it).
    const base = image.targets!['docker-build--base--linux-amd64'];
    expect(JSON.stringify(base.inputs)).not.toContain('dist/apps/api');
    expect(base.dependsOn).toEqual([]);
    expect(JSON.stringify(app.inputs)).not.toContain('dist/strata');
    // The aggregate carries the same dependency-outputs input, so `nx affected` selects it after an upstream change.
    expect(image.targets!['docker-build'].inputs).toEqual(
      expect.arrayContaining([{ dependentTasksOutputFiles: 'dist/apps/api/**/*', transitive: true }]),
    );
  });

  it('makes each layer wait for the binary build of its own platform only, and accepts a context that a build writes', async () => {
    root = createTempWorkspace({
      ...MONOREPO,
      '.gitignore': 'node_modules\n/dist/\n',
      'tools/cli/strata.json': JSON.stringify({ binaries: { tool: { preset: 'go', platforms: ['linux/amd64', 'linux/arm64'] } } }),
      'tools/cli/main.go': 'package main\nfunc main() {}\n',
      'images/api/strata.json': JSON.stringify({
        image: 'acme/api',
        context: '../..',
        platforms: ['linux/amd64', 'linux/arm64'],
        layers: {
          base: { dockerfile: 'Dockerfile.base' },
          app: { dockerfile: 'Dockerfile', parent: 'base' },
          assets: { dockerfile: 'Dockerfile.assets', context: '../../dist/apps/api' },
        },
      }),
      'images/api/Dockerfile':
        'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG TARGETARCH\nCOPY tools/cli/dist/bin/tool-linux-${TARGETARCH} /usr/bin/tool\n',
      'images/api/Dockerfile.assets': 'FROM busybox\nCOPY . /assets\n',
    });
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const results = (await createNodes[1](['images/api/strata.json', 'tools/cli/strata.json'], {}, context)) as Array<
      [string, CreateNodesResult]
    >;
    const image = results.find(([file]) => file === 'images/api/strata.json')![1].projects!['images/api'];
    expect(image.targets!['docker-build--app--linux-arm64'].dependsOn).toEqual([
      'docker-build--base--linux-arm64',
      { dependencies: true, target: 'build' },
      { projects: ['cli'], target: 'binary-build--tool--linux-arm64' },
    ]);
    expect(image.targets!['docker-build--app--linux-amd64'].dependsOn).toContainEqual({
      projects: ['cli'],
      target: 'binary-build--tool--linux-amd64',
    });
    expect(image.targets!['docker-build--app--linux-amd64'].inputs).toContainEqual({
      dependentTasksOutputFiles: 'tools/cli/dist/bin/tool-linux-amd64',
      transitive: true,
    });
    // The assets layer's context is dist/apps/api: ignored by git and not built yet, so accepted, and read from its path.
    expect(image.targets!['docker-build--assets--linux-amd64'].inputs).toContainEqual({
      dependentTasksOutputFiles: 'dist/apps/api/**/*',
      transitive: true,
    });
  });

  it('refuses a layer that copies what exists nowhere and no target declares among its outputs, naming the fix (issue 27 item 3)', async () => {
    root = createTempWorkspace(MONOREPO);
    const image = await inferImage();
    // dist/apps/api is not built and api:build declares no outputs: nothing would ever rebuild the app layer.
    await expect(async () => createDependencies({}, graphOf(image))).rejects.toThrow(
      /^images\/api\/strata\.json:\d+:\d+: layer "app" \(linux\/amd64\): images\/api\/Dockerfile copies "dist\/apps\/api" from context "\.", and dist\/apps\/api exists nowhere and no target declares it among its outputs, so no change to what makes it would ever rebuild the layer\n {2}→ declare the step that writes it: add "uses": \["<project>:<target>"\]/,
    );
    // A path git ignores is a build output whose declared outputs Nx may not resolve here: left to inspect's warning.
    removeTempWorkspace(root);
    root = createTempWorkspace({ ...MONOREPO, '.gitignore': 'node_modules\ndist\n' });
    expect((await createDependencies({}, graphOf(await inferImage()))).map((dependency) => dependency.target).sort()).toEqual(['util']);
    // What a script assembles and pipes to Docker (meta/, deps/ of a pnpm-context step): the same, at the layer.
    removeTempWorkspace(root);
    root = createTempWorkspace({
      ...MONOREPO,
      'images/api/strata.json': JSON.stringify({ image: 'acme/api', context: '../..', layers: { app: { dockerfile: 'Dockerfile.pkg' } } }),
      'images/api/Dockerfile.pkg': 'FROM busybox\nCOPY meta/ /app/\nCOPY deps/ /app/\n',
    });
    await expect(async () => createDependencies({}, graphOf(await inferImage()))).rejects.toThrow(
      'copies "meta" from context ".", and meta exists nowhere and no target declares it among its outputs',
    );
    // Declared by the target that writes them: accepted, and the image links to that project.
    const declaring = graphOf(await inferImage(), ['{workspaceRoot}/meta', '{workspaceRoot}/deps']);
    expect((await createDependencies({}, declaring)).map((dependency) => dependency.target)).toEqual(['api']);
  });

  it('links a layer to the tasks it says it uses, and names a use that does not exist with its strata.json line', async () => {
    root = createTempWorkspace(withUses(['util:build']));
    await expect(async () => createDependencies({}, graphOf(await inferImage()))).rejects.toThrow(
      /^images\/api\/strata\.json:\d+:\d+: layer "app" uses "util:build", but project "util" has no target "build"\n {2}→ use one of its targets: \(none\)/,
    );
    removeTempWorkspace(root);
    root = createTempWorkspace(withUses(['web:build']));
    await expect(async () => createDependencies({}, graphOf(await inferImage()))).rejects.toThrow('there is no project "web"');
    removeTempWorkspace(root);

    root = createTempWorkspace(withUses(['api:build']));
    const image = await inferImage();
    const app = image.targets!['docker-build--app--linux-amd64'];
    expect(app.dependsOn).toContainEqual({ projects: ['api'], target: 'build' });
    expect(app.inputs).toContainEqual({ input: 'default', projects: ['api'] });
    // Every output of the tasks it waits for, but not the records directory (dist/strata): spelled as its complement.
    expect(app.inputs).toContainEqual({ dependentTasksOutputFiles: '[!d]*/**/*', transitive: false });
    expect(app.inputs).not.toContainEqual({ dependentTasksOutputFiles: '**/*', transitive: false });
    const dependencies = await createDependencies({}, graphOf(image));
    expect(dependencies.map((dependency) => dependency.target)).toEqual(['api']);
  });

  it('refuses a layer that uses a task waiting for the layer itself, at the uses entry, with the path of the cycle', async () => {
    // Its own aggregate target, which waits for every layer of the image.
    root = createTempWorkspace(withUses(['api-image:docker-build']));
    await expect(async () => createDependencies({}, graphOf(await inferImage()))).rejects.toThrow(
      /^images\/api\/strata\.json:8:9: layer "app" uses "api-image:docker-build", which waits for this layer: api-image:docker-build → api-image:docker-build--app--linux-amd64 \(a cycle Nx cannot run\)\n {2}→ remove "api-image:docker-build" from uses/,
    );
    removeTempWorkspace(root);

    // Through another project: api:build waits for the image's build (by name, and by `^` over the image's edges).
    root = createTempWorkspace(withUses(['api:build']));
    const image = await inferImage();
    const throughApi = (dependsOn: unknown[]) => {
      const context = graphOf(image);
      (context.projects.api.targets!.build as { dependsOn?: unknown[] }).dependsOn = dependsOn;
      (context.projects.api.targets as Record<string, unknown>).package = { dependsOn: ['^docker-build'] };
      return context;
    };
    await expect(async () => createDependencies({}, throughApi([{ projects: 'api-image', target: 'docker-build' }]))).rejects.toThrow(
      'uses "api:build", which waits for this layer: api:build → api-image:docker-build → api-image:docker-build--app--linux-amd64',
    );
    await expect(async () => createDependencies({}, throughApi(['api-image:docker-build--app--linux-amd64']))).rejects.toThrow(
      'which waits for this layer: api:build → api-image:docker-build--app--linux-amd64',
    );
    // A build that waits for other things, and a `^` edge from a project the image does not link: no cycle.
    expect(
      (await createDependencies({}, throughApi(['lint', '^docker-build', { dependencies: true, target: 'docker-build' }]))).map(
        (d) => d.target,
      ),
    ).toEqual(['api']);
  });
});
