export interface WorkflowOptions {
  mainBranch: string;
  runner: string;
  arm64Runner?: string;
  remoteCache: 'self-hosted' | 'nx-cloud' | 'none';
  registry: string;
  buildTargetName: string;
  publishTargetName: string;
  historyDir: string;
}

/** A GitHub Actions expression: `${{ expr }}`. */
const ex = (expression: string) => `\${{ ${expression} }}`;

const TRUSTED = `github.event_name == 'push'`;

function cacheEnv(options: WorkflowOptions): string[] {
  switch (options.remoteCache) {
    case 'self-hosted':
      return [
        '  # The nx-strata cache server (npx nx-strata cache-server): pull requests get a read-only token, so they',
        '  # can use the cache but never write to it; the main branch gets a read-write token.',
        `  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: ${ex('vars.NX_CACHE_SERVER')}`,
        `  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: ${ex(`${TRUSTED} && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN`)}`,
        '  NX_NO_CLOUD: true',
      ];
    case 'nx-cloud':
      return [
        '  # Nx Cloud (npx nx connect): a read-write token on the main branch, a read-only one on pull requests.',
        `  NX_CLOUD_ACCESS_TOKEN: ${ex(`${TRUSTED} && secrets.NX_CLOUD_ACCESS_TOKEN || secrets.NX_CLOUD_READ_TOKEN`)}`,
      ];
    case 'none':
      return ['  NX_NO_CLOUD: true'];
  }
}

const setup = (fetchDepth?: number) => [
  '      - uses: actions/checkout@v4',
  ...(fetchDepth !== undefined ? ['        with:', `          fetch-depth: ${fetchDepth}`] : []),
  '      - uses: actions/setup-node@v4',
  '        with:',
  '          node-version: 20',
  '          cache: npm',
  '      - run: npm ci',
];

const login = [
  '      - uses: docker/login-action@v3',
  '        with:',
  `          registry: ${ex('env.REGISTRY_HOST')}`,
  `          username: ${ex('github.actor')}`,
  `          password: ${ex('secrets.REGISTRY_PASSWORD || secrets.GITHUB_TOKEN')}`,
];

const history = (key: string) => [
  '      # The build history behind `nx-strata report`: runners start empty, so it lives in the CI cache.',
  '      - uses: actions/cache@v4',
  '        with:',
  '          path: ${{ env.STRATA_HISTORY_DIR }}',
  `          key: nx-strata-history-${key}-${ex('github.run_id')}-${ex('github.run_attempt')}`,
  `          restore-keys: nx-strata-history-${key}-`,
];

/**
 * The GitHub Actions workflow `nx g nx-strata:ci --provider=github` writes. Every command it runs is nx's or
 * nx-strata's own, so a test can check each one exists.
 */
