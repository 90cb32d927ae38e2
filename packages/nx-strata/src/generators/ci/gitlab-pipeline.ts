import { branchPatternSource } from '../../engines/registry/trust';
import { GITLAB_TEMPLATES, yamlString } from '../../model/gitlab-job-templates';
import type { PipelinePublishing } from './repository-publishing';
import type { Toolchain } from './toolchain';

export interface GitlabPipelineOptions {
  /** The repository's Node version and package manager (toolchain.ts): every job sets them up. */
  toolchain: Toolchain;
  /** Branches whose pushes are trusted pipelines (the first is the main branch); `*` within a segment, `**` across. */
  trustedBranches: string[];
  /** Runner tag for the plan, publish and linux/amd64 jobs; none takes any runner. */
  runnerTag?: string;
  /** Runner tag for native linux/arm64 builds; without it arm64 builds under QEMU. */
  arm64RunnerTag?: string;
  /** How jobs reach Docker: the `docker:dind` service (TLS), or a shell runner's own engine. */
  engine: 'dind' | 'shell';
  remoteCache: 'self-hosted' | 'nx-cloud' | 'none';
  /** The trusted build namespace, written by trusted pipelines only. */
  registry: string;
  /** Where merge requests push. */
  untrustedRegistry: string;
  buildTargetName: string;
  publishTargetName: string;
  historyDir: string;
  /** Where the job templates of the child pipeline live (written beside .gitlab-ci.yml). */
  templatesPath: string;
  /** When each image publishes (release tags or trusted pushes) and the registries it logs in to (repository-publishing.ts). */
  publishing?: PipelinePublishing;
}

export const GITLAB_PIPELINE_PATH = '.gitlab-ci.yml';
/** Where the pipeline goes when the repository already has a .gitlab-ci.yml of its own (which then includes it). */
export const GITLAB_INCLUDED_PATH = '.gitlab/nx-strata-pipeline.yml';
/** The first line of the pipeline file: how the generator knows a .gitlab-ci.yml is its own to rewrite. */
export const GITLAB_HEADER = '# Written by `nx g nx-strata:ci --provider=gitlab`';
export const GITLAB_TEMPLATES_PATH = '.gitlab/nx-strata-jobs.yml';
/** The image of jobs that run Docker through the dind service, and of the service: one Docker release for both. */
const DOCKER_IMAGE = 'docker:27-cli';
const DIND_SERVICE = 'docker:27-dind';
/** Job names without spaces: gitlab-ci-local finds a trigger's artifact job only by such a name. */
const PLAN_JOB = 'nx-strata-plan';
const CHILD = 'nx-strata-child.yml';

const MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';

/** The rules expression of a push to a trusted branch; patterns become regular expressions. Values are plain (checked). */
export function trustedPushRule(branches: string[]): string {
  return `$CI_PIPELINE_SOURCE == "push" && ${anyPattern('$CI_COMMIT_BRANCH', branches)}`;
}

/**
 * A rules expression true when `variable` matches one of the patterns: the same patterns the plugin matches (trust.ts),
 * a wildcard one as a GitLab regular expression (`/` escaped inside `/.../`), a plain one by equality.
 */
function anyPattern(variable: string, patterns: string[]): string {
  const one = (pattern: string) =>
    pattern.includes('*')
      ? `${variable} =~ /^${branchPatternSource(pattern).replace(/\//g, '\\/')}$/`
      : `${variable} == ${yamlString(pattern)}`;
  const any = patterns.map(one);
  return any.length === 1 ? any[0] : `(${any.join(' || ')})`;
}

const tags = (tag: string | undefined, indent = '  ') => (tag ? [`${indent}tags: [${yamlString(tag)}]`] : []);

/**
 * The package manager in a GitLab job: npm as the Node image has it; pnpm and Yarn through corepack (`corepack pnpm`,
 * no global shims, so a shell runner's machine is left as it was; auto-pinning off, so the checkout stays clean), each
 * with its frozen-lockfile install and a package store inside the project directory, which GitLab caches by lock file.
 */
