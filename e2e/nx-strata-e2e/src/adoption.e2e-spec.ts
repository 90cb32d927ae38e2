import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';

/**
 * A repository shaped like the large one that tried nx-strata (issue 19): several apps, the published images'
 * Dockerfiles under `.deploy/<image>/` built by build-push-action workflows (a pull-request job without platforms, a
 * release job with them), a packaging Dockerfile no workflow builds, one image whose context is the whole repository,
 * and an nx.json indented with tabs beside a `.prettierrc`.
 */
const NX_JSON =
  '{\n\t"$schema": "./node_modules/nx/schemas/nx-schema.json",\n\t"defaultBase": "main",\n\t"targetDefaults": { "build": { "cache": true, "dependsOn": ["^build"] } },\n\t"namedInputs": { "default": ["{projectRoot}/**/*"], "production": ["default"] }\n}\n';
const IMAGES = ['api', 'web', 'whole'];

const publishStep = (image: string, platforms: boolean) =>
  [
    `      - uses: docker/build-push-action@v6`,
    `        with:`,
    `          context: .`,
    `          file: .deploy/${image}/Dockerfile`,
    ...(platforms ? [`          platforms: linux/amd64,linux/arm64`] : []),
    `          push: \${{ github.event_name == 'push' }}`,
    `          tags: ghcr.io/acme/${image}:\${{ github.sha }}`,
  ].join('\n');

