import { matrixEntries, unsafeMatrixValues, type AffectedLayer } from './matrix-entries';

const naming = { buildTargetName: 'docker-build', publishTargetName: 'docker-publish' };
/** Affected layer tasks, each affected by a change to src/app.py. */
const layers = (ids: string[], why = 'src/app.py'): AffectedLayer[] => ids.map((id) => ({ id, why }));
const slug = (platform: string) => platform.replace('/', '-');
/** Every project has both verification targets on every platform. */
const both = (_project: string, platform: string) => [`docker-test--${slug(platform)}`, `docker-scan--${slug(platform)}`];

/** What the matrix makes of the affected layer tasks; monorepo.e2e-spec.ts runs it through real Nx. */
describe('nx-strata matrix entries', () => {
  it('one job per (project, platform), with the affected layers, under the project name Nx gives', () => {
    const entries = matrixEntries(
      layers([
        'vision:docker-build--cpu--app--linux-arm64',
        'vision:docker-build--cuda--app--linux-amd64',
        'vision:docker-build--cpu--app--linux-amd64',
        'api-image:docker-build--app--linux-amd64',
      ]),
      naming,
    );
    expect(entries.map((entry) => [entry.project, entry.platform, entry.target, entry.runner, entry.qemu, entry.layers])).toEqual([
      ['api-image', 'linux/amd64', 'docker-build--linux-amd64', 'ubuntu-latest', false, ['docker-build--app--linux-amd64']],
      [
        'vision',
        'linux/amd64',
        'docker-build--linux-amd64',
        'ubuntu-latest',
        false,
        ['docker-build--cpu--app--linux-amd64', 'docker-build--cuda--app--linux-amd64'],
      ],
      ['vision', 'linux/arm64', 'docker-build--linux-arm64', 'ubuntu-latest', true, ['docker-build--cpu--app--linux-arm64']],
    ]);
  });

  it('puts linux/arm64 on the native runner when there is one, says why, and leaves other tasks out', () => {
    const entries = matrixEntries(
      [
        { id: 'vision:docker-build--cpu--base--linux-arm64', why: 'docker/arm64/Dockerfile.base' },
        { id: 'hello:binary-build--hello--linux-arm64', why: 'tools/hello/main.go' },
        { id: 'api:build', why: 'apps/api/main.ts' },
        { id: 'vision:docker-build--linux-arm64', why: 'docker/arm64/Dockerfile.base' },
      ],
      naming,
      { arm64Runner: 'ubuntu-24.04-arm', runner: 'self-hosted', verifyTargets: both },
    );
    expect(entries).toEqual([
      {
        project: 'vision',
        platform: 'linux/arm64',
        target: 'docker-build--linux-arm64',
        runner: 'ubuntu-24.04-arm',
        qemu: false,
        layers: ['docker-build--cpu--base--linux-arm64'],
        verify: 'docker-test--linux-arm64,docker-scan--linux-arm64',
        lint: true,
        why: 'docker/arm64/Dockerfile.base',
      },
    ]);
  });

  it('tests and scans every platform in its own job, names only the verification targets a project has, and lints each project once', () => {
    const entries = matrixEntries(
      layers([
        'vision:docker-build--cpu--app--linux-arm64',
        'vision:docker-build--cpu--app--linux-amd64',
        'web:docker-build--app--linux-amd64',
      ]),
      naming,
      // web has no scanner: no docker-scan--<platform> target.
      { verifyTargets: (project, platform) => both(project, platform).filter((name) => project === 'vision' || !name.includes('scan')) },
    );
    expect(entries.map((entry) => [entry.project, entry.platform, entry.verify, entry.lint])).toEqual([
      ['vision', 'linux/amd64', 'docker-test--linux-amd64,docker-scan--linux-amd64', true],
      ['vision', 'linux/arm64', 'docker-test--linux-arm64,docker-scan--linux-arm64', false],
      ['web', 'linux/amd64', 'docker-test--linux-amd64', true],
    ]);
    expect(matrixEntries(layers(['web:docker-build--app--linux-amd64']), naming)[0].verify).toBe('');
    expect(unsafeMatrixValues(matrixEntries(layers(['web:docker-build--app--linux-amd64']), naming))).toEqual([]);
  });

  it('a pair says why with the reason of its first affected layer', () => {
    const [entry] = matrixEntries(
      [
        { id: 'vision:docker-build--cpu--ml--linux-amd64', why: 'requirements/ml.txt' },
        {
          id: 'vision:docker-build--cpu--app--linux-amd64',
          why: 'requirements/ml.txt (through vision:docker-build--cpu--ml--linux-amd64)',
        },
      ],
      naming,
    );
    expect(entry.why).toBe('requirements/ml.txt (through vision:docker-build--cpu--ml--linux-amd64)');
  });

  it('follows the buildTargetName option', () => {
    expect(matrixEntries(layers(['web:img--app--linux-amd64']), { buildTargetName: 'img', publishTargetName: 'ship' })[0].target).toBe(
      'img--linux-amd64',
    );
  });

  it('is empty when nothing is affected', () => {
    expect(matrixEntries([], naming)).toEqual([]);
  });

  it('refuses project names and runner labels a shell or YAML would read as code, and takes plain ones', () => {
    const hostile = matrixEntries(
      layers(['web$(touch${IFS}/tmp/x):docker-build--app--linux-amd64', 'vision:docker-build--app--linux-arm64']),
      naming,
      { arm64Runner: 'arm; curl evil' },
    );
    expect(unsafeMatrixValues(hostile)).toEqual([
      expect.stringMatching(/the runner label "arm; curl evil" .* \(project "vision"\)$/),
      expect.stringContaining('the project name "web$(touch${IFS}/tmp/x)" has characters a shell or YAML would read as code'),
    ]);
    expect(unsafeMatrixValues(matrixEntries(layers(['@acme/web:docker-build--app--linux-amd64']), naming))).toEqual([]);
  });
});