export function gitlabPackageManager(toolchain: Toolchain): { exec: string; install: string[]; cachePath: string; variables: string[] } {
  const pm = toolchain.packageManager;
  const corepack = ['command -v corepack >/dev/null || npm install --global corepack'];
  const corepackVariables = ['  COREPACK_ENABLE_DOWNLOAD_PROMPT: "0"', '  COREPACK_ENABLE_AUTO_PIN: "0"'];
  switch (pm.name) {
    case 'npm':
      return { exec: 'npx', install: [`${pm.install} --cache .npm --prefer-offline`], cachePath: '.npm/', variables: [] };
    case 'pnpm':
      return {
        exec: 'corepack pnpm exec',
        install: [...corepack, `corepack ${pm.install} --store-dir .pnpm-store`],
        cachePath: '.pnpm-store/',
        variables: corepackVariables,
      };
    case 'yarn':
      return {
        exec: 'corepack yarn --silent',
        install: [...corepack, `corepack ${pm.install} --cache-folder .yarn-cache`],
        cachePath: '.yarn-cache/',
        variables: corepackVariables,
      };
    case 'yarn-berry':
      return {
        exec: 'corepack yarn',
        install: [...corepack, `corepack ${pm.install}`],
        cachePath: '.yarn/cache/',
        variables: [...corepackVariables, '  YARN_ENABLE_GLOBAL_CACHE: "false"'],
      };
  }
}

/** The `cache:` of a publish job: the dependencies and the publish history. */
function publishCache(options: GitlabPipelineOptions): string[] {
  return [
    '  cache:',
    ...dependencyCache(options.toolchain),
    '    - key: nx-strata-history-publish',
    `      paths: [${yamlString(`${options.historyDir}/`)}]`,
  ];
}

/** The dependency cache of a job, as a list item of its `cache:` (keyed by the lock file when there is one). */
function dependencyCache(toolchain: Toolchain): string[] {
  const { lockfile } = toolchain.packageManager;
  return [
    ...(lockfile ? ['    - key:', `        files: [${yamlString(lockfile)}]`] : ['    - key: nx-strata-dependencies']),
    `      paths: [${yamlString(gitlabPackageManager(toolchain).cachePath)}]`,
  ];
}

/**
 * The registry login and the cache token of a child job, by trust. Trusted pipelines log in with the trusted
 * namespace's deploy token and write the cache: protected variables, which GitLab gives protected branches only, so a
 * merge request that edits this file to claim trust still has neither. Merge requests log in with the job token,
 * which writes this project's registry (the untrusted namespace), and read the cache.
 */
function credentials(options: GitlabPipelineOptions): string[] {
  const cache = {
    'self-hosted': [
      'export NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN="$NX_CACHE_WRITE_TOKEN"',
      'export NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN="$NX_CACHE_READ_TOKEN"',
    ],
    'nx-cloud': [':', 'export NX_CLOUD_ACCESS_TOKEN="$NX_CLOUD_READ_TOKEN"'],
    none: [':', ':'],
  }[options.remoteCache];
  return [
    '    - |',
    '      if [ "$STRATA_TRUST" = trusted ]; then',
    '        if [ -n "$STRATA_TRUSTED_REGISTRY_TOKEN" ]; then printf \'%s\' "$STRATA_TRUSTED_REGISTRY_TOKEN" | docker login --username "$STRATA_TRUSTED_REGISTRY_USER" --password-stdin "$REGISTRY_HOST"; fi',
    // The publish registries: protected variables named after each host (its name is [A-Z0-9_], the host a variable).
    ...(options.publishing?.logins ?? []).map(
      ({ variable }) =>
        `        if [ -n "$${variable}_TOKEN" ]; then printf '%s' "$${variable}_TOKEN" | docker login --username "$${variable}_USERNAME" --password-stdin "$${variable}_REGISTRY"; fi`,
    ),
    `        ${cache[0]}`,
    '      else',
    '        if [ -n "$CI_JOB_TOKEN" ] && [ "$UNTRUSTED_REGISTRY_HOST" = "$CI_REGISTRY" ]; then printf \'%s\' "$CI_JOB_TOKEN" | docker login --username gitlab-ci-token --password-stdin "$CI_REGISTRY"; fi',
    `        ${cache[1]}`,
    '      fi',
  ];
}

/** What every child job that runs Docker shares: the engine, Node, the workspace's packages, the login. */
function jobBase(options: GitlabPipelineOptions): string[] {
  const engine =
    options.engine === 'dind'
      ? [
          // The repository's Node, with Docker's client and buildx from Alpine's packages.
          `  image: node:${options.toolchain.node.imageTag}-alpine`,
          '  services:',
          `    - name: ${DIND_SERVICE}`,
          '      alias: docker',
          '  variables:',
          '    # Docker-in-Docker over TLS, as GitLab documents it (the runner must allow privileged services).',
          '    DOCKER_HOST: tcp://docker:2376',
          '    DOCKER_TLS_CERTDIR: "/certs"',
          '    DOCKER_TLS_VERIFY: "1"',
          '    DOCKER_CERT_PATH: "/certs/client"',
          '  before_script:',
          '    - apk add --no-cache docker-cli docker-cli-buildx git',
        ]
      : [`  # A shell runner with its own Docker Engine, buildx and Node ${options.toolchain.node.imageTag}.`, '  before_script:'];
  const pm = gitlabPackageManager(options.toolchain);
  return [
    '.nx-strata-job:',
    ...engine,
    ...pm.install.map((line) => `    - ${yamlString(line)}`),
    ...credentials(options),
    '  cache:',
    ...dependencyCache(options.toolchain),
    '',
  ];
}