/** Writes a file of a workspace being made, with its directories. */
const writerIn = (root: string) => (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe('init and the CLI on a repository shaped like a large Nx monorepo', () => {
  let workspace: E2EWorkspace;
  let init: string;
  const read = (path: string) => readFileSync(join(workspace.root, path), 'utf8');

  beforeAll(() => {
    workspace = E2EWorkspace.forUser((root) => {
      const write = writerIn(root);
      write('nx.json', NX_JSON);
      write('.prettierrc', '{ "useTabs": true, "singleQuote": true }\n');
      write('.gitignore', 'node_modules\ndist\n.nx/cache\n.nx/workspace-data\n');
      for (const app of ['api', 'web', 'desktop']) {
        write(`apps/${app}/project.json`, JSON.stringify({ name: app, sourceRoot: `apps/${app}/src` }, null, '\t'));
        write(`apps/${app}/src/main.ts`, `export const app = '${app}';\n`);
      }
      write('libs/shared/project.json', JSON.stringify({ name: 'shared' }));
      write('libs/shared/src/index.ts', 'export const shared = 1;\n');
      write('.deploy/api/Dockerfile', 'FROM strata-fixtures/busybox:amd64\nCOPY apps/api/src /srv/api\n');
      write('.deploy/web/Dockerfile', 'FROM strata-fixtures/busybox:amd64\nCOPY apps/web/src /srv/web\n');
      write('.deploy/whole/Dockerfile', 'FROM strata-fixtures/busybox:amd64\nCOPY . /srv/all\n');
      write('apps/desktop/packaging/Dockerfile', 'FROM strata-fixtures/busybox:amd64\nCOPY dist/desktop /opt/desktop\n');
      write(
        '.github/workflows/pr.yml',
        `name: pr\non: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${publishStep('api', false)}\n`,
      );
      write(
        '.github/workflows/publish.yml',
        `name: publish\non:\n  push:\n    branches: [main]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${IMAGES.map((image) => publishStep(image, true)).join('\n')}\n`,
      );
    });
    workspace.commitAll('before nx-strata');
    const run = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(run);
    init = run.output;
    workspace.commitAll('nx-strata init');
  });
  afterAll(() => workspace?.remove());

  test('init proposes exactly the published images, one strata.json beside each, with their platforms', () => {
    for (const image of IMAGES) {
      expect(init).toContain(`CREATE .deploy/${image}/strata.json`);
      const config = JSON.parse(read(`.deploy/${image}/strata.json`)) as Record<string, unknown>;
      expect(config).toEqual({
        $schema: '../../node_modules/nx-strata/strata.schema.json',
        image: `acme/${image}`,
        context: '../..',
        platforms: ['linux/amd64', 'linux/arm64'],
        layers: { [image]: { dockerfile: 'Dockerfile' } },
        // Where the release job pushes it today (build-push-action tags ghcr.io/acme/<image>:<sha>).
        publish: { registries: ['ghcr.io'] },
      });
      // Written as the repository writes JSON (tabs, from its nx.json; no prettier is installed).
      expect(read(`.deploy/${image}/strata.json`)).toMatch(/^\{\n\t"\$schema"/);
    }
    expect(existsSync(join(workspace.root, 'strata.json'))).toBe(false);
    expect(existsSync(join(workspace.root, 'apps/desktop/packaging/strata.json'))).toBe(false);
    // The Dockerfile no workflow builds is named once, with why; nothing is said three times.
    expect(init.match(/apps\/desktop\/packaging\/Dockerfile/g)).toHaveLength(1);
    expect(init).toMatch(
      /left out \(no workflow, compose file, Makefile, package.json script or shell script builds them[^\n]*apps\/desktop\/packaging\/Dockerfile/,
    );
    expect(init).not.toContain('could not infer');
    // The whole-repository context: its installed dependencies are named, with the line that stops them.
    expect(init).toMatch(
      /build context "\." sends node_modules\/ \([\d,]+ files\): installed dependencies .* add "node_modules" to \.dockerignore/,
    );
  });

  test('nx.json keeps its formatting: only the plugin entry is added', () => {
    const nxJson = read('nx.json');
    expect(nxJson.replace(/,\n\t"plugins": \[\n\t\t\{\n\t\t\t"plugin": "nx-strata",\n\t\t\t"options": \{\}\n\t\t\}\n\t\]/, '')).toBe(
      NX_JSON,
    );
  });

  test('the project graph, affected and the CI matrix see the images under .deploy/', () => {
    const projects = workspace.nx(['show', 'projects', '--json']);
    expectSuccess(projects);
    expect(JSON.parse(projects.output.slice(projects.output.indexOf('['))) as string[]).toEqual(
      expect.arrayContaining(['api', 'web', 'desktop', 'shared', 'api-image', 'web-image', 'whole-image']),
    );
    writeFileSync(join(workspace.root, 'apps/web/src/main.ts'), "export const app = 'web v2';\n");
    workspace.commitAll('change the web app');
    const affected = workspace.nx(['show', 'projects', '--affected', '--base', 'HEAD~1', '--head', 'HEAD', '-t', 'docker-build', '--json']);
    expectSuccess(affected);
    expect((JSON.parse(affected.output.slice(affected.output.indexOf('['))) as string[]).sort()).toEqual(['web-image', 'whole-image']);
    const matrix = workspace.cli(['matrix', '--base', 'HEAD~1', '--head', 'HEAD']);
    expectSuccess(matrix);
    const entries = (JSON.parse(matrix.output) as { include: Array<{ project: string; platform: string }> }).include;
    expect(entries.map((entry) => `${entry.project} ${entry.platform}`).sort()).toEqual([
      'web-image linux/amd64',
      'web-image linux/arm64',
      'whole-image linux/amd64',
      'whole-image linux/arm64',
    ]);
  });

  test('inspect names what the whole-repository context sends: dependencies and the other images', () => {
    const run = workspace.cli(['inspect', '.deploy/whole/strata.json', '--json']);
    expectSuccess(run);
    const warnings = (JSON.parse(run.output) as Array<{ warnings: string[] }>).flatMap((layer) => layer.warnings);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/sends node_modules\/ .* add "node_modules" to \.dockerignore$/),
        expect.stringMatching(/sends \.deploy\/api\/ \(2 files\), the files of another image .* Add "\.deploy\/api" to \.dockerignore$/),
        expect.stringMatching(/sends \.deploy\/web\/ \(2 files\), the files of another image .* Add "\.deploy\/web" to \.dockerignore$/),
      ]),
    );
  });
});

/**
 * Issue 27: a monorepo whose images are built by package.json `docker:build` scripts and a workflow `run:` line, one
 * from a context a script assembles (`meta/`), a dev container nothing ships, and a working branch (`next`, the
 * remote's default) other than nx.json's defaultBase.
 */
