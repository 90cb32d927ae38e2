import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { readDockerfileFacts, type DockerfileFacts } from './dockerfile-facts';
import { effectiveSeverities, LINT_RULES } from './lint-rules';
import { lintUnit, type LintUnit } from './lint-unit';
import { toSarif } from './sarif';

const files: Record<string, string> = {
  'docker/base': [
    'FROM python:3.11-slim',
    'RUN apt-get update && apt-get install -y curl',
    'RUN pip install --no-cache-dir torch',
    'RUN --mount=type=cache,target=/root/.cache/pip pip install numpy',
    'ENV GPG_KEY=abc PATH=/usr/local/bin:$PATH',
    'ARG NPM_TOKEN',
    '',
  ].join('\n'),
  'docker/app': [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE} AS runtime',
    'ADD https://example.com/model.bin /m.bin',
    'ADD --checksum=sha256:0123 https://example.com/ok.bin /ok.bin',
    'RUN apt-get install -y jq && rm -rf /var/lib/apt/lists/*',
    'RUN apk add git',
    'CMD ["serve"]',
    '',
  ].join('\n'),
  'docker/fixed': [
    'ARG OS=busybox:1.36@sha256:aaaa',
    'FROM ${OS} AS build',
    'RUN echo build',
    'FROM build',
    'USER 65534',
    'HEALTHCHECK CMD wget -q -O- localhost:8080',
    '',
  ].join('\n'),
  'docker/latest': 'FROM ubuntu\nFROM alpine:latest AS two\nFROM scratch\nUSER root\nHEALTHCHECK NONE\n',
};
const factsOf = (file: string): DockerfileFacts => readDockerfileFacts(files[file]);
const unit = (dockerfile: string, extra: Partial<LintUnit> = {}): LintUnit => ({
  dockerfile,
  args: {},
  final: true,
  layers: ['app (cpu, linux/amd64)'],
  severities: effectiveSeverities(),
  allowImages: [],
  ...extra,
});
const rulesAt = (findings: ReturnType<typeof lintUnit>) => findings.map((finding) => `${finding.at.line} ${finding.rule}`);

describe('docker-lint rules', () => {
  it('finds package caches, secret-looking names and an unpinned base, and not a cache mount or --no-cache-dir', () => {
    const findings = lintUnit(unit('docker/base', { final: false }), factsOf);
    expect(rulesAt(findings)).toEqual(['2 package-cache', '1 pinned-base-image', '5 secret-in-env', '6 secret-in-env']);
    expect(findings.find((finding) => finding.rule === 'secret-in-env')!.message).toBe('ENV GPG_KEY looks like a secret');
    expect(findings[0]).toMatchObject({ file: 'docker/base', severity: 'warning', at: { line: 2, column: 1 } });
  });

  it('inherits USER and HEALTHCHECK through the parent layer, and checks remote ADDs and apk', () => {
    const parent = { dockerfile: 'docker/fixed', args: {} };
    const findings = lintUnit(unit('docker/app', { parentArg: 'BASE_IMAGE', parent }), factsOf);
    // The parent layer's final stage sets a non-root USER and a HEALTHCHECK: the child has both.
    expect(rulesAt(findings)).toEqual(['6 package-cache', '3 remote-add-checksum']);
    const orphan = lintUnit(unit('docker/app', { parentArg: 'BASE_IMAGE' }), factsOf);
    expect(rulesAt(orphan)).toEqual(expect.arrayContaining(['2 non-root-user', '2 healthcheck']));
  });

  it('follows stages within the file and the build args of a pinned base', () => {
    expect(lintUnit(unit('docker/fixed'), factsOf)).toEqual([]);
    const unpinned = lintUnit(unit('docker/fixed', { args: { OS: 'busybox' } }), factsOf);
    expect(rulesAt(unpinned)).toEqual(['2 pinned-base-image', '2 latest-tag']);
    expect(unpinned[1].message).toBe('the base image busybox names no tag (latest)');
  });

  it('names root and HEALTHCHECK NONE at their lines, latest tags, and honours allowImages and severities', () => {
    const findings = lintUnit(unit('docker/latest'), factsOf);
    expect(rulesAt(findings)).toEqual([
      '1 pinned-base-image',
      '1 latest-tag',
      '2 pinned-base-image',
      '2 latest-tag',
      '4 non-root-user',
      '5 healthcheck',
    ]);
    expect(findings.find((finding) => finding.rule === 'non-root-user')!.message).toBe('the final stage runs as root (USER root)');
    const relaxed = lintUnit(
      unit('docker/latest', {
        allowImages: ['ubuntu', 'alp*'],
        severities: effectiveSeverities({ healthcheck: 'off' }, { 'non-root-user': 'warning' }),
      }),
      factsOf,
    );
    expect(relaxed.map((finding) => `${finding.rule} ${finding.severity}`)).toEqual(['non-root-user warning']);
  });
});

describe('SARIF', () => {
  const schema = JSON.parse(
    readFileSync(join(__dirname, '../../../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  );
  // The schema is draft-04: ajv 6 needs that meta-schema added (offline, from its own package).
  const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
  ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
  const validate = ajv.compile(schema);

  it('writes a SARIF 2.1.0 log that validates against the schema, every rule described, results at file and line', () => {
    const findings = lintUnit(unit('docker/latest'), factsOf);
    const log = toSarif(findings, '0.1.0') as {
      runs: Array<{ tool: { driver: { rules: unknown[] } }; results: Array<Record<string, unknown>> }>;
    };
    expect(validate(log)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toHaveLength(LINT_RULES.length);
    expect(log.runs[0].results[4]).toMatchObject({
      ruleId: 'non-root-user',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'docker/latest' }, region: { startLine: 4, startColumn: 1 } } }],
    });
    expect(validate(toSarif([], '0.1.0'))).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });
});