const report = (historyDir: string, exec: string) => [
  '  after_script:',
  `    - ${yamlString(`${exec} nx-strata report --last 1 --markdown nx-strata-report.md || true`)}`,
  '  artifacts:',
  '    when: always',
  '    paths:',
  '      - nx-strata-report.md',
  '      - dist/strata/**/*.sarif',
  '      - dist/strata-sarif/',
  `      - ${yamlString(`${historyDir}/`)}`,
];

/**
 * The job templates of the child pipeline (`.gitlab/nx-strata-jobs.yml`): the plan job prepends this file to the jobs
 * `nx-strata matrix --format gitlab` prints, so the child is one self-contained file (no include from an artifact).
 */
export function gitlabJobTemplates(options: GitlabPipelineOptions): string {
  const qemu =
    options.engine === 'dind'
      ? '    - if [ "$QEMU" = true ]; then docker run --rm --privileged tonistiigi/binfmt --install arm64; fi'
      : `    - ${yamlString('if [ "$QEMU" = true ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then echo "nx-strata: this runner has no QEMU for arm64 (install qemu-user-static and binfmt-support, or give an arm64 runner tag)"; exit 1; fi')}`;
  const { exec } = gitlabPackageManager(options.toolchain);
  return [
    '# Written by `nx g nx-strata:ci --provider=gitlab`: the job templates of the nx-strata child pipeline. The plan job',
    '# prepends this file to the jobs `nx-strata matrix --format gitlab` prints (one per affected project and platform).',
    'stages: [build, publish, summary]',
    '',
    ...jobBase(options),
    `${GITLAB_TEMPLATES.build}:`,
    '  extends: .nx-strata-job',
    '  stage: build',
    '  cache:',
    ...dependencyCache(options.toolchain),
    '    - key: nx-strata-history-$PROJECT-$TARGET',
    `      paths: [${yamlString(`${options.historyDir}/`)}]`,
    '  script:',
    qemu,
    '    # Matrix values reach the shell only as quoted variables.',
    `    - ${yamlString(`${exec} nx run "$PROJECT:$TARGET"`)}`,
    '    # Test and scan the digests just built (same runner; cache hits for unchanged digests).',
    `    - ${yamlString(`if [ -n "$VERIFY" ]; then ${exec} nx run-many -p "$PROJECT" -t "$VERIFY"; fi`)}`,
    `    - ${yamlString(`if [ "$LINT" = true ]; then ${exec} nx run "$PROJECT:docker-lint" --sarif="dist/strata-sarif/$PROJECT.sarif"; fi`)}`,
    ...report(options.historyDir, exec),
    '',
    `${GITLAB_TEMPLATES.publish}:`,
    '  extends: .nx-strata-job',
    '  stage: publish',
    ...tags(options.runnerTag),
    '  rules:',
    ...(options.publishing && options.publishing.onPushes.length === 0
      ? ['    # Every image publishes on its release tags (nx-strata-publish-release), never on a push.', '    - when: never']
      : ['    # Trusted pipelines only; a merge request builds and tests, and never publishes.', '    - if: $STRATA_TRUST == "trusted"']),
    ...publishCache(options),
    '  script:',
    '    # Manifest lists, copied to every registry: layers come from the cache or the trusted namespace, no builds.',
    `    - ${yamlString(`${exec} nx affected -t ${options.publishTargetName} --base="$NX_BASE" --head="$NX_HEAD"${options.publishing?.onTags ? ` --exclude=${options.publishing.onTags.projects.join(',')}` : ''}`)}`,
    ...report(options.historyDir, exec),
    '',
    `${GITLAB_TEMPLATES.summary}:`,
    '  stage: summary',
    '  when: always',
    ...(options.engine === 'dind' ? [`  image: ${DOCKER_IMAGE}`] : []),
    ...tags(options.runnerTag),
    '  script:',
    `    - ${yamlString(`printf 'nx-strata pipeline (%s): the affected (project, platform) pairs\\n%s\\n' "$STRATA_TRUST" "$SUMMARY"`)}`,
    '',
    `${GITLAB_TEMPLATES.nothing}:`,
    '  stage: build',
    ...(options.engine === 'dind' ? [`  image: ${DOCKER_IMAGE}`] : []),
    ...tags(options.runnerTag),
    '  script:',
    `    - ${yamlString('echo "nx-strata: nothing affected, no image to build or publish"')}`,
    '',
  ].join('\n');
}

