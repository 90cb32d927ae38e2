import { parse } from 'yaml';
import { gitlabChildJobs } from './gitlab-child-pipeline';
import { matrixEntries } from './matrix-entries';

const naming = { buildTargetName: 'docker-build', publishTargetName: 'docker-publish' };
const refs = { base: 'a'.repeat(40), head: 'b'.repeat(40) };

describe('gitlabChildJobs', () => {
  it('one build job per (project, platform) extending the build template, its values as quoted job variables, then publish', () => {
    const entries = matrixEntries(
      [
        {
          id: 'vision:docker-build--cpu--app--linux-arm64',
          why: 'requirements/ml.txt (through vision:docker-build--cpu--ml--linux-arm64)',
        },
        { id: 'vision:docker-build--cpu--ml--linux-arm64', why: 'requirements/ml.txt' },
        { id: 'vision:docker-build--cpu--app--linux-amd64', why: 'src/$HOME.py' },
      ],
      naming,
      {
        runner: '',
        arm64Runner: 'saas-linux-small-arm64',
        verifyTargets: (_project, platform) => [`docker-test--${platform.replace('/', '-')}`, `docker-scan--${platform.replace('/', '-')}`],
      },
    );
    const child = parse(gitlabChildJobs(entries, refs)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(child)).toEqual(['variables', 'build vision linux/amd64', 'build vision linux/arm64', 'publish', 'summary']);
    expect(child.variables).toEqual({ NX_BASE: refs.base, NX_HEAD: refs.head });
    expect(child['build vision linux/amd64']).toEqual({
      extends: '.nx-strata-build',
      variables: {
        PROJECT: 'vision',
        PLATFORM: 'linux/amd64',
        TARGET: 'docker-build--linux-amd64',
        VERIFY: 'docker-test--linux-amd64,docker-scan--linux-amd64',
        LINT: 'true',
        QEMU: 'false',
        LAYERS: '1',
        // GitLab's escape for "$": a file name never expands a variable.
        WHY: 'src/$$HOME.py',
      },
    });
    // The arm64 pair runs on the arm64 runner's tag, natively; the amd64 pair takes any runner (no tags).
    expect(child['build vision linux/arm64']).toMatchObject({
      tags: ['saas-linux-small-arm64'],
      variables: { QEMU: 'false', LINT: 'false', LAYERS: '2' },
    });
    expect(child.publish).toEqual({ extends: '.nx-strata-publish' });
    expect(child.summary).toEqual({
      extends: '.nx-strata-summary',
      variables: {
        SUMMARY:
          'vision linux/amd64 on any runner: 1 affected layer (src/$$HOME.py)\nvision linux/arm64 on saas-linux-small-arm64: 2 affected layers (requirements/ml.txt (through vision:docker-build--cpu--ml--linux-arm64))',
      },
    });
  });

  it('nothing affected: one job that says so (GitLab refuses a child pipeline without jobs), and no publish', () => {
    const child = parse(gitlabChildJobs([], refs)) as Record<string, unknown>;
    expect(Object.keys(child)).toEqual(['variables', 'nothing affected']);
    expect(child['nothing affected']).toEqual({ extends: '.nx-strata-nothing' });
  });

  it('a value YAML would read as code stays a string: every value is a double-quoted scalar', () => {
    // matrix refuses such names before printing (unsafeMatrixValues); the quoting holds even if one got through.
    const hostile = {
      project: 'a: b\n"x": [1] # $(id)',
      platform: 'linux/amd64',
      target: 't',
      runner: '',
      qemu: false,
      layers: ['t'],
      verify: 'v',
      lint: true,
      why: 'src/"x": [1]\n# $(id)',
    };
    const child = parse(gitlabChildJobs([hostile], refs)) as Record<string, { variables: Record<string, string> }>;
    expect(Object.keys(child)).toEqual(['variables', `build ${hostile.project} linux/amd64`, 'publish', 'summary']);
    expect(child[`build ${hostile.project} linux/amd64`].variables.PROJECT).toBe(hostile.project);
    expect(child[`build ${hostile.project} linux/amd64`].variables.WHY).toBe('src/"x": [1]\n# $$(id)');
  });
});
