import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COREPACK_ENV, E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { platformOf, rawManifest } from './support/oci-manifest';
import { REPO_ROOT, VISION_EXAMPLE } from './support/paths';
import { TestRegistry } from './support/test-registry';

/**
 * Runs the pipeline of the commit at HEAD of `root`, on the main branch, in one checkout per job (gitlab-ci-local);
 * returns the jobs that passed and the whole output. Full task output in the jobs, so a test can see what each built.
 */
function runPipeline(root: string, env: NodeJS.ProcessEnv = {}, variables: string[] = []): { passed: string[]; output: string } {
  const result = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/gitlab-ci-local/dist/index.js'),
      '--shell-isolation',
      '--concurrency',
      '1',
      '--color',
      'false',
      ...variables.flatMap((variable) => ['--variable', variable]),
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
        FORCE_COLOR: '0',
        NX_DEFAULT_OUTPUT_STYLE: 'static',
      },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 20 * 60_000,
    },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`gitlab-ci-local exited with ${result.status}; its output ends with:\n${output.slice(-5000)}`);
  return { passed: [...output.matchAll(/^ PASS {2}(.+?)\s*$/gm)].map((match) => match[1]), output };
}

/**
 * The GitLab pipeline `nx g nx-strata:ci --provider=gitlab` writes, run for real by gitlab-ci-local against this
 * machine's Docker and registries: the plan job, the dynamic child pipeline it writes (one job per affected project
 * and platform, each in its own checkout), and publish. Docker-in-Docker needs Docker Hub's images, so the jobs run
 * in the shell-runner variant the generator also writes (`--dockerEngine=shell`); the dind variant and the protected
 * variables are checked on the parsed files in unit tests (gitlab-pipeline.spec.ts).
 */