describe('init on a monorepo that builds its images from package.json scripts and run: lines', () => {
  let workspace: E2EWorkspace;
  let init: string;
  const read = (path: string) => readFileSync(join(workspace.root, path), 'utf8');

  beforeAll(() => {
    workspace = E2EWorkspace.forUser((root) => {
      const write = writerIn(root);
      write('nx.json', '{ "defaultBase": "main" }\n');
      const app = (name: string, copy: string) => {
        write(`apps/${name}/src/main.js`, `console.log('${name}');\n`);
        write(`apps/${name}/Dockerfile`, `FROM strata-fixtures/busybox:amd64\n${copy}\nUSER 65534\n`);
      };
      app('web', 'COPY apps/web/src /srv/web');
      write(
        'apps/web/package.json',
        JSON.stringify({ name: 'web', scripts: { 'docker:build': 'docker build -f Dockerfile -t acme/web:local ../..' } }, null, 2),
      );
      app('ws', 'COPY apps/ws/src /srv/ws');
      write(
        '.github/workflows/deploy.yml',
        'on:\n  push:\n    branches: [next]\njobs:\n  deploy:\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          docker buildx build -f apps/ws/Dockerfile --platform linux/amd64 \\\n            -t ghcr.io/acme/ws:${{ github.sha }} --push .\n',
      );
      app('gen', 'COPY meta/ /srv/meta/');
      write(
        'apps/gen/package.json',
        JSON.stringify({ name: 'gen', scripts: { 'docker:build': 'pnpm-context | docker build -f Dockerfile -t acme/gen ../..' } }),
      );
      write(
        '.devcontainer/Dockerfile',
        'ARG VARIANT=20-bullseye\nFROM mcr.microsoft.com/vscode/devcontainers/typescript-node:0-${VARIANT}\n',
      );
    });
    // The clone's record of the remote's default branch, as `git clone` writes it.
    workspace.git('remote', 'add', 'origin', 'https://github.com/acme/monorepo.git');
    mkdirSync(join(workspace.root, '.git/refs/remotes/origin'), { recursive: true });
    writeFileSync(join(workspace.root, '.git/refs/remotes/origin/HEAD'), 'ref: refs/remotes/origin/next\n');
    workspace.commitAll('before nx-strata');
    const run = workspace.nx(['g', 'nx-strata:init']);
    expectSuccess(run);
    init = run.output;
  });
  afterAll(() => workspace?.remove());

  test('every shipped image is found from its script or run: line; only the dev container is left out', () => {
    expect(init).toContain('CREATE apps/web/strata.json');
    expect(init).toContain('CREATE apps/ws/strata.json');
    expect(init).toContain('CREATE apps/gen/strata.json');
    expect(init).toContain('apps/web/Dockerfile ← apps/web/package.json:4 (script docker:build): context .');
    expect(init).toContain(
      'apps/ws/Dockerfile ← .github/workflows/deploy.yml:9 (job deploy, step 2, run): context .; platforms linux/amd64',
    );
    expect(init).toMatch(/left out \([^)]*\): \.devcontainer\/Dockerfile/);
    expect(init).not.toContain('starts from 20-bullseye');
    expect(JSON.parse(read('apps/ws/strata.json'))).toMatchObject({ image: 'acme/ws', publish: { registries: ['ghcr.io'] } });
  });

  test('a generated context fails graph creation with the layer, its line and the fix; declaring its producer fixes it', () => {
    expect(init).toContain('apps/gen/strata.json: layer "gen" copies "meta" from context ".", and meta exists nowhere');
    const broken = workspace.nx(['show', 'projects']);
    expect(broken.exitCode).not.toBe(0);
    expect(broken.output).toMatch(
      /apps\/gen\/strata\.json:\d+:\d+: layer "gen" \(linux\/amd64\): apps\/gen\/Dockerfile copies "meta" from context "\.", and meta exists nowhere and no target declares it among its outputs/,
    );
    // The step that writes it, declared: a target with meta in its outputs, which the layer uses.
    writeFileSync(
      join(workspace.root, 'apps/gen/project.json'),
      JSON.stringify({
        name: 'gen',
        targets: { pack: { command: 'mkdir -p meta && echo {} > meta/package.json', outputs: ['{workspaceRoot}/meta'] } },
      }),
    );
    const config = JSON.parse(read('apps/gen/strata.json'));
    config.layers.gen.uses = ['gen:pack'];
    writeFileSync(join(workspace.root, 'apps/gen/strata.json'), JSON.stringify(config, null, 2));
    const fixed = workspace.nx(['show', 'projects', '--json']);
    expectSuccess(fixed);
    expect(JSON.parse(fixed.output.slice(fixed.output.indexOf('['))) as string[]).toEqual(
      expect.arrayContaining(['web', 'ws-image', 'gen']),
    );
  });

  test("the trusted branch is where the repository works (origin/HEAD), not defaultBase's, in nx.json and the pipeline", () => {
    expect(init).toContain("nx-strata: trusted branch next, from the remote's default branch (origin/HEAD)");
    expect(JSON.parse(read('nx.json')).plugins).toEqual([{ plugin: 'nx-strata', options: { trustedBranches: ['next'] } }]);
    expectSuccess(workspace.nx(['g', 'nx-strata:ci', '--provider=github']));
    expect(read('.github/workflows/nx-strata.yml')).toContain('    branches: [next]\n');
  });
});
