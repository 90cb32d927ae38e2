import type { PipelinePublishing, PublishLogin } from './repository-publishing';
import type { Toolchain } from './toolchain';

export interface WorkflowOptions {
  /** The repository's Node version and package manager (toolchain.ts): every job sets them up. */
  toolchain: Toolchain;
  /** Branches whose pushes are trusted runs (the first is the main branch); GitHub branch patterns. */
  trustedBranches: string[];
  runner: string;
  arm64Runner?: string;
  remoteCache: 'self-hosted' | 'nx-cloud' | 'none';
  /** The trusted build namespace. */
  registry: string;
  /** Where pull requests push. */
  untrustedRegistry: string;
  /** The GitHub environment whose secrets alone write the trusted namespace and the remote cache. */
  trustedEnvironment: string;
  buildTargetName: string;
  publishTargetName: string;
  historyDir: string;
  /** Some image signs what it publishes (publish.sign): the publish job, and only it, may ask for an OIDC token. */
  signing?: boolean;
  /** When each image publishes (release tags or trusted pushes) and the registries it logs in to (repository-publishing.ts). */
  publishing?: PipelinePublishing;
}

/** A GitHub Actions expression: `${{ expr }}`. */
const ex = (expression: string) => `\${{ ${expression} }}`;

const PULL_REQUEST = `github.event_name == 'pull_request'`;
const PUSH = `github.event_name == 'push'`;
/** The job ids, bracketed in expressions (`needs['build-main']`) because of the hyphen. */
const BUILD_PR = 'build-pr';
const BUILD_MAIN = 'build-main';

type Trust = 'trusted' | 'untrusted';

/** Nx's remote cache for a job: pull requests read (a repository secret), the trusted environment's jobs write. */
function cacheEnv(options: WorkflowOptions, trust: Trust): string[] {
  switch (options.remoteCache) {
    case 'self-hosted':
      return [
        `      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: ${ex(trust === 'trusted' ? 'secrets.NX_CACHE_WRITE_TOKEN' : 'secrets.NX_CACHE_READ_TOKEN')}`,
      ];
    case 'nx-cloud':
      return [`      NX_CLOUD_ACCESS_TOKEN: ${ex(trust === 'trusted' ? 'secrets.NX_CLOUD_ACCESS_TOKEN' : 'secrets.NX_CLOUD_READ_TOKEN')}`];
    case 'none':
      return [];
  }
}

/** Checkout, then the repository's Node and package manager, its frozen-lockfile install and the package manager's cache. */
function setup(toolchain: Toolchain, fetchDepth?: number): string[] {
  const { node, packageManager: pm } = toolchain;
  const cache = pm.name === 'yarn-berry' ? undefined : pm.name === 'npm' ? (pm.lockfile ? 'npm' : undefined) : pm.name;
  return [
    '      - uses: actions/checkout@v4',
    '        with:',
    '          persist-credentials: false',
    ...(fetchDepth !== undefined ? [`          fetch-depth: ${fetchDepth}`] : []),
    // pnpm first (setup-node's pnpm cache asks pnpm where its store is); it reads packageManager when there is one.
    ...(pm.name === 'pnpm' ? ['      - uses: pnpm/action-setup@v4', ...(pm.version ? [] : ['        with:', '          version: 9'])] : []),
    '      - uses: actions/setup-node@v4',
    '        with:',
    'file' in node.github
      ? `          node-version-file: ${node.github.file}`
      : `          node-version: ${yamlScalar(node.github.version)}`,
    ...(cache ? [`          cache: ${cache}`] : []),
    ...(pm.name === 'yarn-berry'
      ? [
          '      - run: corepack enable',
          '      - uses: actions/cache@v4',
          '        with:',
          '          path: .yarn/cache',
          `          key: yarn-berry-${ex(`runner.os`)}-${ex(`hashFiles('yarn.lock')`)}`,
          `          restore-keys: yarn-berry-${ex('runner.os')}-`,
        ]
      : []),
    `      - run: ${pm.install}`,
    ...(pm.name === 'yarn-berry' ? ['        env:', '          YARN_ENABLE_GLOBAL_CACHE: false'] : []),
  ];
}