describe('GitLab CI: the generated pipeline under gitlab-ci-local', () => {
  let build: TestRegistry;
  let first: TestRegistry;
  let second: TestRegistry;
  let workspace: E2EWorkspace;

  const pipeline = () => runPipeline(workspace.root);
  // The shell-runner variant, on this machine's registries, without a remote cache.
  const generate = (...options: string[]) =>
    workspace.nx([
      'g',
      'nx-strata:ci',
      '--provider=gitlab',
      '--dockerEngine=shell',
      `--registry=${build.host}/builds`,
      `--untrustedRegistry=${build.host}/untrusted`,
      '--remoteCache=none',
      ...options,
    ]);

  beforeAll(async () => {
    [build, first, second] = await Promise.all([TestRegistry.start(), TestRegistry.start(), TestRegistry.start()]);
    workspace = E2EWorkspace.forUser(
      (root) => {
        cpSync(VISION_EXAMPLE, root, {
          recursive: true,
          filter: (source) => !/[/\\](node_modules|dist|\.nx|package\.json|\.gitignore)$/.test(source),
        });
        const config = JSON.parse(readFileSync(join(root, 'strata.json'), 'utf8'));
        config.publish = { registries: [`${first.host}/acme`, `${second.host}/mirror`], tags: ['latest-{variant}'] };
        writeFileSync(join(root, 'strata.json'), JSON.stringify(config, null, 2));
      },
      { vendorPlugin: true },
    );
    // gitlab-ci-local keeps each job's checkout under .gitlab-ci-local/: ignored, so Nx finds no second workspace there.
    workspace.write('.gitignore', 'node_modules\n.nx/cache\n.nx/workspace-data\ndist\n.gitlab-ci-local/\n');
    expectSuccess(generate());
    workspace.commitAll('nx-strata and its GitLab pipeline');
  });
  afterAll(async () => {
    workspace?.remove();
    await Promise.all([build, first, second].map((registry) => registry?.destroy()));
  });

  test('a code change on main: plan, one build job per affected platform, publish; both registries hold the two-platform list', async () => {
    workspace.append('src/vision/__init__.py', '# a code change\n');
    workspace.commitAll('feat: a code change');
    const { passed, output } = pipeline();
    expect(passed.sort()).toEqual(
      [
        'nx-strata-plan',
        'nx-strata-build',
        '[nx-strata-build] -> build vision linux/amd64',
        '[nx-strata-build] -> build vision linux/arm64',
        '[nx-strata-build] -> publish',
        '[nx-strata-build] -> summary',
      ].sort(),
    );
    expect(output).not.toContain('nx-strata-build-merge-request');
    expect(output).toContain('vision linux/arm64 on any runner (QEMU): 1 affected layer');
    // Each platform was built in its own job; publish built nothing (its layers are hits).
    const jobLines = (job: string) => output.split('\n').filter((line) => line.includes(`[nx-strata-build] -> ${job} `));
    // The layers a job built: "built layer" lines, except in the output Nx replays for a cache hit.
    const built = (job: string) => {
      let replayed = false;
      const layers = jobLines(job).flatMap((line) => {
        const header = /> nx run \S+(.*)$/.exec(line);
        if (header) replayed = /\[(local|remote) cache\]|existing outputs match/.test(header[1]);
        const layer = /nx-strata: built layer "(\w+)"/.exec(line)?.[1];
        return layer && !replayed ? [layer] : [];
      });
      return [...new Set(layers)].sort();
    };
    expect(built('build vision linux/arm64')).toEqual(['app', 'base', 'ml']);
    expect(jobLines('publish').some((line) => line.includes('Successfully ran target docker-publish'))).toBe(true);
    expect(built('publish')).toEqual([]);
    const digest = await first.digest('acme/acme/vision', 'latest-cpu');
    expect(digest).toMatch(/^sha256:/);
    expect(await second.digest('mirror/acme/vision', 'latest-cpu')).toBe(digest);
    const list = rawManifest(`${first.host}/acme/acme/vision:latest-cpu`);
    expect(
      list
        .manifests!.map(platformOf)
        .filter((platform) => platform !== 'unknown/unknown')
        .sort(),
    ).toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('a docs-only change on main: the plan runs, the child pipeline has nothing to build, nothing is published', async () => {
    const before = await first.digest('acme/acme/vision', 'latest-cpu');
    workspace.append('NOTES.md', '\nA note that no image reads.\n');
    workspace.commitAll('docs: a note');
    const { passed, output } = pipeline();
    expect(passed.sort()).toEqual(['nx-strata-plan', 'nx-strata-build', '[nx-strata-build] -> nothing affected'].sort());
    expect(output).toContain('nx-strata: nothing affected, no image to build or publish');
    expect(await first.digest('acme/acme/vision', 'latest-cpu')).toBe(before);
  });

  test('a release tag with --publishOn=tag: only the release job runs, and publishes the version the tag names, with no build', async () => {
    const config = JSON.parse(workspace.read('strata.json'));
    config.publish.tags = ['{version}-{variant}', 'latest-{variant}'];
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    expectSuccess(generate('--publishOn=tag'));
    workspace.commitAll('chore: publish on release tags');
    // Built on main first, as a team's main pipeline does before the tag is pushed.
    expect(pipeline().passed).toContain('[nx-strata-build] -> build vision linux/amd64');
    workspace.git('tag', 'v2.0.0');
    // A tag pipeline, as GitLab makes it (gitlab-ci-local names the branch even for a tag, so it is cleared).
    const { passed, output } = runPipeline(workspace.root, {}, ['CI_COMMIT_TAG=v2.0.0', 'CI_COMMIT_BRANCH=']);
    expect(passed).toEqual(['nx-strata-publish-release']);
    expect(output).not.toMatch(/nx-strata: built layer/);
    const digest = await first.digest('acme/acme/vision', '2.0.0-cpu');
    expect(digest).toMatch(/^sha256:/);
    expect(await second.digest('mirror/acme/vision', '2.0.0-cpu')).toBe(digest);
    expect(await first.digest('acme/acme/vision', 'latest-cpu')).toBe(digest);
  });
});

/**
 * Issue 26 item 4: the pipeline a pnpm or Yarn 2+ workspace gets installs with that package manager (through corepack,
 * its frozen lock file) and runs nx with it, unedited. Jobs run on this machine's Node 20 (the shell-runner variant);
 * corepack reaches the package managers through the npm registry here (COREPACK_ENV).
 */
describe.each(['pnpm@9.15.0', 'yarn@4.5.3'] as const)('GitLab CI for a %s workspace', (packageManager) => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    workspace = E2EWorkspace.forUser(
      (root) => {
        mkdirSync(join(root, 'images/tiny'), { recursive: true });
        writeFileSync(
          join(root, 'images/tiny/Dockerfile'),
          'FROM strata-fixtures/busybox:amd64\nCOPY app.txt /app.txt\nUSER 65534:65534\nCMD ["cat", "/app.txt"]\n',
        );
        writeFileSync(join(root, 'images/tiny/app.txt'), 'v1\n');
        writeFileSync(
          join(root, 'images/tiny/strata.json'),
          JSON.stringify({
            image: 'acme/tiny',
            layers: { tiny: { dockerfile: 'Dockerfile', lint: { rules: { healthcheck: 'off' } } } },
            publish: { registries: [`${registry.host}/acme`], tags: ['latest'] },
          }),
        );
        writeFileSync(join(root, '.nvmrc'), '20\n');
      },
      { packageManager },
    );
    workspace.write('.gitignore', 'node_modules\n.nx\ndist\n.gitlab-ci-local/\n.pnpm-store/\n.yarn/cache/\n.yarn/install-state.gz\n');
    expectSuccess(workspace.nx(['g', 'nx-strata:init', '--skipStrataConfig']));
    const generated = workspace.nx([
      'g',
      'nx-strata:ci',
      '--provider=gitlab',
      '--dockerEngine=shell',
      `--registry=${registry.host}/builds`,
      `--untrustedRegistry=${registry.host}/untrusted`,
      '--remoteCache=none',
    ]);
    expectSuccess(generated);
    expect(generated.output).toContain(`Node 20 (.nvmrc (20)) and ${packageManager.startsWith('pnpm') ? 'pnpm 9.15.0' : 'Yarn 2+ 4.5.3'}`);
    workspace.commitAll('nx-strata and its GitLab pipeline');
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('a code change on main: every job installs with the frozen lock file and runs nx with it; the image is published', async () => {
    workspace.write('images/tiny/app.txt', 'v2\n');
    workspace.commitAll('feat: v2');
    const { passed, output } = runPipeline(workspace.root, COREPACK_ENV);
    expect(passed.sort()).toEqual(
      [
        'nx-strata-plan',
        'nx-strata-build',
        '[nx-strata-build] -> build tiny-image linux/amd64',
        '[nx-strata-build] -> publish',
        '[nx-strata-build] -> summary',
      ].sort(),
    );
    const install = packageManager.startsWith('pnpm')
      ? 'corepack pnpm install --frozen-lockfile --store-dir .pnpm-store'
      : 'corepack yarn install --immutable';
    for (const job of ['nx-strata-plan', '[nx-strata-build] -> build tiny-image linux/amd64', '[nx-strata-build] -> publish']) {
      const lines = output.split('\n').filter((line) => line.includes(`${job} `));
      expect({
        job,
        installed: lines.some((line) => line.includes(install)),
        seen: lines.filter((line) => / \$ /.test(line)).slice(0, 6),
      }).toMatchObject({
        job,
        installed: true,
      });
    }
    expect(output).toContain('tiny-image linux/amd64 on any runner: 1 affected layer (images/tiny/app.txt)');
    expect(await registry.digest('acme/acme/tiny', 'latest')).toMatch(/^sha256:/);
    // No tracked file changed (corepack pins no packageManager; gitlab-ci-local leaves the child pipeline file, untracked).
    expect(workspace.git('diff', '--name-only').trim()).toBe('');
  });
});
