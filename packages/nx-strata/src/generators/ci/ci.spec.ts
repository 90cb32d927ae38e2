import { createTempWorkspace } from '../../test-utils/temp-workspace';
import { logger } from '@nx/devkit';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { COMMAND_FLAGS } from '../../cli/main';
import { splitCommand } from '../../utils/split-command';
import { ciGenerator, GITHUB_WORKFLOW_PATH } from './ci';
import type { CiGeneratorSchema } from './schema';

const VISION = resolve(__dirname, '../../../../../examples/vision');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  id?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  'runs-on': string;
  strategy?: { matrix: string };
  steps: Step[];
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

describe('nx-strata:ci --provider=github', () => {
  let root: string;
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    root = createTempWorkspace({});
    cpSync(VISION, root, { recursive: true, filter: (source) => !/node_modules|[/\\]dist$|[/\\]\.nx$/.test(source) });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });

  async function generate(options: CiGeneratorSchema): Promise<{ text: string; workflow: Workflow }> {
    const tree = new FsTree(root, false);
    await ciGenerator(tree, options);
    flushChanges(root, tree.listChanges());
    const text = readFileSync(join(root, GITHUB_WORKFLOW_PATH), 'utf8');
    return { text, workflow: parse(text) as Workflow };
  }
  const runLines = (workflow: Workflow) =>
    Object.values(workflow.jobs)
      .flatMap((job) => job.steps.flatMap((step) => (step.run ?? '').split('\n')))
      .filter((line) => /\bnpx (nx|nx-strata) /.test(line))
      // A GitHub expression is one word: `${{ matrix.verify }}` → `<matrix.verify>`.
      .map((line) => line.replace(/\$\{\{\s*(.*?)\s*\}\}/g, '<$1>'));

  it('plans, fans out one build job per affected (project, platform), publishes once on main, and sums up', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build', 'publish', 'summary']);
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    const { plan, build, publish, summary } = workflow.jobs;
    expect(plan.outputs).toEqual({ matrix: '${{ steps.matrix.outputs.matrix }}', any: '${{ steps.matrix.outputs.any }}' });
    expect(plan.steps.find((step) => step.uses === 'actions/checkout@v4')?.with).toEqual({ 'fetch-depth': 0 });
    expect(build.needs).toBe('plan');
    expect(build.if).toBe("${{ needs.plan.outputs.any == 'true' }}");
    expect(build.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(build['runs-on']).toBe('${{ matrix.runner }}');
    expect(build.steps.find((step) => step.uses === 'docker/setup-qemu-action@v3')?.if).toBe('${{ matrix.qemu }}');
    expect(build.steps.find((step) => step.uses === 'actions/cache@v4')?.with?.path).toBe('${{ env.STRATA_HISTORY_DIR }}');
    // Same runner, same digests: the platform's tests and scans, and (once per project) the lint; SARIF is uploaded.
    const names = build.steps.map((step) => step.name ?? step.uses);
    expect(names.indexOf('Test and scan the digests just built (same runner; cache hits for unchanged digests)')).toBe(
      names.indexOf('Build and push this platform') + 1,
    );
    const [scanUpload, upload] = build.steps.filter((step) => step.uses === 'github/codeql-action/upload-sarif@v3');
    expect(scanUpload.if).toBe("${{ always() && hashFiles('dist/strata/**/*.scan.sarif') != '' }}");
    expect(scanUpload.with).toEqual({
      sarif_file: 'dist/strata',
      category: 'nx-strata-docker-scan-${{ matrix.project }}-${{ matrix.platform }}',
    });
    expect(upload.with).toEqual({
      sarif_file: 'dist/strata-sarif/${{ matrix.project }}.sarif',
      category: 'nx-strata-docker-lint-${{ matrix.project }}',
    });
    expect(build.steps.find((step) => step.name === 'Lint the Dockerfiles (SARIF)')?.run).toBe(
      'npx nx run ${{ matrix.project }}:docker-lint --sarif=dist/strata-sarif/${{ matrix.project }}.sarif',
    );
    expect(publish.if).toBe("${{ github.event_name == 'push' && needs.plan.outputs.any == 'true' }}");
    expect(publish.needs).toEqual(['plan', 'build']);
    expect(summary.if).toBe('${{ always() }}');
  });

  it('gives pull requests the read token and the main branch the read-write one', async () => {
    const selfHosted = (await generate({})).workflow.env;
    expect(selfHosted.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBe('${{ vars.NX_CACHE_SERVER }}');
    expect(selfHosted.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).toBe(
      "${{ github.event_name == 'push' && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN }}",
    );
    const cloud = (await generate({ remoteCache: 'nx-cloud' })).workflow.env;
    expect(cloud.NX_CLOUD_ACCESS_TOKEN).toBe(
      "${{ github.event_name == 'push' && secrets.NX_CLOUD_ACCESS_TOKEN || secrets.NX_CLOUD_READ_TOKEN }}",
    );
    expect(cloud.NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBeUndefined();
  });

  it('runs only commands and targets that exist: nx-strata commands with their own flags, inferred nx targets', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    const lines = runLines(workflow);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      const words = splitCommand(line.replace(/^.*?\$\(|\)$/g, '').replace(/^.*?(npx )/, '$1'));
      if (words[1] === 'nx-strata') {
        expect(Object.keys(COMMAND_FLAGS)).toContain(words[2]);
        for (const flag of words.filter((word) => word.startsWith('--')))
          expect(COMMAND_FLAGS[words[2]]).toContain(flag.slice(2).split('=')[0]);
      } else {
        const targets = words.flatMap((word, index) =>
          words[index - 1] === '-t' ? [word] : word.includes(':') && words[index - 1] === 'run' ? [word.split(':')[1]] : [],
        );
        for (const target of targets)
          expect(['docker-build', 'docker-publish', 'docker-lint', '<matrix.target>', '<matrix.verify>']).toContain(target);
      }
    }
  });

  it('its matrix command is one the CLI takes, with the arm64 runner passed on', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    const script = workflow.jobs.plan.steps.find((step) => step.id === 'matrix')!.run!;
    const command = /\$\((npx nx-strata matrix [^)]*)\)/.exec(script)![1];
    const words = splitCommand(command.replace('"$NX_BASE"', 'main').replace('"$NX_HEAD"', 'HEAD')).slice(2);
    expect(words[0]).toBe('matrix');
    expect(words).toEqual(expect.arrayContaining(['--arm64-runner', 'ubuntu-24.04-arm', '--base', 'main', '--head', 'HEAD']));
    // The e2e suite monorepo.e2e-spec.ts runs this command for real, through Nx's own affected tasks.
  });
});