export function githubWorkflow(options: WorkflowOptions): string {
  const registryHost = options.registry.split('/')[0];
  const lines = [
    '# Written by `nx g nx-strata:ci --provider=github`; edit freely, or run the generator again to rewrite it.',
    '# plan: the affected (project, platform) pairs (`nx affected`, `nx-strata matrix`); build: one job per pair, built',
    '# once and pushed by digest; publish (main only): manifest lists copied to every registry, zero builds;',
    '# summary: the run in the job summary.',
    '# Needs: vars.NX_CACHE_SERVER and secrets NX_CACHE_WRITE_TOKEN / NX_CACHE_READ_TOKEN (self-hosted cache), or',
    '# NX_CLOUD_ACCESS_TOKEN / NX_CLOUD_READ_TOKEN (Nx Cloud); REGISTRY_PASSWORD unless GITHUB_TOKEN can push.',
    'name: nx-strata',
    '',
    'on:',
    '  push:',
    `    branches: [${options.mainBranch}]`,
    '  pull_request:',
    '',
    'permissions:',
    '  contents: read',
    '  packages: write',
    '  security-events: write',
    '',
    'concurrency:',
    `  group: nx-strata-${ex('github.ref')}`,
    `  cancel-in-progress: ${ex(`github.event_name == 'pull_request'`)}`,
    '',
    'env:',
    `  STRATA_REGISTRY: ${options.registry}`,
    `  REGISTRY_HOST: ${registryHost}`,
    `  STRATA_HISTORY_DIR: ${options.historyDir}`,
    '  NX_DAEMON: false',
    ...cacheEnv(options),
    '',
    'jobs:',
    '  plan:',
    `    runs-on: ${options.runner}`,
    '    outputs:',
    `      matrix: ${ex('steps.matrix.outputs.matrix')}`,
    `      any: ${ex('steps.matrix.outputs.any')}`,
    '    steps:',
    ...setup(0),
    '      - uses: nrwl/nx-set-shas@v4',
    '      - name: Affected projects',
    `        run: npx nx show projects --affected --base="$NX_BASE" --head="$NX_HEAD" -t ${options.buildTargetName}`,
    '      - name: Affected (project, platform) pairs',
    '        id: matrix',
    '        run: |',
    `          matrix=$(npx nx-strata matrix --base "$NX_BASE" --head "$NX_HEAD" --runner ${options.runner}${options.arm64Runner ? ` --arm64-runner ${options.arm64Runner}` : ''})`,
    '          echo "matrix=$matrix" >> "$GITHUB_OUTPUT"',
    `          if [ "$(echo "$matrix" | jq '.include | length')" -gt 0 ]; then echo "any=true"; else echo "any=false"; fi >> "$GITHUB_OUTPUT"`,
    '          echo "$matrix" | jq .',
    '',
    '  build:',
    '    needs: plan',
    `    if: ${ex(`needs.plan.outputs.any == 'true'`)}`,
    `    name: build ${ex('matrix.project')} ${ex('matrix.platform')}`,
    '    strategy:',
    '      fail-fast: false',
    `      matrix: ${ex('fromJSON(needs.plan.outputs.matrix)')}`,
    `    runs-on: ${ex('matrix.runner')}`,
    '    steps:',
    ...setup(),
    '      - uses: docker/setup-qemu-action@v3',
    `        if: ${ex('matrix.qemu')}`,
    ...login,
    ...history(`${ex('matrix.project')}-${ex('matrix.target')}`),
    '      - name: Build and push this platform',
    `        run: npx nx run ${ex('matrix.project')}:${ex('matrix.target')}`,
    '      - name: Test and scan the digests just built (same runner; cache hits for unchanged digests)',
    `        run: npx nx run-many -p ${ex('matrix.project')} -t ${ex('matrix.verify')}`,
    '      - uses: github/codeql-action/upload-sarif@v3',
    `        if: ${ex(`always() && hashFiles('dist/strata/**/*.scan.sarif') != ''`)}`,
    '        with:',
    '          sarif_file: dist/strata',
    `          category: nx-strata-docker-scan-${ex('matrix.project')}-${ex('matrix.platform')}`,
    '      - name: Lint the Dockerfiles (SARIF)',
    `        if: ${ex('matrix.lint')}`,
    `        run: npx nx run ${ex('matrix.project')}:docker-lint --sarif=dist/strata-sarif/${ex('matrix.project')}.sarif`,
    '      - uses: github/codeql-action/upload-sarif@v3',
    `        if: ${ex('always() && matrix.lint')}`,
    '        with:',
    `          sarif_file: dist/strata-sarif/${ex('matrix.project')}.sarif`,
    `          category: nx-strata-docker-lint-${ex('matrix.project')}`,
    '      - name: Report',
    `        if: ${ex('always()')}`,
    '        run: npx nx-strata report --last 1 --markdown - >> "$GITHUB_STEP_SUMMARY"',
    '',
    '  publish:',
    '    needs: [plan, build]',
    `    if: ${ex(`${TRUSTED} && needs.plan.outputs.any == 'true'`)}`,
    `    runs-on: ${options.runner}`,
    '    steps:',
    ...setup(0),
    '      - uses: nrwl/nx-set-shas@v4',
    ...login,
    ...history('publish'),
    '      - name: Manifest lists, copied to every registry (layers come from the cache or the registry, no builds)',
    `        run: npx nx affected -t ${options.publishTargetName} --base="$NX_BASE" --head="$NX_HEAD"`,
    '      - name: Report',
    `        if: ${ex('always()')}`,
    '        run: npx nx-strata report --last 1 --markdown - >> "$GITHUB_STEP_SUMMARY"',
    '',
    '  summary:',
    '    needs: [plan, build]',
    `    if: ${ex('always()')}`,
    `    runs-on: ${options.runner}`,
    '    steps:',
    '      - name: Summary',
    '        env:',
    `          MATRIX: ${ex('needs.plan.outputs.matrix')}`,
    `          BUILD: ${ex('needs.build.result')}`,
    '        run: |',
    '          {',
    '            echo "### nx-strata pipeline"',
    '            echo "build jobs: $BUILD"',
    '            echo "$MATRIX" | jq -r \'if (.include | length) == 0 then "nothing affected: no image was built" else (.include[] | "- \\(.project) \\(.platform) on \\(.runner)\\(if .qemu then " (QEMU)" else "" end): \\(.layers | length) layers") end\'',
    '          } >> "$GITHUB_STEP_SUMMARY"',
    '',
  ];
  return lines.join('\n');
}