/** The variables of the whole pipeline (the child receives them through the trigger). */
function pipelineVariables(options: GitlabPipelineOptions): string[] {
  // `$CI_REGISTRY_IMAGE` is a whole path (registry host, group, project): its host is `$CI_REGISTRY`.
  const host = (registry: string) => registry.split('/')[0].replace(/^\$CI_REGISTRY_IMAGE$/, '$CI_REGISTRY');
  return [
    'variables:',
    `  STRATA_REGISTRY: ${yamlString(options.registry)}`,
    `  STRATA_UNTRUSTED_REGISTRY: ${yamlString(options.untrustedRegistry)}`,
    `  REGISTRY_HOST: ${yamlString(host(options.registry))}`,
    `  UNTRUSTED_REGISTRY_HOST: ${yamlString(host(options.untrustedRegistry))}`,
    `  STRATA_HISTORY_DIR: ${yamlString(options.historyDir)}`,
    ...(options.publishing?.logins ?? []).map((login) => `  ${login.variable}_REGISTRY: ${yamlString(login.host)}`),
    '  NX_DAEMON: "false"',
    ...gitlabPackageManager(options.toolchain).variables,
    ...(options.remoteCache === 'self-hosted' ? ['  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: $NX_CACHE_SERVER'] : []),
    ...(options.remoteCache === 'nx-cloud' ? [] : ['  NX_NO_CLOUD: "true"']),
  ];
}

/** The rules expression of a pushed release tag: any tag, or one matching the patterns (values are plain, checked). */
export function releaseTagRule(patterns: string[]): string {
  return patterns.length === 0 ? '$CI_COMMIT_TAG' : anyPattern('$CI_COMMIT_TAG', patterns);
}

/**
 * The job that publishes a release: on a pushed tag, the images the repository publishes on tags, under the version
 * the tag names (`v1.2.3` → 1.2.3), trusted (a protected tag gets the protected variables). Their layers come from the
 * trusted namespace or the cache; a layer main never built is built here.
 */
function releaseJob(options: GitlabPipelineOptions, onTags: NonNullable<PipelinePublishing['onTags']>): string[] {
  const { exec } = gitlabPackageManager(options.toolchain);
  const all = options.publishing?.onPushes.length === 0;
  return [
    'nx-strata-publish-release:',
    '  extends: .nx-strata-job',
    '  stage: publish',
    ...tags(options.runnerTag),
    '  rules:',
    `    - if: ${releaseTagRule(onTags.patterns)}`,
    '  variables:',
    '    STRATA_TRUST: trusted',
    `    TAG_PREFIX: ${yamlString(onTags.prefix)}`,
    ...publishCache(options),
    '  script:',
    '    # The tag reaches the shell only as a quoted variable.',
    `    - ${yamlString('export STRATA_VERSION="${CI_COMMIT_TAG#"$TAG_PREFIX"}"')}`,
    `    - ${yamlString(`${exec} nx run-many -t ${options.publishTargetName}${all ? '' : ` -p ${onTags.projects.join(',')}`}`)}`,
    ...report(options.historyDir, exec),
    '',
  ];
}

/** A trigger job that runs the child pipeline the plan job wrote, with the run's trust. */
function buildTrigger(name: string, rule: string, trust: 'trusted' | 'untrusted'): string[] {
  return [
    `${yamlString(name)}:`,
    '  stage: build',
    `  needs: [${yamlString(PLAN_JOB)}]`,
    '  rules:',
    `    - if: ${rule}`,
    '  variables:',
    `    STRATA_TRUST: ${trust}`,
    '  trigger:',
    '    include:',
    `      - artifact: ${CHILD}`,
    `        job: ${yamlString(PLAN_JOB)}`,
    '    strategy: depend',
    '',
  ];
}

/**
 * The `.gitlab-ci.yml` `nx g nx-strata:ci --provider=gitlab` writes. The (project, platform) pairs are known only at
 * run time, and `parallel:matrix` takes its values from the file as written, so the plan job writes a child pipeline
 * (GitLab's dynamic child pipelines) and a trigger job runs it. Every value from the workspace is a quoted YAML scalar
 * and reaches a shell line only as a quoted variable.
 */
