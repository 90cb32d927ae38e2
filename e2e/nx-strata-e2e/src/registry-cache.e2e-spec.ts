import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

const ALL = [
  'cpu/app/linux/amd64',
  'cpu/app/linux/arm64',
  'cpu/base/linux/amd64',
  'cpu/base/linux/arm64',
  'cpu/ml/linux/amd64',
  'cpu/ml/linux/arm64',
  'cuda/app/linux/amd64',
  'cuda/base/linux/amd64',
  'cuda/ml/linux/amd64',
];

/** The registry as a cache: a fresh clone with no Nx cache builds nothing the registry already holds. */
describe('registry as cache', () => {
  let registry: TestRegistry;
  let original: E2EWorkspace;
  let clone: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const namespace = `cache-${process.pid}`;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    env = { STRATA_REGISTRY: `${registry.host}/${namespace}` };
    original = E2EWorkspace.create(VISION_EXAMPLE);
    const started = Date.now();
    const cold = original.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(cold);
    expect(original.builtSince(started)).toEqual(ALL);
    clone = original.clone();
  });
  afterAll(async () => {
    original?.remove();
    clone?.remove();
    await registry?.destroy();
  });

  test('1. a fresh clone with an empty Nx cache builds nothing: every task is a registry hit', () => {
    expect(clone.nx(['reset'], env).exitCode).toBe(0);
    const started = Date.now();
    const run = clone.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(run);
    expect(clone.builtSince(started)).toEqual([]);
    expect(clone.registryHitsSince(started)).toEqual(ALL);
    expect(run.output.match(/nx-strata: registry hit for /g)).toHaveLength(9);
    for (const record of clone.records()) {
      expect(record.digest).toBe(original.record(record.variant, record.layer, record.platform.replace('/', '-'))!.digest);
    }
  });

  test('2. one layer pruned from the registry: only it rebuilds, its children are hits', async () => {
    const pruned = clone.record('cpu', 'ml', 'linux-arm64')!;
    expect(await registry.deleteManifest(`${namespace}/acme/vision/ml`, pruned.digest)).toBe(202);
    expect(await registry.digest(`${namespace}/acme/vision/ml`, `strata-${pruned.key}`)).toBeUndefined();
    expect(clone.nx(['reset'], env).exitCode).toBe(0);
    const started = Date.now();
    const run = clone.nx(['run-many', '-t', 'docker-build'], env);
    expectSuccess(run);
    expect(clone.builtSince(started)).toEqual(['cpu/ml/linux/arm64']);
    expect(clone.registryHitsSince(started)).toEqual(ALL.filter((layer) => layer !== 'cpu/ml/linux/arm64'));
    expect(await registry.digest(`${namespace}/acme/vision/ml`, `strata-${pruned.key}`)).toBe(
      clone.record('cpu', 'ml', 'linux-arm64')!.digest,
    );
  });

  test('gc lists the content tags no current key or published tag uses, and --delete removes only those', async () => {
    expectSuccess(clone.nx(['run', 'vision:docker-publish--cpu'], env));
    const old = Object.fromEntries(
      ['cpu/linux-amd64', 'cpu/linux-arm64', 'cuda/linux-amd64'].map((id) => [
        id,
        clone.record(id.split('/')[0], 'app', id.split('/')[1])!,
      ]),
    );
    clone.append('src/vision/main.py', '# gc makes old app images unused\n');
    clone.commitAll('code change');
    expectSuccess(clone.nx(['run-many', '-t', 'docker-build'], env));

    const listed = clone.cli(['gc'], env);
    expect(listed.exitCode).toBe(0);
    expect(listed.output).toContain('1 unused (run with --delete to delete them)');
    expect(listed.output).toContain(`unused  ${registry.host}/${namespace}/acme/vision/app:strata-${old['cuda/linux-amd64'].key}`);
    expect(listed.output).toContain(
      `keep    ${registry.host}/${namespace}/acme/vision/app:strata-${old['cpu/linux-arm64'].key}  ${old['cpu/linux-arm64'].digest}  (used by a published tag)`,
    );

    const deleted = clone.cli(['gc', '--delete'], env);
    expect(deleted.exitCode).toBe(0);
    expect(deleted.output).toContain('deleted 1 manifest');
    const tags = await registry.tags(`${namespace}/acme/vision/app`);
    expect(tags).not.toContain(`strata-${old['cuda/linux-amd64'].key}`);
    expect(tags).toContain(`strata-${old['cpu/linux-amd64'].key}`);
    for (const record of clone.records())
      expect(await registry.tags(`${namespace}/acme/vision/${record.layer}`)).toContain(`strata-${record.key}`);
  });

  // The docker driver attaches attestations only on the containerd image store (the containerd-engine suite chains
  // and publishes them); on the classic store it builds without them and says so. SBOM needs BuildKit's scanner image,
  // which cannot be pulled here, so it is asked for on the classic store only (where it is dropped before any pull).
  test('provenance on the docker driver: an index with it on the containerd store; on the classic store built without, said so, a plain manifest', async () => {
    const containerdStore = process.env.STRATA_E2E_ENGINE === 'containerd';
    const started = Date.now();
    const run = clone.nx(
      [
        'run',
        'vision:docker-build--cuda--ml--linux-amd64',
        '--provenance=max',
        ...(containerdStore ? [] : ['--sbom']),
        '--registryCache=false',
        '--excludeTaskDependencies',
      ],
      env,
    );
    expectSuccess(run);
    expect(clone.builtSince(started)).toEqual(['cuda/ml/linux/amd64']);
    const record = clone.record('cuda', 'ml', 'linux-amd64')!;
    const mediaType = await registry.mediaType(`${namespace}/acme/vision/ml`, `strata-${record.key}`);
    if (containerdStore) {
      expect(run.output).not.toContain('attestations need');
      expect(record.attestations).toEqual(['provenance:max']);
      expect(mediaType).toBe('application/vnd.oci.image.index.v1+json');
    } else {
      expect(run.output).toContain(
        'provenance (mode=max) and SBOM attestations need the containerd image store or a docker-container, kubernetes or remote builder; the local Docker engine builds with the docker driver of Docker 20.10',
      );
      expect(record.attestations).toEqual([]);
      expect(mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    }
  });

  test('registryCache: false builds even when the registry holds the image', () => {
    const started = Date.now();
    const run = clone.nx(['run', 'vision:docker-build--cuda--base--linux-amd64', '--registryCache=false', '--skip-nx-cache'], env);
    expect(run.exitCode).toBe(0);
    expect(clone.builtSince(started)).toEqual(['cuda/base/linux/amd64']);
  });
});
