import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES, REPO_ROOT } from './support/paths';
import { TestRegistry } from './support/test-registry';

/** The SARIF 2.1.0 schema, offline (bundled by @microsoft/jest-sarif; draft-04, so ajv 6 needs that meta-schema). */
const validateSarif = (() => {
  const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
  ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
  return ajv.compile(
    JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')),
  );
})();

interface TestResult {
  digest: string;
  ref: string;
  platform: string;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
  testedAt: string;
}

const ROOT_APP = [
  '# The app layer as first written: runs as root, no health check.',
  'ARG BASE_IMAGE',
  'FROM ${BASE_IMAGE}',
  'COPY www/ /www/',
  'EXPOSE 8080',
  'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
  '',
].join('\n');

/**
 * Verification in the graph: docker-test runs the exact digest a build recorded (pulled, never rebuilt), on amd64 and
 * on arm64 under QEMU, and docker-publish waits for it: a failed check publishes nothing.
 */
describe('verify the exact digest before publishing', () => {
  let registry: TestRegistry;
  let workspace: E2EWorkspace;
  let env: NodeJS.ProcessEnv;
  const fixed = readFileSync(join(FIXTURES, 'verified/docker/Dockerfile.app'), 'utf8');
  const tested = (layer: string, slug: string): TestResult | undefined => {
    const path = join(workspace.root, 'dist/strata', 'default', layer, `${slug}.tested.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TestResult) : undefined;
  };
  const ranFresh = (output: string, target: string) => new RegExp(`> nx run web:${target}\\s*$`, 'm').test(output);
  const fromCache = (output: string, target: string) =>
    new RegExp(`> nx run web:${target}\\s+\\[(local cache|existing outputs match the cache)`).test(output);

  const sarifResults = () =>
    (JSON.parse(workspace.read('dist/strata/lint.sarif')) as { runs: Array<{ results: Array<{ ruleId: string; level: string }> }> }).runs[0]
      .results;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    env = { STRATA_REGISTRY: `${registry.host}/builds` };
    workspace = E2EWorkspace.create(join(FIXTURES, 'verified'));
  });
  afterAll(async () => {
    workspace?.remove();
    await registry?.destroy();
  });

  test('an image that runs as root with no HEALTHCHECK fails docker-test, and docker-publish touches no registry', async () => {
    workspace.write('docker/Dockerfile.app', ROOT_APP);
    const config = JSON.parse(workspace.read('strata.json'));
    config.layers.app.test.smoke[0].maxStartupMs = 1; // an impossible budget: this run must fail on it
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    workspace.commitAll('root app');

    const started = Date.now();
    const run = workspace.nx(['run', 'web:docker-publish'], env);
    expect(run.exitCode).not.toBe(0);
    // Every layer was built (the checks failed, not the builds): the run's output is shown if not.
    const built = workspace.builtSince(started);
    expect(built.length === 4 ? built : { built, output: run.output }).toEqual([
      'default/app/linux/amd64',
      'default/app/linux/arm64',
      'default/base/linux/amd64',
      'default/base/linux/arm64',
    ]);
    // Each failure names the image, digest and platform, the check, the budget and what was measured.
    const amd64 = workspace.record('default', 'app', 'linux-amd64')!;
    expect(run.output).toContain(`failed on ${amd64.refs.find((ref) => ref.includes('@'))} (digest ${amd64.digest}, linux/amd64)`);
    expect(run.output).toContain('non-root user: the image runs as root (config User is empty)');
    expect(run.output).toContain('healthcheck: the image declares no HEALTHCHECK');
    expect(run.output).toMatch(/smoke `--entrypoint cat \/www\/index.html`: median start-up \d+ ms over 3 runs is over its budget of 1 ms/);
    expect(run.output).not.toContain('nx-strata: published');
    expect(tested('app', 'linux-amd64')).toBeUndefined();
    // docker-lint names both rules at the Dockerfile's line, with the fix; the root user is an error.
    expect(run.output).toContain(
      'docker/Dockerfile.app:3:1  error  non-root-user  the final stage sets no USER, nor does anything it builds on in this repository (the base image decides: usually root) (layer app (linux/amd64), app (linux/arm64))',
    );
    expect(run.output).toContain('docker/Dockerfile.app:3:1  warning  healthcheck  the final stage has no HEALTHCHECK');
    expect(run.output).toContain('→ add `USER <uid>`');
    expect(run.output).toContain('docker-lint of acme/web: 3 Dockerfiles, 1 error, 1 warning');
    expect(sarifResults().map((result) => `${result.ruleId} ${result.level}`)).toEqual(['healthcheck warning', 'non-root-user error']);
    // Nothing under the publish tags; the build registry keeps its content-addressed tags (tests run on them).
    expect(await registry.tags('builds/acme/web')).toEqual([]);
    expect((await registry.tags('builds/acme/web/app')).every((tag) => tag.startsWith('strata-'))).toBe(true);
    expect(await registry.tags('builds/acme/web/app')).toHaveLength(2);
    // The build history and the report say which checks stopped which publish.
    const report = workspace.cli(['report', '--last', '1']);
    expect(report.exitCode).toBe(0);
    expect(report.output).toContain('publishes 0 done, 1 stopped by a failed check, 0 failed');
    expect(report.output).toContain('lint 1 failed');
    expect(report.output).toMatch(
      /web:docker-publish\s+web:docker-lint, web:docker-test--app--linux-amd64, web:docker-test--app--linux-arm64\s+\S+ \S+ nx run web:docker-publish/,
    );
  });

  test('the fixed image passes on amd64 and on arm64 under QEMU, is published, and a rerun re-verifies nothing', async () => {
    workspace.write('docker/Dockerfile.app', fixed);
    workspace.write('strata.json', readFileSync(join(FIXTURES, 'verified/strata.json'), 'utf8'));
    workspace.commitAll('non-root app with a health check');

    const run = workspace.nx(['run-many', '-t', 'docker-test,docker-publish'], env);
    expectSuccess(run);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      const record = workspace.record('default', 'app', slug)!;
      const result = tested('app', slug)!;
      // The digest the build recorded is the one tested: pulled by digest, never rebuilt.
      expect(result.digest).toBe(record.digest);
      expect(result.ref).toBe(`${registry.host}/builds/acme/web/app@${record.digest}`);
      expect(result.checks.map((check) => [check.check, check.ok])).toEqual([
        ['non-root user', true],
        ['healthcheck', true],
        ['port 8080 (HTTP GET /index.html)', true],
        ['smoke `--entrypoint cat /www/index.html`', true],
      ]);
      expect(result.checks[0].detail).toContain('id -u 65534');
      expect(result.checks[0].detail).toContain('docker top uid 65534');
      expect(result.checks[1].detail).toMatch(/^healthy \d+ ms after start \(budget 120000 ms\)$/);
    }
    // The base layer asked for a test too; its smoke run printed the architecture it ran on (arm64 under QEMU here).
    expect(tested('base', 'linux-arm64')!.checks).toEqual([expect.objectContaining({ check: 'smoke `cat /etc/web-base`', ok: true })]);
    expect(run.output).toContain('web base aarch64');
    // The scanner ran on each published digest (pulled, never rebuilt) and wrote a clean SARIF log beside the record.
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      const scanned = JSON.parse(workspace.read(`dist/strata/default/app/${slug}.scanned.json`));
      expect(scanned).toMatchObject({ digest: workspace.record('default', 'app', slug)!.digest, scanner: 'fixture-scanner', findings: 0 });
      expect(scanned.scannerVersion).toBe('fixture-scanner 1.0\ndatabase: 2026-11-30');
      expect(validateSarif(JSON.parse(workspace.read(`dist/strata/default/app/${slug}.scan.sarif`)))).toBe(true);
    }
    expect(run.output).toContain('passed fixture-scanner on');
    // docker-lint is clean, and its SARIF log validates against the SARIF 2.1.0 schema.
    expect(run.output).toContain('docker-lint of acme/web: 3 Dockerfiles, 0 errors, 0 warnings');
    expect(sarifResults()).toEqual([]);
    expect(validateSarif(JSON.parse(workspace.read('dist/strata/lint.sarif')))).toBe(true);
    // Published: one manifest list under the default tags.
    expect(await registry.tags('builds/acme/web')).toEqual(expect.arrayContaining(['latest']));
    const published = await registry.tags('builds/acme/web');

    const testedAt = tested('app', 'linux-arm64')!.testedAt;
    rmSync(join(workspace.root, 'dist/strata/lint.sarif'));
    const again = workspace.nx(['run-many', '-t', 'docker-test,docker-publish'], env);
    expectSuccess(again);
    for (const target of [
      'docker-test--app--linux-amd64',
      'docker-test--app--linux-arm64',
      'docker-test--base--linux-arm64',
      'docker-scan--app--linux-amd64',
      'docker-scan--app--linux-arm64',
      'docker-lint',
    ])
      expect(fromCache(again.output, target)).toBe(true);
    // The SARIF log is a declared output: the cache hit restored it.
    expect(validateSarif(JSON.parse(workspace.read('dist/strata/lint.sarif')))).toBe(true);
    expect(tested('app', 'linux-arm64')!.testedAt).toBe(testedAt);
    expect(await registry.tags('builds/acme/web')).toEqual(published);
  });

  test('a code-only change rebuilds, tests and publishes the app layers only; the base verifications are cache hits', () => {
    workspace.write('www/index.html', '<p>hello from web, again</p>\n');
    workspace.commitAll('new page');
    const started = Date.now();
    const run = workspace.nx(['affected', '-t', 'docker-test,docker-publish', '--base=HEAD~1'], env);
    expectSuccess(run);
    expect(workspace.builtSince(started)).toEqual(['default/app/linux/amd64', 'default/app/linux/arm64']);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      expect(ranFresh(run.output, `docker-test--app--${slug}`)).toBe(true);
      expect(ranFresh(run.output, `docker-scan--app--${slug}`)).toBe(true);
      expect(fromCache(run.output, `docker-test--base--${slug}`)).toBe(true);
      expect(tested('app', slug)!.digest).toBe(workspace.record('default', 'app', slug)!.digest);
    }
    expect(run.output).toContain('nx-strata: published');
    // The Dockerfiles did not change: their lint is a cache hit.
    expect(fromCache(run.output, 'docker-lint')).toBe(true);
  });

  test('the scanner fixture: a planted marker fails the scan with SARIF naming it and stops the publish; removing it passes', async () => {
    const published = await registry.tags('builds/acme/web');
    const publishRecord = workspace.read('dist/strata/default/publish.json');
    workspace.write('www/planted-cve-marker', 'not really a CVE\n');
    workspace.commitAll('plant a marker');
    const run = workspace.nx(['run', 'web:docker-publish'], env);
    expect(run.exitCode).not.toBe(0);
    for (const slug of ['linux-amd64', 'linux-arm64']) {
      const platform = slug.replace('-', '/');
      const record = workspace.record('default', 'app', slug)!;
      expect(run.output).toContain(
        `docker-scan of layer "app" of acme/web (${platform}) failed on ${registry.host}/builds/acme/web/app@${record.digest} (digest ${record.digest}, ${platform}): fixture-scanner found 1 finding and exited 1 (threshold: high)`,
      );
      // The SARIF log the scanner wrote names the marker, and validates.
      const sarif = JSON.parse(workspace.read(`dist/strata/default/app/${slug}.scan.sarif`));
      expect(validateSarif(sarif)).toBe(true);
      expect(sarif.runs[0].results).toEqual([
        expect.objectContaining({
          ruleId: 'FIXTURE-0001',
          level: 'error',
          locations: [{ physicalLocation: { artifactLocation: { uri: 'www/planted-cve-marker' } } }],
        }),
      ]);
      expect(existsSync(join(workspace.root, `dist/strata/default/app/${slug}.scanned.json`))).toBe(false);
    }
    expect(run.output).toContain('  - error FIXTURE-0001: planted marker /www/planted-cve-marker is in the image (www/planted-cve-marker)');
    expect(run.output).not.toContain('nx-strata: published');
    expect(workspace.read('dist/strata/default/publish.json')).toBe(publishRecord);
    expect(await registry.tags('builds/acme/web')).toEqual(published);
    expect(workspace.cli(['report', '--last', '1']).output).toMatch(
      /web:docker-publish\s+web:docker-scan--app--linux-amd64, web:docker-scan--app--linux-arm64\s/,
    );

    // Removed: the digest is the one scanned before (a cache hit on digest + scanner version + settings).
    rmSync(join(workspace.root, 'www/planted-cve-marker'));
    workspace.commitAll('remove the marker');
    const clean = workspace.nx(['run', 'web:docker-publish'], env);
    expectSuccess(clean);
    expect(fromCache(clean.output, 'docker-scan--app--linux-amd64')).toBe(true);
    expect(clean.output).toContain('nx-strata: published');

    // A new vulnerability database: the same digest is scanned again (a cached pass must not hide new CVEs).
    workspace.write('tools/scanner-db.txt', '2026-12-01\nwww/planted-cve-marker\n');
    const newDatabase = workspace.nx(['run-many', '-t', 'docker-scan'], env);
    expectSuccess(newDatabase);
    expect(ranFresh(newDatabase.output, 'docker-scan--app--linux-amd64')).toBe(true);
    expect(JSON.parse(workspace.read('dist/strata/default/app/linux-amd64.scanned.json')).scannerVersion).toContain('database: 2026-12-01');
  });

  test('a scanner that is not installed fails its scan with how to install it; hashing the run does not fail', () => {
    const config = JSON.parse(workspace.read('strata.json'));
    config.scan = { scanner: 'trivy' };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    const run = workspace.nx(['run', 'web:docker-scan--app--linux-amd64'], env);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(
      'docker-scan of layer "app" of acme/web (linux/amd64): the scanner "trivy" is not installed here (trivy not found on PATH); nothing was scanned.',
    );
    expect(run.output).toContain('→ install trivy (https://trivy.dev/');
    expect(run.output).not.toMatch(/Command failed|Failed to hash/i);
    expect(existsSync(join(workspace.root, 'dist/strata/default/app/linux-amd64.scanned.json'))).toBe(false);
  });

  test('local mode (no registry): the local content-addressed tag is tested and scanned, and each says so', () => {
    const local = E2EWorkspace.create(join(FIXTURES, 'verified'));
    try {
      const run = local.nx(['run-many', '-t', 'docker-test--app--linux-amd64,docker-scan--app--linux-amd64']);
      expectSuccess(run);
      const record = local.record('default', 'app', 'linux-amd64')!;
      expect(record.mode).toBe('local');
      const tag = record.refs[0];
      expect(tag).toMatch(/:strata-[0-9a-f]+$/);
      expect(run.output).toContain(
        `testing layer "app" of acme/web (linux/amd64): ${tag} (linux/amd64, local mode: the local content-addressed tag)`,
      );
      expect(run.output).toContain(`${tag} (linux/amd64, local mode: the local content-addressed tag) on the local Docker engine`);
      expect(JSON.parse(local.read('dist/strata/default/app/linux-amd64.tested.json'))).toMatchObject({ mode: 'local', ref: tag });
      expect(JSON.parse(local.read('dist/strata/default/app/linux-amd64.scanned.json'))).toMatchObject({
        mode: 'local',
        ref: tag,
        findings: 0,
      });
    } finally {
      local.remove();
    }
  });
});