export function gitlabPipeline(options: GitlabPipelineOptions): string {
  const trustedPush = trustedPushRule(options.trustedBranches);
  const pm = gitlabPackageManager(options.toolchain);
  const onTags = options.publishing?.onTags;
  const runners = [
    ...(options.runnerTag ? [`--runner ${options.runnerTag}`] : []),
    ...(options.arm64RunnerTag ? [`--arm64-runner ${options.arm64RunnerTag}`] : []),
  ].join(' ');
  return [
    `${GITLAB_HEADER}; edit freely, or run the generator again to rewrite it.`,
    '# plan: the affected (project, platform) pairs (`nx affected`, `nx-strata matrix --format gitlab`), written as a',
    `# child pipeline (${options.templatesPath} + one job per pair); build: the child pipeline, each platform built once,`,
    '# tested and scanned on its runner and pushed by digest; publish (trusted pipelines only, in the child): manifest',
    '# lists copied to every registry, zero builds.',
    '#',
    '# Trust: the registry is a cache, so whoever can push to the trusted namespace decides what main publishes.',
    `# Merge request pipelines are untrusted: they push to ${options.untrustedRegistry} with the job token and take hits from`,
    `# ${options.registry}. Pushes to ${options.trustedBranches.join(', ')} are trusted. Make those branches protected and set as`,
    '# PROTECTED variables (Settings > CI/CD > Variables), which GitLab gives protected branches only:',
    '#   STRATA_TRUSTED_REGISTRY_USER, STRATA_TRUSTED_REGISTRY_TOKEN (a deploy token that writes the trusted namespace),',
    '#   NX_CACHE_WRITE_TOKEN (or NX_CLOUD_ACCESS_TOKEN);',
    ...(options.publishing?.logins.length
      ? [
          `#   for the publish registries: ${options.publishing.logins.map((login) => `${login.variable}_USERNAME and ${login.variable}_TOKEN (${login.host})`).join(', ')};`,
        ]
      : []),
    ...(onTags
      ? [
          `# Releases: a pushed tag (${onTags.patterns.join(', ') || 'any tag'}) publishes ${onTags.projects.join(', ')} under the version it names`,
          '# (nx-strata-publish-release): protect those tags (Settings > Repository > Protected tags) so they get the variables.',
        ]
      : []),
    '# and as plain variables NX_CACHE_SERVER and NX_CACHE_READ_TOKEN (or NX_CLOUD_READ_TOKEN). The trusted namespace must',
    "# not be this project's registry: the job token of any pipeline, a merge request's too, can write that.",
    `stages: [plan, build${onTags ? ', publish' : ''}]`,
    '',
    ...pipelineVariables(options),
    '',
    ...(onTags ? [...jobBase(options), ...releaseJob(options, onTags)] : []),
    `${yamlString(PLAN_JOB)}:`,
    '  stage: plan',
    ...(options.engine === 'dind' ? [`  image: node:${options.toolchain.node.imageTag}-bookworm`] : []),
    ...tags(options.runnerTag),
    '  variables:',
    '    GIT_DEPTH: "0"',
    '  rules:',
    `    - if: ${MERGE_REQUEST}`,
    `    - if: ${trustedPush}`,
    '  cache:',
    ...dependencyCache(options.toolchain),
    '  script:',
    ...pm.install.map((line) => `    - ${yamlString(line)}`),
    '    - |',
    '      # What changed: the merge request against its base, a push against the commit before it.',
    '      if [ -n "$CI_MERGE_REQUEST_DIFF_BASE_SHA" ]; then base="$CI_MERGE_REQUEST_DIFF_BASE_SHA"',
    '      elif [ -n "$CI_COMMIT_BEFORE_SHA" ] && [ "$CI_COMMIT_BEFORE_SHA" != "0000000000000000000000000000000000000000" ]; then base="$CI_COMMIT_BEFORE_SHA"',
    '      else base="$(git rev-parse HEAD~1)"; fi',
    `      ${pm.exec} nx show projects --affected --base="$base" --head="$CI_COMMIT_SHA" -t ${options.buildTargetName}`,
    `      ${pm.exec} nx-strata matrix --format gitlab --base "$base" --head "$CI_COMMIT_SHA"${runners ? ` ${runners}` : ''} > nx-strata-jobs.yml || { cat nx-strata-jobs.yml; exit 1; }`,
    `      cat ${options.templatesPath} nx-strata-jobs.yml > ${CHILD}`,
    '      cat nx-strata-jobs.yml',
    '  artifacts:',
    `    paths: [${CHILD}]`,
    '',
    ...buildTrigger('nx-strata-build-merge-request', MERGE_REQUEST, 'untrusted'),
    ...buildTrigger('nx-strata-build', trustedPush, 'trusted'),
  ].join('\n');
}