/** A version as a YAML scalar that stays a string (`lts/*`, `22`). */
const yamlScalar = (value: string) => (/^[\w.]+$/.test(value) ? `'${value}'` : JSON.stringify(value));

/**
 * The registry login of a job. Trusted jobs log in with the trusted environment's own token, the only credential that
 * can write the trusted namespace. Pull requests from this repository log in with GITHUB_TOKEN, which can write the
 * untrusted packages only; a fork's pull request has no token that writes, so it does not log in.
 */
function login(trust: Trust): string[] {
  if (trust === 'trusted') {
    return [
      '      - uses: docker/login-action@v3',
      '        with:',
      `          registry: ${ex('env.REGISTRY_HOST')}`,
      `          username: ${ex('vars.STRATA_TRUSTED_REGISTRY_USER')}`,
      `          password: ${ex('secrets.STRATA_TRUSTED_REGISTRY_TOKEN')}`,
    ];
  }
  return [
    '      - uses: docker/login-action@v3',
    `        if: ${ex('!github.event.pull_request.head.repo.fork')}`,
    '        with:',
    `          registry: ${ex('env.UNTRUSTED_REGISTRY_HOST')}`,
    `          username: ${ex('github.actor')}`,
    `          password: ${ex('secrets.GITHUB_TOKEN')}`,
  ];
}

/** The logins to the registries images are published to (their hosts, the trusted one aside), with the repository's own credentials. */
function publishLogins(logins: PublishLogin[]): string[] {
  return logins.flatMap((login) => [
    `      - name: Log in to ${login.host} (${login.source})`,
    '        uses: docker/login-action@v3',
    '        with:',
    `          registry: ${login.host}`,
    `          username: ${login.username}`,
    `          password: ${login.password}`,
  ]);
}

/** The jobs that publish: the trusted environment, and write access to GHCR packages when a login writes with GITHUB_TOKEN. */
function publishJobHead(options: WorkflowOptions): string[] {
  return [
    `    environment: ${options.trustedEnvironment}`,
    '    permissions:',
    '      contents: read',
    `      packages: ${options.publishing?.packagesWrite ? 'write' : 'read'}`,
    // Keyless signing (cosign through GitHub's OIDC): a token for this job alone, never the builds'.
    ...(options.signing ? ['      id-token: write'] : []),
    `    runs-on: ${options.runner}`,
    '    env:',
    '      STRATA_TRUST: trusted',
    ...cacheEnv(options, 'trusted'),
  ];
}

/**
 * The job that publishes a release: on a pushed tag (or a published release), the images the repository publishes on
 * tags, under the version the tag names (`v1.2.3` → 1.2.3). Their layers come from the trusted namespace or the cache;
 * a layer main never built is built here.
 */
function releaseJob(options: WorkflowOptions, onTags: NonNullable<PipelinePublishing['onTags']>): string[] {
  const { exec } = options.toolchain.packageManager;
  const all = options.publishing?.onPushes.length === 0;
  return [
    '  publish-release:',
    `    if: ${ex(`github.ref_type == 'tag'`)}`,
    ...publishJobHead(options),
    // The tag reaches the shell only as a quoted variable.
    `      RELEASE_TAG: ${ex('github.ref_name')}`,
    `      TAG_PREFIX: ${JSON.stringify(onTags.prefix)}`,
    '    steps:',
    ...setup(options.toolchain, 0),
    ...login('trusted'),
    ...publishLogins(options.publishing?.logins ?? []),
    ...history('publish'),
    '      - name: Publish the version the tag names (manifest lists copied to every registry)',
    '        run: |',
    '          export STRATA_VERSION="${RELEASE_TAG#"$TAG_PREFIX"}"',
    `          ${exec} nx run-many -t ${options.publishTargetName}${all ? '' : ` -p ${onTags.projects.join(',')}`}`,
    ...report(options.toolchain.packageManager.exec),
    '',
  ];
}

