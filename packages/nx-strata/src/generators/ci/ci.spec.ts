import { expectKnownCommand, useVisionWorkspace } from '../../test-utils/ci-spec-helpers';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from 'nx/src/devkit-exports';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { splitCommand } from '../../utils/split-command';
import { ciGenerator, GITHUB_WORKFLOW_PATH } from './ci';
import type { CiGeneratorSchema } from './schema';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  id?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  'runs-on': string;
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  strategy?: { matrix: string };
  steps: Step[];
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

// Nx's file list comes from this process, never from a daemon of another workspace.
process.env.NX_DAEMON = 'false';

describe('nx-strata:ci --provider=github', () => {
  const workspaceRoot = useVisionWorkspace();

  async function generate(options: CiGeneratorSchema): Promise<{ text: string; workflow: Workflow }> {
    const tree = new FsTree(workspaceRoot(), false);
    await ciGenerator(tree, options);
    flushChanges(workspaceRoot(), tree.listChanges());
    const text = readFileSync(join(workspaceRoot(), GITHUB_WORKFLOW_PATH), 'utf8');
    return { text, workflow: parse(text) as Workflow };
  }
  const runLines = (workflow: Workflow) =>
    Object.values(workflow.jobs)
      .flatMap((job) => job.steps.flatMap((step) => (step.run ?? '').split('\n')))
      .filter((line) => /\bnpx (nx|nx-strata) /.test(line))
      // A GitHub expression is one word: `${{ matrix.verify }}` → `<matrix.verify>`.
      .map((line) => line.replace(/\$\{\{\s*(.*?)\s*\}\}/g, '<$1>'));

  it('plans, fans out one build job per affected (project, platform) for pull requests and for main, publishes on main, and sums up', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build-pr', 'build-main', 'publish', 'summary']);
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    const { plan, publish, summary } = workflow.jobs;
    expect(plan.outputs).toEqual({ matrix: '${{ steps.matrix.outputs.matrix }}', any: '${{ steps.matrix.outputs.any }}' });
    expect(plan.steps.find((step) => step.uses === 'actions/checkout@v4')?.with).toEqual({
      'persist-credentials': false,
      'fetch-depth': 0,
    });
    for (const [id, event] of [
      ['build-pr', 'pull_request'],
      ['build-main', 'push'],
    ]) {
      const build = workflow.jobs[id];
      expect(build.needs).toBe('plan');
      expect(build.if).toBe(`\${{ github.event_name == '${event}' && needs.plan.outputs.any == 'true' }}`);
      expect(build.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
      expect(build['runs-on']).toBe('${{ matrix.runner }}');
      expect(build.steps.find((step) => step.uses === 'docker/setup-qemu-action@v3')?.if).toBe('${{ matrix.qemu }}');
      expect(build.steps.find((step) => step.uses === 'actions/cache@v4')?.with?.path).toBe('${{ env.STRATA_HISTORY_DIR }}');
      // Same runner, same digests: the platform's tests and scans, and (once per project) the lint; SARIF is uploaded.
      const names = build.steps.map((step) => step.name ?? step.uses);
      const buildStep = names.findIndex((name) => name?.startsWith('Build and push this platform'));
      expect(names[buildStep + 1]).toBe('Test and scan the digests just built (same runner; cache hits for unchanged digests)');
      // The matrix names only the verification targets the project has: none, and the step is skipped.
      expect(build.steps[buildStep + 1].if).toBe("${{ matrix.verify != '' }}");
      const [scanUpload, upload] = build.steps.filter((step) => step.uses === 'github/codeql-action/upload-sarif@v3');
      expect(scanUpload.if).toBe("${{ always() && hashFiles('dist/strata/**/*.scan.sarif') != '' }}");
      expect(upload.with).toEqual({
        sarif_file: 'dist/strata-sarif/${{ matrix.project }}.sarif',
        category: 'nx-strata-docker-lint-${{ matrix.project }}',
      });
      expect(build.steps.find((step) => step.name === 'Lint the Dockerfiles (SARIF)')?.run).toBe(
        'npx nx run "$PROJECT:docker-lint" --sarif="dist/strata-sarif/$PROJECT.sarif"',
      );
    }
    expect(publish.if).toBe("${{ github.event_name == 'push' && needs.plan.outputs.any == 'true' }}");
    expect(publish.needs).toEqual(['plan', 'build-main']);
    expect(summary.if).toBe('${{ always() }}');
  });

  it('asks for an OIDC token (keyless signing) on the publish job alone, and only when an image signs what it publishes', async () => {
    const permissions = (workflow: Workflow) =>
      Object.fromEntries(Object.entries(workflow.jobs).map(([id, job]) => [id, job.permissions?.['id-token']]));
    expect(Object.values(permissions((await generate({})).workflow)).filter(Boolean)).toEqual([]);
    const config = JSON.parse(readFileSync(join(workspaceRoot(), 'strata.json'), 'utf8'));
    config.variants.cuda.publish = { ...config.variants.cuda.publish, sign: 'cosign' };
    writeFileSync(join(workspaceRoot(), 'strata.json'), JSON.stringify(config, null, 2));
    const signing = permissions((await generate({})).workflow);
    expect(Object.entries(signing).filter(([, value]) => value)).toEqual([['publish', 'write']]);
  });

  it('keeps every credential that writes the trusted namespace or the cache in the trusted environment, and gives pull requests none', async () => {
    const { workflow } = await generate({});
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const { plan, summary } = workflow.jobs;
    const pr = workflow.jobs['build-pr'];
    const main = workflow.jobs['build-main'];
    const publish = workflow.jobs.publish;
    // The only jobs that can see a writing secret run in the environment (its branch policy decides who gets it).
    const writers = Object.entries(workflow.jobs).filter(([, job]) =>
      /STRATA_TRUSTED_REGISTRY_TOKEN|NX_CACHE_WRITE_TOKEN|NX_CLOUD_ACCESS_TOKEN/.test(JSON.stringify(job)),
    );
    expect(writers.map(([id]) => id)).toEqual(['build-main', 'publish']);
    for (const job of [main, publish]) {
      expect(job.environment).toBe('nx-strata-trusted');
      expect(job.env?.STRATA_TRUST).toBe('trusted');
      expect(job.permissions).toMatchObject({ contents: 'read', packages: 'read' });
      expect(job.steps.find((step) => step.uses === 'docker/login-action@v3')?.with).toEqual({
        registry: '${{ env.REGISTRY_HOST }}',
        username: '${{ vars.STRATA_TRUSTED_REGISTRY_USER }}',
        password: '${{ secrets.STRATA_TRUSTED_REGISTRY_TOKEN }}',
      });
    }
    // Pull requests: untrusted, GITHUB_TOKEN to the untrusted namespace's host (a fork's token writes nothing: no login).
    expect(pr.environment).toBeUndefined();
    expect(pr.env?.STRATA_TRUST).toBe('untrusted');
    expect(pr.env?.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN).toBe('${{ secrets.NX_CACHE_READ_TOKEN }}');
    expect(pr.permissions).toEqual({ contents: 'read', packages: 'write', 'security-events': 'write' });
    const prLogin = pr.steps.find((step) => step.uses === 'docker/login-action@v3')!;
    expect(prLogin.if).toBe('${{ !github.event.pull_request.head.repo.fork }}');
    expect(prLogin.with).toEqual({
      registry: '${{ env.UNTRUSTED_REGISTRY_HOST }}',
      username: '${{ github.actor }}',
      password: '${{ secrets.GITHUB_TOKEN }}',
    });
    const prBuild = pr.steps.find((step) => step.name?.startsWith('Build and push this platform'))!;
    expect(prBuild.env?.STRATA_UNTRUSTED_REGISTRY).toBe(
      "${{ !github.event.pull_request.head.repo.fork && env.STRATA_UNTRUSTED_REGISTRY || '' }}",
    );
    expect(workflow.env).toMatchObject({
      STRATA_REGISTRY: 'ghcr.io/${{ github.repository_owner }}',
      STRATA_UNTRUSTED_REGISTRY: 'ghcr.io/${{ github.repository_owner }}/untrusted',
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.NX_CACHE_SERVER }}',
    });
    for (const unprivileged of [workflow.env, plan, summary]) expect(JSON.stringify(unprivileged)).not.toMatch(/secrets\.|environment/);
    const cloud = (await generate({ remoteCache: 'nx-cloud' })).workflow.jobs;
    expect(cloud['build-pr'].env?.NX_CLOUD_ACCESS_TOKEN).toBe('${{ secrets.NX_CLOUD_READ_TOKEN }}');
    expect(cloud['build-main'].env?.NX_CLOUD_ACCESS_TOKEN).toBe('${{ secrets.NX_CLOUD_ACCESS_TOKEN }}');
  });

  it('puts no ${{ }} value into a run: script: matrix values reach the shell as quoted variables', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
  });

  it('runs every run: line under bash with hostile values as GitHub would expand them, and nothing of them executes', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-hostile-'));
    try {
      const marker = (name: string) => join(scratch, `executed-${name}`);
      const hostile: Record<string, string> = {
        'matrix.project': `web$(touch\${IFS}${marker('project')})`,
        'matrix.target': `\`touch ${marker('target')}\``,
        'matrix.verify': `docker-test--linux-amd64"; touch ${marker('verify')}; echo "`,
        'matrix.platform': `linux/amd64'; touch ${marker('platform')}; '`,
        'matrix.runner': 'ubuntu-latest',
        'needs.plan.outputs.matrix': `{"include":[]}'; touch ${marker('matrix')}; '`,
      };
      const bin = join(scratch, 'bin');
      mkdirSync(bin);
      const calls = join(scratch, 'npx-calls');
      writeFileSync(join(bin, 'npx'), `#!/bin/bash\nprintf '%s\\n' "$@" >> '${calls}'\necho '{"include":[]}'\n`, { mode: 0o755 });
      writeFileSync(join(bin, 'jq'), '#!/bin/bash\ncat > /dev/null\necho 0\n', { mode: 0o755 });
      writeFileSync(join(bin, 'npm'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
      let ran = 0;
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps.filter((candidate) => candidate.run)) {
          const env: Record<string, string> = {};
          // GitHub's own expansion: the expression's value is pasted into the text.
          const expand = (text: string) =>
            text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) =>
              expression in hostile ? hostile[expression] : expression.startsWith('env.') ? (env[expression.slice(4)] ?? '') : 'x',
            );
          for (const layer of [workflow.env, job.env ?? {}, step.env ?? {}])
            for (const [name, value] of Object.entries(layer)) env[name] = expand(String(value));
          const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', expand(step.run!)], {
            cwd: scratch,
            env: {
              ...env,
              PATH: `${bin}:${process.env.PATH}`,
              HOME: scratch,
              GITHUB_OUTPUT: join(scratch, 'out'),
              GITHUB_STEP_SUMMARY: join(scratch, 'summary'),
              NX_BASE: 'main',
              NX_HEAD: 'HEAD',
            },
            encoding: 'utf8',
          });
          expect({ job: id, step: step.name ?? step.run, status: result.status, stderr: result.stderr }).toEqual({
            job: id,
            step: step.name ?? step.run,
            status: 0,
            stderr: '',
          });
          ran++;
        }
      }
      expect(ran).toBeGreaterThanOrEqual(12);
      expect(readdirSync(scratch).filter((name) => name.startsWith('executed-'))).toEqual([]);
      // The hostile name arrived as data, whole, in one argument.
      expect(readFileSync(calls, 'utf8').split('\n')).toContain(`${hostile['matrix.project']}:${hostile['matrix.target']}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('refuses to write a workflow with a value a shell or YAML would read as code, naming it', async () => {
    await expect(generate({ runner: 'ubuntu-latest; curl evil' })).rejects.toThrow('--runner: the runner label "ubuntu-latest; curl evil"');
    await expect(generate({ mainBranch: 'main]\n  workflow_dispatch: [' })).rejects.toThrow('trusted branch: the branch');
    await expect(generate({ registry: 'ghcr.io/acme $(id)' })).rejects.toThrow(
      '--registry: "ghcr.io/acme $(id)" is not a lower-case registry path',
    );
    await expect(generate({ registry: 'ghcr.io/acme', untrustedRegistry: 'ghcr.io/acme' })).rejects.toThrow(
      '--untrustedRegistry is the trusted registry itself',
    );
    const config = JSON.parse(readFileSync(join(workspaceRoot(), 'strata.json'), 'utf8'));
    writeFileSync(join(workspaceRoot(), 'strata.json'), JSON.stringify({ ...config, project: 'web$(touch${IFS}/tmp/x)' }));
    await expect(generate({})).rejects.toThrow(
      'image project: the project name "web$(touch${IFS}/tmp/x)" has characters a shell or YAML would read as code',
    );
  });

  it('publishes on the release tags the repository publishes on today, logging in to each publish registry with its own secrets', async () => {
    const configPath = join(workspaceRoot(), 'strata.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.publish = { ...config.publish, registries: ['docker.io', 'ghcr.io/acme', 'registry.example.com:5000/team'] };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    mkdirSync(join(workspaceRoot(), '.github/workflows'), { recursive: true });
    writeFileSync(
      join(workspaceRoot(), '.github/workflows/docker.yml'),
      [
        'on:',
        '  push:',
        "    tags: ['v*.*.*']",
        'jobs:',
        '  docker:',
        '    steps:',
        '      - uses: docker/login-action@v3',
        '        with:',
        '          username: ${{ secrets.DOCKERHUB_USERNAME }}',
        '          password: ${{ secrets.DOCKERHUB_TOKEN }}',
        '      - uses: docker/metadata-action@v5',
        `        with: {images: "${config.image}", tags: "type=semver,pattern={{version}}"}`,
      ].join('\n'),
    );
    const { text, workflow } = await generate({});
    expect(workflow.on).toEqual({ push: { branches: ['main'], tags: ['v*.*.*'] }, pull_request: null });
    // Every image publishes on tags, as before: no publish on pushes to main, a release job on tags.
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build-pr', 'build-main', 'publish-release', 'summary']);
    expect(workflow.jobs.plan.if).toBe("${{ github.ref_type != 'tag' }}");
    const release = workflow.jobs['publish-release'];
    expect(release).toMatchObject({ if: "${{ github.ref_type == 'tag' }}", environment: 'nx-strata-trusted' });
    expect(release.env).toMatchObject({ STRATA_TRUST: 'trusted', RELEASE_TAG: '${{ github.ref_name }}', TAG_PREFIX: 'v' });
    const logins = release.steps.filter((step) => step.uses === 'docker/login-action@v3').map((step) => step.with);
    expect(logins).toEqual([
      expect.objectContaining({ registry: '${{ env.REGISTRY_HOST }}' }),
      // The repository's own Docker Hub secrets; GHCR is the trusted host already; another registry gets named ones.
      { registry: 'docker.io', username: '${{ secrets.DOCKERHUB_USERNAME }}', password: '${{ secrets.DOCKERHUB_TOKEN }}' },
      {
        registry: 'registry.example.com:5000',
        username: '${{ vars.REGISTRY_EXAMPLE_COM_5000_USERNAME }}',
        password: '${{ secrets.REGISTRY_EXAMPLE_COM_5000_TOKEN }}',
      },
    ]);
    expect(text).toContain('add the tag pattern to its deployment policy');

    // The tag becomes the version without its prefix, as data: a hostile tag runs nothing.
    const script = release.steps.find((step) => step.run?.includes('STRATA_VERSION'))!.run!;
    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-release-'));
    try {
      writeFileSync(join(scratch, 'npx'), '#!/bin/bash\nprintf \'%s|%s\\n\' "$STRATA_VERSION" "$*"\n', { mode: 0o755 });
      const run = (tag: string) =>
        spawnSync('bash', ['-e', '-c', script], {
          cwd: scratch,
          env: { PATH: `${scratch}:${process.env.PATH}`, RELEASE_TAG: tag, TAG_PREFIX: release.env!.TAG_PREFIX },
          encoding: 'utf8',
        }).stdout.trim();
      expect(run('v1.4.2')).toBe('1.4.2|nx run-many -t docker-publish');
      expect(run('v1$(touch pwned)')).toBe('1$(touch pwned)|nx run-many -t docker-publish');
      expect(readdirSync(scratch)).toEqual(['npx']);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }

    // Told otherwise, pushes to main publish, as they did.
    const branch = (await generate({ publishOn: 'branch' })).workflow;
    expect(Object.keys(branch.jobs)).toContain('publish');
    expect(Object.keys(branch.jobs)).not.toContain('publish-release');
    expect(branch.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
  });

  it('runs only commands and targets that exist: nx-strata commands with their own flags, inferred nx targets', async () => {
    const { workflow } = await generate({ arm64Runner: 'ubuntu-24.04-arm' });
    const lines = runLines(workflow);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      expectKnownCommand(splitCommand(line.replace(/^.*?\$\(|\)$/g, '').replace(/^.*?(npx )/, '$1')));
    }
  });

  it("trusts the branch the repository works on: the remote's default branch over nx.json's defaultBase, and says so (issue 27 item 6)", async () => {
    mkdirSync(join(workspaceRoot(), '.git/refs/remotes/origin'), { recursive: true });
    writeFileSync(join(workspaceRoot(), '.git/refs/remotes/origin/HEAD'), 'ref: refs/remotes/origin/next\n');
    const info = jest.spyOn(logger, 'info');
    expect((await generate({})).workflow.on).toEqual({ push: { branches: ['next'] }, pull_request: null });
    expect(info.mock.calls.map(([message]) => String(message))).toContainEqual(
      expect.stringContaining("nx-strata: trusted branch next, from the remote's default branch (origin/HEAD)"),
    );
    // --mainBranch decides instead.
    expect((await generate({ mainBranch: 'main' })).workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
  });

  it("triggers on the branch nx.json's defaultBase names, without its remote (origin/main → main)", async () => {
    const nxJsonPath = join(workspaceRoot(), 'nx.json');
    writeFileSync(nxJsonPath, JSON.stringify({ ...JSON.parse(readFileSync(nxJsonPath, 'utf8')), defaultBase: 'origin/main' }));
    expect((await generate({})).workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    expect((await generate({ mainBranch: 'refs/heads/trunk' })).workflow.on).toEqual({
      push: { branches: ['trunk', 'main'] },
      pull_request: null,
    });
  });

  it("sets up the repository's own Node and package manager: a pnpm workspace on Node 22, a Yarn 4 one, an npm one", async () => {
    const setupOf = (job: Job) => job.steps.slice(0, job.steps.findIndex((step) => step.run && /install|npm ci/.test(step.run)) + 1);
    const manifest = JSON.parse(readFileSync(join(workspaceRoot(), 'package.json'), 'utf8'));
    writeFileSync(join(workspaceRoot(), '.nvmrc'), '22\n');
    writeFileSync(join(workspaceRoot(), 'package.json'), JSON.stringify({ ...manifest, packageManager: 'pnpm@9.15.0' }));
    writeFileSync(join(workspaceRoot(), 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const pnpm = (await generate({})).workflow;
    for (const job of [pnpm.jobs.plan, pnpm.jobs['build-pr'], pnpm.jobs['build-main'], pnpm.jobs.publish]) {
      const steps = setupOf(job);
      expect(steps.map((step) => step.uses ?? step.run)).toEqual([
        'actions/checkout@v4',
        'pnpm/action-setup@v4',
        'actions/setup-node@v4',
        'pnpm install --frozen-lockfile',
      ]);
      expect(steps[2].with).toEqual({ 'node-version-file': '.nvmrc', cache: 'pnpm' });
    }
    const runs = Object.values(pnpm.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ?? '').split('\n')));
    expect(runs.filter((line) => /\b(nx|nx-strata) (run|affected|show|matrix|report)/.test(line) && !line.includes('pnpm exec'))).toEqual(
      [],
    );
    expect(runs.some((line) => line.includes('$(pnpm exec nx-strata matrix'))).toBe(true);

    rmSync(join(workspaceRoot(), 'pnpm-lock.yaml'));
    rmSync(join(workspaceRoot(), '.nvmrc'));
    writeFileSync(join(workspaceRoot(), 'yarn.lock'), '');
    writeFileSync(
      join(workspaceRoot(), 'package.json'),
      JSON.stringify({ ...manifest, packageManager: 'yarn@4.5.3', engines: { node: '>=22 <25' } }),
    );
    const berry = (await generate({})).workflow;
    const steps = setupOf(berry.jobs.plan);
    expect(steps.map((step) => step.uses ?? step.run)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'corepack enable',
      'actions/cache@v4',
      'yarn install --immutable',
    ]);
    expect(steps[1].with).toEqual({ 'node-version': '22' });
    expect(steps[4].env).toEqual({ YARN_ENABLE_GLOBAL_CACHE: false });
    expect(berry.jobs.publish.steps.find((step) => step.run?.includes('nx affected'))?.run).toMatch(/^yarn nx affected -t docker-publish/);

    rmSync(join(workspaceRoot(), 'yarn.lock'));
    writeFileSync(join(workspaceRoot(), 'package-lock.json'), '{}');
    writeFileSync(join(workspaceRoot(), 'package.json'), JSON.stringify({ ...manifest, volta: { node: '22.12.0' } }));
    const npm = (await generate({})).workflow;
    expect(setupOf(npm.jobs.plan).map((step) => step.uses ?? step.run)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'npm ci']);
    expect(setupOf(npm.jobs.plan)[1].with).toEqual({ 'node-version-file': 'package.json', cache: 'npm' });
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
