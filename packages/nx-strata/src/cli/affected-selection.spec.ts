import { affectedTasksOf, describeReason, firstChangedInput, planFilePatterns, type NxGraphFile } from './affected-selection';

const EVERY_TASK = 'workspace:[{workspaceRoot}/nx.json,{workspaceRoot}/.gitignore,{workspaceRoot}/.nxignore]';

/**
 * An image at the workspace root (project root ".") whose app layer copies `src/` and api's build output, as Nx 24
 * writes `nx run-many --graph=<file>` (context files as `files:[...]`, dependencies as `{ id }`), and as Nx 22 does
 * (context files in `workspace:[...]`, dependencies as ids). Plans copied from real runs, cut to what matters.
 */
function rootImageGraph(nx: 22 | 24): NxGraphFile {
  const dep = (id: string) => (nx === 24 ? { id } : id);
  const strata = (targets: string[]) => Object.fromEntries(targets.map((target) => [target, { executor: 'nx-strata:docker-build' }]));
  const contextFiles = (files: string[]) =>
    nx === 24 ? [`files:[${files.join(',')}]`] : [`workspace:[${files.map((file) => `{workspaceRoot}/${file}`).join(',')}]`];
  return {
    graph: {
      nodes: {
        finance: { data: { targets: strata(['docker-build--base--linux-amd64', 'docker-build--app--linux-amd64']) } },
        api: { data: { targets: { build: { executor: 'nx:run-commands' } } } },
        util: { data: { targets: { build: { executor: 'nx:run-commands' } } } },
      },
    },
    tasks: {
      tasks: {
        'finance:docker-build--base--linux-amd64': { target: { project: 'finance', target: 'docker-build--base--linux-amd64' } },
        'finance:docker-build--app--linux-amd64': { target: { project: 'finance', target: 'docker-build--app--linux-amd64' } },
        'api:build': { target: { project: 'api', target: 'build' } },
        'util:build': { target: { project: 'util', target: 'build' } },
      },
      dependencies: {
        'finance:docker-build--base--linux-amd64': [],
        'finance:docker-build--app--linux-amd64': [dep('finance:docker-build--base--linux-amd64'), dep('api:build')] as never,
        'api:build': [dep('util:build')] as never,
        'util:build': [],
      },
    },
    taskPlans: {
      'finance:docker-build--base--linux-amd64': [
        'AllExternalDependencies',
        'env:STRATA_REGISTRY',
        'finance:ProjectConfiguration',
        'finance:TsConfig',
        EVERY_TASK,
        'workspace:[{workspaceRoot}/strata.json,{workspaceRoot}/docker/Dockerfile.base,{workspaceRoot}/.dockerignore]',
      ],
      'finance:docker-build--app--linux-amd64': [
        'AllExternalDependencies',
        'env:STRATA_REGISTRY',
        ...contextFiles(['src/**/*', 'config/app.yaml', 'dist/apps/api/**/*']),
        'finance:ProjectConfiguration',
        EVERY_TASK,
        'workspace:[{workspaceRoot}/strata.json,{workspaceRoot}/Dockerfile,{workspaceRoot}/.dockerignore,{workspaceRoot}/docker/Dockerfile.base]',
      ],
      'api:build': [
        'AllExternalDependencies',
        'api:apps/api/**/*,!apps/api/**/*.spec.ts',
        'util:libs/util/**/*,!libs/util/**/*.spec.ts',
        'api:ProjectConfiguration',
        EVERY_TASK,
      ],
      'util:build': ['npm:typescript', 'util:libs/util/**/*,!libs/util/**/*.spec.ts', EVERY_TASK],
    },
  };
}

describe.each([22, 24] as const)('affected tasks from Nx %s hash plans', (nx) => {
  const graph = rootImageGraph(nx);
  const affected = (changed: string[]) =>
    Object.fromEntries([...affectedTasksOf(graph, changed)].map(([id, reason]) => [id, describeReason(reason)]));

  it('a README the image does not read selects nothing, though the image project (root ".") owns it', () => {
    expect(affected(['README.md', 'docs/guide.md'])).toEqual({});
  });

  it("a change to Nx's own configuration (nx.json, .gitignore) selects no layer", () => {
    expect(affected(['nx.json', '.gitignore'])).toEqual({});
  });

  it('a source file the app layer copies selects the app layer only, with that file as why', () => {
    expect(affected(['src/ledger/book.py', 'README.md'])).toEqual({ 'finance:docker-build--app--linux-amd64': 'src/ledger/book.py' });
  });

  it('a Dockerfile of the base layer selects the base and, through it, the app layer', () => {
    expect(affected(['docker/Dockerfile.base'])).toEqual({
      'finance:docker-build--base--linux-amd64': 'docker/Dockerfile.base',
      'finance:docker-build--app--linux-amd64': 'docker/Dockerfile.base',
    });
  });

  it('a library change reaches the app layer through the build whose outputs it copies, named as the task it came through', () => {
    expect(affected(['libs/util/index.ts'])).toEqual({
      'util:build': 'libs/util/index.ts',
      'api:build': 'libs/util/index.ts',
      'finance:docker-build--app--linux-amd64': 'libs/util/index.ts (through api:build)',
    });
    // An excluded file (a spec) is no input of the build.
    expect(affected(['libs/util/index.spec.ts'])).toEqual({});
  });

  it("the lock file is an input of another tool's build, never of a layer that does not copy it", () => {
    expect(affected(['package-lock.json'])).toEqual({
      'util:build': 'package-lock.json',
      'api:build': 'package-lock.json',
      'finance:docker-build--app--linux-amd64': 'package-lock.json (through api:build)',
    });
  });

  it('a deleted file under a directory the layer reads selects it (a directory is read as a glob)', () => {
    expect(affected(['src/removed/old.py'])).toEqual({ 'finance:docker-build--app--linux-amd64': 'src/removed/old.py' });
  });
});

describe('planFilePatterns', () => {
  it('reads workspace, files and project entries, drops env, runtime and configuration entries, keeps braces whole', () => {
    expect(
      planFilePatterns(
        [
          'env:X',
          'runtime:node -v',
          'p:ProjectConfiguration',
          'p:TsConfig',
          'files:[a/**/*,b.txt]',
          'p:libs/{a,b}/**/*,!libs/**/*.spec.ts',
          '@scope/q:q/**/*',
          'AllExternalDependencies',
        ],
        false,
      ),
    ).toEqual({ include: ['a/**/*', 'b.txt', 'libs/{a,b}/**/*', 'q/**/*'], exclude: ['libs/**/*.spec.ts'] });
    expect(planFilePatterns(['npm:typescript'], true).include).toContain('pnpm-lock.yaml');
  });

  it('matches dot-directories and literal paths', () => {
    expect(firstChangedInput({ include: ['**/*'], exclude: [] }, ['.deploy/api/app.txt'])).toBe('.deploy/api/app.txt');
    expect(firstChangedInput({ include: ['app/[id]/page.tsx'], exclude: [] }, ['app/[id]/page.tsx'])).toBe('app/[id]/page.tsx');
  });
});