const history = (key: string) => [
  '      # The build history behind `nx-strata report`: runners start empty, so it lives in the CI cache.',
  '      - uses: actions/cache@v4',
  '        with:',
  `          path: ${ex('env.STRATA_HISTORY_DIR')}`,
  `          key: nx-strata-history-${key}-${ex('github.run_id')}-${ex('github.run_attempt')}`,
  `          restore-keys: nx-strata-history-${key}-`,
];

const report = (exec: string) => [
  '      - name: Report',
  `        if: ${ex('always()')}`,
  `        run: ${exec} nx-strata report --last 1 --markdown - >> "$GITHUB_STEP_SUMMARY"`,
];

/** One build job per affected (project, platform): for pull requests (untrusted) or pushes to a trusted branch. */
function buildJob(options: WorkflowOptions, trust: Trust): string[] {
  const { exec } = options.toolchain.packageManager;
  const id = trust === 'trusted' ? BUILD_MAIN : BUILD_PR;
  return [
    `  ${id}:`,
    '    needs: plan',
    `    if: ${ex(`${trust === 'trusted' ? PUSH : PULL_REQUEST} && needs.plan.outputs.any == 'true'`)}`,
    `    name: build ${ex('matrix.project')} ${ex('matrix.platform')}${trust === 'trusted' ? '' : ' (pull request)'}`,
    ...(trust === 'trusted' ? [`    environment: ${options.trustedEnvironment}`] : []),
    '    permissions:',
    '      contents: read',
    `      packages: ${trust === 'trusted' ? 'read' : 'write'}`,
    '      security-events: write',
    '    strategy:',
    '      fail-fast: false',
    `      matrix: ${ex('fromJSON(needs.plan.outputs.matrix)')}`,
    `    runs-on: ${ex('matrix.runner')}`,
    '    env:',
    `      STRATA_TRUST: ${trust}`,
    ...cacheEnv(options, trust),
    // Values from the matrix reach shell lines only as quoted variables, never as text of the script.
    `      PROJECT: ${ex('matrix.project')}`,
    `      TARGET: ${ex('matrix.target')}`,
    `      VERIFY: ${ex('matrix.verify')}`,
    '    steps:',
    ...setup(options.toolchain),
    '      - uses: docker/setup-qemu-action@v3',
    `        if: ${ex('matrix.qemu')}`,
    ...login(trust),
    ...history(`${ex('matrix.project')}-${ex('matrix.target')}`),
    `      - name: Build and push this platform${trust === 'trusted' ? '' : ' (to the untrusted namespace)'}`,
    ...(trust === 'untrusted'
      ? [
          '        env:',
          "          # A fork's pull request has no token that writes: it takes hits from the trusted namespace and builds the rest locally.",
          `          STRATA_UNTRUSTED_REGISTRY: ${ex("!github.event.pull_request.head.repo.fork && env.STRATA_UNTRUSTED_REGISTRY || ''")}`,
        ]
      : []),
    `        run: ${exec} nx run "$PROJECT:$TARGET"`,
    '      - name: Test and scan the digests just built (same runner; cache hits for unchanged digests)',
    `        if: ${ex("matrix.verify != ''")}`,
    `        run: ${exec} nx run-many -p "$PROJECT" -t "$VERIFY"`,
    '      - uses: github/codeql-action/upload-sarif@v3',
    `        if: ${ex(`always() && hashFiles('dist/strata/**/*.scan.sarif') != ''`)}`,
    '        with:',
    '          sarif_file: dist/strata',
    `          category: nx-strata-docker-scan-${ex('matrix.project')}-${ex('matrix.platform')}`,
    '      - name: Lint the Dockerfiles (SARIF)',
    `        if: ${ex('matrix.lint')}`,
    `        run: ${exec} nx run "$PROJECT:docker-lint" --sarif="dist/strata-sarif/$PROJECT.sarif"`,
    '      - uses: github/codeql-action/upload-sarif@v3',
    `        if: ${ex('always() && matrix.lint')}`,
    '        with:',
    `          sarif_file: dist/strata-sarif/${ex('matrix.project')}.sarif`,
    `          category: nx-strata-docker-lint-${ex('matrix.project')}`,
    ...report(options.toolchain.packageManager.exec),
    '',
  ];
}

