import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from 'nx/src/devkit-exports';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { gitlabChildJobs } from '../../cli/gitlab-child-pipeline';
import { matrixEntries } from '../../cli/matrix-entries';
import { expectKnownCommand, useVisionWorkspace } from '../../test-utils/ci-spec-helpers';
import { splitCommand } from '../../utils/split-command';
import { ciGenerator, GITLAB_INCLUDED_PATH, GITLAB_PIPELINE_PATH, GITLAB_TEMPLATES_PATH } from './ci';
import { trustedPushRule } from './gitlab-pipeline';
import type { CiGeneratorSchema } from './schema';

interface GitlabJob {
  stage?: string;
  image?: string;
  services?: Array<{ name: string; alias: string }>;
  variables?: Record<string, string>;
  rules?: Array<{ if?: string }>;
  needs?: string[];
  tags?: string[];
  extends?: string;
  before_script?: string[];
  script?: string[];
  after_script?: string[];
  trigger?: { include: Array<{ artifact: string; job: string }>; strategy: string };
  artifacts?: { paths: string[]; when?: string };
  cache?: unknown;
}
type GitlabFile = Record<string, GitlabJob> & { stages: string[]; variables: Record<string, string> };

process.env.NX_DAEMON = 'false';

describe('nx-strata:ci --provider=gitlab', () => {
  const workspaceRoot = useVisionWorkspace();

  async function generate(options: CiGeneratorSchema = {}): Promise<{ pipeline: GitlabFile; templates: GitlabFile; text: string }> {
    const tree = new FsTree(workspaceRoot(), false);
    await ciGenerator(tree, { provider: 'gitlab', ...options });
    flushChanges(workspaceRoot(), tree.listChanges());
    const text = readFileSync(join(workspaceRoot(), GITLAB_PIPELINE_PATH), 'utf8');
    return {
      text,
      pipeline: parse(text) as GitlabFile,
      templates: parse(readFileSync(join(workspaceRoot(), GITLAB_TEMPLATES_PATH), 'utf8')) as GitlabFile,
    };
  }

  it('plans on merge requests and trusted pushes, then runs the child pipeline the plan wrote, trusted or not', async () => {
    const { pipeline } = await generate({ arm64Runner: 'saas-linux-small-arm64' });
    expect(pipeline.stages).toEqual(['plan', 'build']);
    expect(Object.keys(pipeline).filter((key) => !['stages', 'variables'].includes(key))).toEqual([
      'nx-strata-plan',
      'nx-strata-build-merge-request',
      'nx-strata-build',
    ]);
    const plan = pipeline['nx-strata-plan'];
    // The vision example says no Node version and has no lock file: the current LTS, npm install.
    expect(plan.image).toBe('node:lts-bookworm');
    expect(plan.variables).toEqual({ GIT_DEPTH: '0' });
    expect(plan.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"' },
    ]);
    expect(plan.artifacts).toEqual({ paths: ['nx-strata-child.yml'] });
    const script = plan.script!.join('\n');
    expect(script).toContain(
      'npx nx-strata matrix --format gitlab --base "$base" --head "$CI_COMMIT_SHA" --arm64-runner saas-linux-small-arm64 > nx-strata-jobs.yml',
    );
    expect(script).toContain(`cat ${GITLAB_TEMPLATES_PATH} nx-strata-jobs.yml > nx-strata-child.yml`);
    for (const [name, rule, trust] of [
      ['nx-strata-build-merge-request', '$CI_PIPELINE_SOURCE == "merge_request_event"', 'untrusted'],
      ['nx-strata-build', '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"', 'trusted'],
    ]) {
      expect(pipeline[name]).toEqual({
        stage: 'build',
        needs: ['nx-strata-plan'],
        rules: [{ if: rule }],
        variables: { STRATA_TRUST: trust },
        trigger: { include: [{ artifact: 'nx-strata-child.yml', job: 'nx-strata-plan' }], strategy: 'depend' },
      });
    }
    expect(pipeline.variables).toEqual({
      STRATA_REGISTRY: '$CI_REGISTRY/$CI_PROJECT_NAMESPACE/nx-strata-trusted',
      STRATA_UNTRUSTED_REGISTRY: '$CI_REGISTRY_IMAGE/untrusted',
      REGISTRY_HOST: '$CI_REGISTRY',
      // The host the merge-request login compares with $CI_REGISTRY (a path variable would never equal it).
      UNTRUSTED_REGISTRY_HOST: '$CI_REGISTRY',
      STRATA_HISTORY_DIR: '.nx/strata-history',
      NX_DAEMON: 'false',
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '$NX_CACHE_SERVER',
      NX_NO_CLOUD: 'true',
    });
  });

  it('the child: build jobs on Docker-in-Docker over TLS, publish on trusted pipelines only, reports and SARIF as artifacts', async () => {
    const { templates } = await generate({ runner: 'docker-amd64' });
    expect(templates.stages).toEqual(['build', 'publish', 'summary']);
    expect(templates['.nx-strata-summary']).toMatchObject({ stage: 'summary', when: 'always', image: 'docker:27-cli' });
    const job = templates['.nx-strata-job'];
    // The repository's Node, with Docker's client and buildx from Alpine's packages.
    expect(job.image).toBe('node:lts-alpine');
    expect(job.before_script![0]).toBe('apk add --no-cache docker-cli docker-cli-buildx git');
    expect(job.services).toEqual([{ name: 'docker:27-dind', alias: 'docker' }]);
    expect(job.variables).toEqual({
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_TLS_CERTDIR: '/certs',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs/client',
    });
    const build = templates['.nx-strata-build'];
    expect(build).toMatchObject({ extends: '.nx-strata-job', stage: 'build' });
    expect(build.cache).toEqual([
      { key: 'nx-strata-dependencies', paths: ['.npm/'] },
      { key: 'nx-strata-history-$PROJECT-$TARGET', paths: ['.nx/strata-history/'] },
    ]);
    expect(build.script).toEqual(
      expect.arrayContaining([
        'npx nx run "$PROJECT:$TARGET"',
        // A project without tests or scans on this platform has no target to run: VERIFY is empty.
        'if [ -n "$VERIFY" ]; then npx nx run-many -p "$PROJECT" -t "$VERIFY"; fi',
      ]),
    );
    expect(build.script![0]).toContain('tonistiigi/binfmt --install arm64');
    expect(build.artifacts).toEqual({
      when: 'always',
      paths: ['nx-strata-report.md', 'dist/strata/**/*.sarif', 'dist/strata-sarif/', '.nx/strata-history/'],
    });
    const publish = templates['.nx-strata-publish'];
    expect(publish).toMatchObject({ stage: 'publish', rules: [{ if: '$STRATA_TRUST == "trusted"' }], tags: ['docker-amd64'] });
    expect(publish.script).toEqual(['npx nx affected -t docker-publish --base="$NX_BASE" --head="$NX_HEAD"']);
    expect(templates['.nx-strata-nothing']).toMatchObject({ stage: 'build', tags: ['docker-amd64'] });

    // The plan job's child file: the templates, then the jobs the matrix printed; valid YAML as one document.
    const entries = matrixEntries(
      [{ id: 'vision:docker-build--cpu--app--linux-arm64', why: 'src/vision/main.py' }],
      { buildTargetName: 'docker-build', publishTargetName: 'docker-publish' },
      { runner: 'docker-amd64' },
    );
    const child = parse(
      `${readFileSync(join(workspaceRoot(), GITLAB_TEMPLATES_PATH), 'utf8')}\n${gitlabChildJobs(entries, { base: 'a1', head: 'b2' })}`,
    ) as GitlabFile;
    expect(child['build vision linux/arm64']).toMatchObject({
      extends: '.nx-strata-build',
      tags: ['docker-amd64'],
      variables: { QEMU: 'true' },
    });
    expect(child.publish.extends).toBe('.nx-strata-publish');
  });

  it('a shell runner uses its own Docker: no image, no service, and no QEMU install (it must have QEMU, or an arm64 tag)', async () => {
    const { pipeline, templates } = await generate({ dockerEngine: 'shell' });
    expect(pipeline['nx-strata-plan'].image).toBeUndefined();
    const job = templates['.nx-strata-job'];
    expect([job.image, job.services, job.variables]).toEqual([undefined, undefined, undefined]);
    expect(job.before_script![0]).toBe('npm install --cache .npm --prefer-offline');
    expect(templates['.nx-strata-build'].script![0]).toContain('/proc/sys/fs/binfmt_misc/qemu-aarch64');
    expect(templates['.nx-strata-nothing'].image).toBeUndefined();
  });

  it('merge requests get no write credential: run under sh, the login and cache lines use the job token and the read token', async () => {
    const { templates } = await generate({});
    const login = templates['.nx-strata-job'].before_script!.find((line) => line.includes('docker login'))!;
    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-gitlab-trust-'));
    try {
      const bin = join(scratch, 'bin');
      mkdirSync(bin);
      const calls = join(scratch, 'docker-calls');
      // A stand-in docker that records its arguments and what it read on stdin (the password).
      writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s ' "$@" >> '${calls}'\nprintf '[%s]\\n' "$(cat)" >> '${calls}'\n`, {
        mode: 0o755,
      });
      const secrets = {
        STRATA_TRUSTED_REGISTRY_USER: 'deployer',
        STRATA_TRUSTED_REGISTRY_TOKEN: 'WRITE-REGISTRY',
        NX_CACHE_WRITE_TOKEN: 'WRITE-CACHE',
        NX_CACHE_READ_TOKEN: 'READ-CACHE',
        CI_JOB_TOKEN: 'JOB-TOKEN',
        CI_REGISTRY: 'registry.example.com',
        REGISTRY_HOST: 'registry.example.com',
        UNTRUSTED_REGISTRY_HOST: 'registry.example.com',
      };
      const run = (trust: string) => {
        rmSync(calls, { force: true });
        const result = spawnSync('sh', ['-e', '-c', `${login}\nprintf 'cache=%s\\n' "$NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN"`], {
          env: { PATH: `${bin}:${process.env.PATH}`, STRATA_TRUST: trust, ...secrets },
          encoding: 'utf8',
        });
        return { status: result.status, cache: result.stdout.trim(), docker: readFileSync(calls, 'utf8').trim() };
      };
      expect(run('untrusted')).toEqual({
        status: 0,
        cache: 'cache=READ-CACHE',
        docker: 'login --username gitlab-ci-token --password-stdin registry.example.com [JOB-TOKEN]',
      });
      expect(run('trusted')).toEqual({
        status: 0,
        cache: 'cache=WRITE-CACHE',
        docker: 'login --username deployer --password-stdin registry.example.com [WRITE-REGISTRY]',
      });
      // The write credentials are named in the trusted branch of that script and nowhere else in either file.
      const files = [
        readFileSync(join(workspaceRoot(), GITLAB_PIPELINE_PATH), 'utf8'),
        readFileSync(join(workspaceRoot(), GITLAB_TEMPLATES_PATH), 'utf8'),
      ];
      const uses = (name: string) =>
        files.flatMap((text) => text.split('\n')).filter((line) => line.includes(`$${name}`) && !line.trimStart().startsWith('#'));
      expect(uses('STRATA_TRUSTED_REGISTRY_TOKEN')).toHaveLength(1);
      expect(uses('NX_CACHE_WRITE_TOKEN')).toEqual(['        export NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN="$NX_CACHE_WRITE_TOKEN"']);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('publishes on release tags when told, logging in to each publish registry with its own protected variables: run under sh', async () => {
    const configPath = join(workspaceRoot(), 'strata.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.publish = { ...config.publish, registries: ['docker.io/acme', 'quay.io/acme'] };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const { pipeline, templates } = await generate({ publishOn: 'tag' });
    expect(pipeline.stages).toEqual(['plan', 'build', 'publish']);
    expect(pipeline.variables).toMatchObject({ DOCKERHUB_REGISTRY: 'docker.io', QUAY_IO_REGISTRY: 'quay.io' });
    const release = pipeline['nx-strata-publish-release'];
    expect(release).toMatchObject({
      extends: '.nx-strata-job',
      stage: 'publish',
      rules: [{ if: '$CI_COMMIT_TAG =~ /^v[^\\/]*$/' }],
      variables: { STRATA_TRUST: 'trusted', TAG_PREFIX: 'v' },
    });
    // Every image publishes on tags: the child's publish job never runs.
    expect(templates['.nx-strata-publish'].rules).toEqual([{ when: 'never' }]);

    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-gitlab-release-'));
    try {
      const bin = join(scratch, 'bin');
      mkdirSync(bin);
      const calls = join(scratch, 'calls');
      writeFileSync(join(bin, 'npx'), `#!/bin/sh\nprintf '%s|%s\\n' "$STRATA_VERSION" "$*" >> '${calls}'\n`, { mode: 0o755 });
      writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s ' "$@" >> '${calls}'\nprintf '[%s]\\n' "$(cat)" >> '${calls}'\n`, {
        mode: 0o755,
      });
      const run = (script: string, env: Record<string, string>) => {
        rmSync(calls, { force: true });
        const result = spawnSync('sh', ['-e', '-c', script], {
          cwd: scratch,
          env: { PATH: `${bin}:${process.env.PATH}`, ...pipeline.variables, ...release.variables, ...env },
          encoding: 'utf8',
        });
        return { status: result.status, calls: readFileSync(calls, 'utf8').trim().split('\n') };
      };
      const script = release.script!.join('\n');
      expect(run(script, { CI_COMMIT_TAG: 'v2.0.1' })).toEqual({ status: 0, calls: ['2.0.1|nx run-many -t docker-publish'] });
      expect(run(script, { CI_COMMIT_TAG: 'v1$(touch pwned)' }).calls).toEqual(['1$(touch pwned)|nx run-many -t docker-publish']);
      expect(readdirSync(scratch).sort()).toEqual(['bin', 'calls']);
      // The trusted login, then Docker Hub with its own variables; a registry whose token is not set is left alone.
      const login = templates['.nx-strata-job'].before_script!.find((line) => line.includes('docker login'))!;
      expect(
        run(login, {
          STRATA_TRUST: 'trusted',
          STRATA_TRUSTED_REGISTRY_USER: 'deployer',
          STRATA_TRUSTED_REGISTRY_TOKEN: 'WRITE',
          REGISTRY_HOST: 'registry.example.com',
          DOCKERHUB_USERNAME: 'hub-user',
          DOCKERHUB_TOKEN: 'HUB',
        }).calls,
      ).toEqual([
        'login --username deployer --password-stdin registry.example.com [WRITE]',
        'login --username hub-user --password-stdin docker.io [HUB]',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('matrix values reach shell lines only as quoted variables: hostile values from a child job run nothing', async () => {
    const { templates } = await generate({});
    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-gitlab-hostile-'));
    try {
      const marker = join(scratch, 'executed');
      const bin = join(scratch, 'bin');
      mkdirSync(bin);
      const calls = join(scratch, 'npx-calls');
      writeFileSync(join(bin, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$@" >> '${calls}'\n`, { mode: 0o755 });
      const hostile = {
        PROJECT: `web$(touch ${marker})`,
        TARGET: `\`touch ${marker}\``,
        VERIFY: `x"; touch ${marker}; echo "`,
        LINT: 'true',
        QEMU: 'false',
      };
      const build = templates['.nx-strata-build'].script!.filter((line) => !line.includes('binfmt'));
      for (const line of build) {
        const result = spawnSync('sh', ['-e', '-c', line], {
          cwd: scratch,
          env: { PATH: `${bin}:${process.env.PATH}`, ...hostile },
          encoding: 'utf8',
        });
        expect({ line, status: result.status, stderr: result.stderr }).toEqual({ line, status: 0, stderr: '' });
      }
      expect(readdirSync(scratch)).not.toContain('executed');
      expect(readFileSync(calls, 'utf8').split('\n')).toContain(`${hostile.PROJECT}:${hostile.TARGET}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("refuses this project's own registry as the trusted namespace, and values a shell or YAML would read as code", async () => {
    await expect(generate({ registry: '$CI_REGISTRY_IMAGE/trusted' })).rejects.toThrow("--registry is this project's own registry");
    await expect(generate({ runner: 'docker; curl evil' })).rejects.toThrow('--runner: the runner label "docker; curl evil"');
    await expect(generate({ registry: 'registry.example.com/acme $(id)' })).rejects.toThrow('is not a lower-case registry path');
    const config = JSON.parse(readFileSync(join(workspaceRoot(), 'strata.json'), 'utf8'));
    writeFileSync(join(workspaceRoot(), 'strata.json'), JSON.stringify({ ...config, project: 'web$(touch${IFS}/tmp/x)' }));
    await expect(generate({})).rejects.toThrow('image project: the project name "web$(touch${IFS}/tmp/x)"');
  });

  it("never overwrites a .gitlab-ci.yml of the team's own: the pipeline goes beside it, with how to include it; its own it rewrites", async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const own = 'stages: [test]\nunit:\n  script: [make test]\n';
    writeFileSync(join(workspaceRoot(), GITLAB_PIPELINE_PATH), own);
    const tree = new FsTree(workspaceRoot(), false);
    await ciGenerator(tree, { provider: 'gitlab' });
    flushChanges(workspaceRoot(), tree.listChanges());
    expect(readFileSync(join(workspaceRoot(), GITLAB_PIPELINE_PATH), 'utf8')).toBe(own);
    expect(Object.keys(parse(readFileSync(join(workspaceRoot(), GITLAB_INCLUDED_PATH), 'utf8')))).toContain('nx-strata-plan');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`add "include: [{ local: ${GITLAB_INCLUDED_PATH} }]"`));
    // Its own file (the header says so) it rewrites in place.
    rmSync(join(workspaceRoot(), GITLAB_PIPELINE_PATH));
    await generate({});
    const { text } = await generate({ mainBranch: 'trunk' });
    expect(text).toContain('$CI_COMMIT_BRANCH == "trunk"');
  });

  it("protects the branch nx.json's defaultBase names, without its remote (origin/main → main)", async () => {
    const nxJsonPath = join(workspaceRoot(), 'nx.json');
    writeFileSync(nxJsonPath, JSON.stringify({ ...JSON.parse(readFileSync(nxJsonPath, 'utf8')), defaultBase: 'origin/main' }));
    const { text } = await generate({});
    expect(text).toContain('$CI_COMMIT_BRANCH == "main"');
    expect(text).not.toContain('origin/main');
  });

  it("sets up the repository's own Node and package manager: pnpm and Yarn through corepack, each with its cache", async () => {
    const manifest = JSON.parse(readFileSync(join(workspaceRoot(), 'package.json'), 'utf8'));
    writeFileSync(join(workspaceRoot(), '.nvmrc'), 'v22.11.0\n');
    writeFileSync(join(workspaceRoot(), 'package.json'), JSON.stringify({ ...manifest, packageManager: 'pnpm@9.15.0' }));
    writeFileSync(join(workspaceRoot(), 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const pnpm = await generate({});
    const plan = pnpm.pipeline['nx-strata-plan'];
    expect(plan.image).toBe('node:22.11.0-bookworm');
    expect(plan.cache).toEqual([{ key: { files: ['pnpm-lock.yaml'] }, paths: ['.pnpm-store/'] }]);
    expect(plan.script!.slice(0, 2)).toEqual([
      'command -v corepack >/dev/null || npm install --global corepack',
      'corepack pnpm install --frozen-lockfile --store-dir .pnpm-store',
    ]);
    expect(plan.script!.join('\n')).toContain('corepack pnpm exec nx-strata matrix --format gitlab');
    expect(pnpm.pipeline.variables).toMatchObject({ COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_ENABLE_AUTO_PIN: '0' });
    expect(pnpm.templates['.nx-strata-job'].image).toBe('node:22.11.0-alpine');
    expect(pnpm.templates['.nx-strata-build'].script).toContain('corepack pnpm exec nx run "$PROJECT:$TARGET"');
    expect(pnpm.templates['.nx-strata-publish'].script).toEqual([
      'corepack pnpm exec nx affected -t docker-publish --base="$NX_BASE" --head="$NX_HEAD"',
    ]);

    rmSync(join(workspaceRoot(), 'pnpm-lock.yaml'));
    writeFileSync(join(workspaceRoot(), 'yarn.lock'), '');
    writeFileSync(join(workspaceRoot(), 'package.json'), JSON.stringify({ ...manifest, packageManager: 'yarn@4.5.3' }));
    const berry = await generate({ dockerEngine: 'shell' });
    expect(berry.pipeline['nx-strata-plan'].cache).toEqual([{ key: { files: ['yarn.lock'] }, paths: ['.yarn/cache/'] }]);
    expect(berry.pipeline.variables).toMatchObject({ YARN_ENABLE_GLOBAL_CACHE: 'false' });
    expect(berry.templates['.nx-strata-job'].before_script!.slice(0, 2)).toEqual([
      'command -v corepack >/dev/null || npm install --global corepack',
      'corepack yarn install --immutable',
    ]);
    expect(berry.templates['.nx-strata-build'].script).toContain('corepack yarn nx run "$PROJECT:$TARGET"');
  });

  it('trusted branch patterns become GitLab regular expressions', () => {
    expect(trustedPushRule(['main', 'release/*', 'hotfix/**'])).toBe(
      '$CI_PIPELINE_SOURCE == "push" && ($CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH =~ /^release\\/[^\\/]*$/ || $CI_COMMIT_BRANCH =~ /^hotfix\\/.*$/)',
    );
  });

  it('runs only nx-strata commands with flags the CLI takes, and targets that exist', async () => {
    const { pipeline, templates } = await generate({ arm64Runner: 'arm' });
    const lines = [...Object.values(pipeline), ...Object.values(templates)]
      .flatMap((job) => (typeof job === 'object' && !Array.isArray(job) ? [...(job.script ?? []), ...(job.after_script ?? [])] : []))
      .flatMap((script) => script.split('\n'))
      .filter((line) => /\bnpx (nx|nx-strata) /.test(line));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      expectKnownCommand(
        splitCommand(
          line
            .replace(/^.*?(npx )/, '$1')
            .replace(/ (>|\|\|).*$/, '')
            .replace(/; fi$/, ''),
        ),
      );
    }
  });
});