/**
 * The GitHub Actions workflow `nx g nx-strata:ci --provider=github` writes. Every command it runs is nx's or
 * nx-strata's own, so a test can check each one exists; no `${{ }}` value is ever part of a `run:` script.
 */
export function githubWorkflow(options: WorkflowOptions): string {
  const { exec } = options.toolchain.packageManager;
  const host = (registry: string) => registry.split('/')[0];
  const onTags = options.publishing?.onTags;
  // Without a publishing plan (no image yet), pushes to the trusted branches publish, as the header says.
  const onPushes = options.publishing ? options.publishing.onPushes : ['*'];
  const lines = [
    '# Written by `nx g nx-strata:ci --provider=github`; edit freely, or run the generator again to rewrite it.',
    '# plan: the affected (project, platform) pairs (`nx affected`, `nx-strata matrix`); build: one job per pair, built',
    onPushes.length
      ? '# once and pushed by digest; publish (trusted branches only): manifest lists copied to every registry, zero builds;'
      : '# once and pushed by digest; publish-release (release tags): manifest lists copied to every registry, zero builds;',
    '# summary: the run in the job summary.',
    '#',
    '# Trust: the registry is a cache, so whoever can push to the trusted namespace decides what main publishes.',
    `# Pull requests (build-pr) are untrusted: they push to ${options.untrustedRegistry} with GITHUB_TOKEN and take hits`,
    `# from ${options.registry}; forks push nowhere. Pushes to ${options.trustedBranches.join(', ')} (build-main, publish) run in the`,
    `# GitHub environment "${options.trustedEnvironment}", whose secrets alone can write the trusted namespace and the cache:`,
    '#   environment secrets STRATA_TRUSTED_REGISTRY_TOKEN (+ variable STRATA_TRUSTED_REGISTRY_USER) and NX_CACHE_WRITE_TOKEN',
    '#   (or NX_CLOUD_ACCESS_TOKEN), with a deployment branch policy of protected branches (never a wildcard);',
    '#   repository secret NX_CACHE_READ_TOKEN (or NX_CLOUD_READ_TOKEN) and variable NX_CACHE_SERVER.',
    "# The trusted packages must grant this repository's Actions read access only (see the nx-strata README).",
    ...(onTags
      ? [
          `# Releases: a pushed tag (${[...onTags.patterns, ...(onTags.release ? ['a published release'] : [])].join(', ')}) publishes ${onTags.projects.join(', ')} under the`,
          `# version it names (publish-release, in the environment "${options.trustedEnvironment}": add the tag pattern to its deployment policy).`,
        ]
      : []),
    ...(options.publishing?.logins.length
      ? [
          '# Publish registries: ' +
            options.publishing.logins.map((login) => `${login.host} (${login.source})`).join(', ') +
            ', as secrets of the repository or the environment.',
        ]
      : []),
    'name: nx-strata',
    '',
    'on:',
    '  push:',
    `    branches: [${options.trustedBranches.join(', ')}]`,
    ...(onTags?.patterns.length ? [`    tags: [${onTags.patterns.map((pattern) => `'${pattern}'`).join(', ')}]`] : []),
    '  pull_request:',
    ...(onTags?.release ? ['  release:', '    types: [published]'] : []),
    '',
    'permissions:',
    '  contents: read',
    '',
    'concurrency:',
    `  group: nx-strata-${ex('github.ref')}`,
    `  cancel-in-progress: ${ex(PULL_REQUEST)}`,
    '',
    'env:',
    `  STRATA_REGISTRY: ${options.registry}`,
    `  STRATA_UNTRUSTED_REGISTRY: ${options.untrustedRegistry}`,
    `  REGISTRY_HOST: ${host(options.registry)}`,
    `  UNTRUSTED_REGISTRY_HOST: ${host(options.untrustedRegistry)}`,
    `  STRATA_HISTORY_DIR: ${options.historyDir}`,
    '  NX_DAEMON: false',
    ...(options.remoteCache === 'self-hosted' ? [`  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: ${ex('vars.NX_CACHE_SERVER')}`] : []),
    ...(options.remoteCache === 'nx-cloud' ? [] : ['  NX_NO_CLOUD: true']),
    '',
    'jobs:',
    '  plan:',
    // A release tag publishes what its commit built on the trusted branch: nothing to plan.
    ...(onTags ? [`    if: ${ex(`github.ref_type != 'tag'`)}`] : []),
    `    runs-on: ${options.runner}`,
    '    outputs:',
    `      matrix: ${ex('steps.matrix.outputs.matrix')}`,
    `      any: ${ex('steps.matrix.outputs.any')}`,
    '    steps:',
    ...setup(options.toolchain, 0),
    '      - uses: nrwl/nx-set-shas@v4',
    '      - name: Affected projects',
    `        run: ${exec} nx show projects --affected --base="$NX_BASE" --head="$NX_HEAD" -t ${options.buildTargetName}`,
    '      - name: Affected (project, platform) pairs',
    '        id: matrix',
    '        run: |',
    `          matrix=$(${exec} nx-strata matrix --base "$NX_BASE" --head "$NX_HEAD" --runner ${options.runner}${options.arm64Runner ? ` --arm64-runner ${options.arm64Runner}` : ''})`,
    '          echo "matrix=$matrix" >> "$GITHUB_OUTPUT"',
    `          if [ "$(echo "$matrix" | jq '.include | length')" -gt 0 ]; then echo "any=true"; else echo "any=false"; fi >> "$GITHUB_OUTPUT"`,
    '          echo "$matrix" | jq .',
    '',
    ...buildJob(options, 'untrusted'),
    ...buildJob(options, 'trusted'),
    ...(onPushes.length
      ? [
          '  publish:',
          `    needs: [plan, ${BUILD_MAIN}]`,
          `    if: ${ex(`${PUSH}${onTags ? ` && github.ref_type == 'branch'` : ''} && needs.plan.outputs.any == 'true'`)}`,
          ...publishJobHead(options),
          '    steps:',
          ...setup(options.toolchain, 0),
          '      - uses: nrwl/nx-set-shas@v4',
          ...login('trusted'),
          ...publishLogins(options.publishing?.logins ?? []),
          ...history('publish'),
          '      - name: Manifest lists, copied to every registry (layers come from the cache or the trusted namespace, no builds)',
          `        run: ${exec} nx affected -t ${options.publishTargetName} --base="$NX_BASE" --head="$NX_HEAD"${onTags ? ` --exclude=${onTags.projects.join(',')}` : ''}`,
          ...report(options.toolchain.packageManager.exec),
          '',
        ]
      : []),
    ...(onTags ? releaseJob(options, onTags) : []),
    '  summary:',
    `    needs: [plan, ${BUILD_PR}, ${BUILD_MAIN}]`,
    `    if: ${ex('always()')}`,
    `    runs-on: ${options.runner}`,
    '    steps:',
    '      - name: Summary',
    '        env:',
    `          MATRIX: ${ex('needs.plan.outputs.matrix')}`,
    `          BUILD_PR: ${ex(`needs['${BUILD_PR}'].result`)}`,
    `          BUILD_MAIN: ${ex(`needs['${BUILD_MAIN}'].result`)}`,
    '        run: |',
    '          {',
    '            echo "### nx-strata pipeline"',
    '            echo "build jobs: pull request $BUILD_PR, main $BUILD_MAIN"',
    '            echo "$MATRIX" | jq -r \'if (.include | length) == 0 then "nothing affected: no image was built" else (.include[] | "- \\(.project) \\(.platform) on \\(.runner)\\(if .qemu then " (QEMU)" else "" end): \\(.layers | length) layers (\\(.why))") end\'',
    '          } >> "$GITHUB_STEP_SUMMARY"',
    '',
  ];
  return lines.join('\n');
}
