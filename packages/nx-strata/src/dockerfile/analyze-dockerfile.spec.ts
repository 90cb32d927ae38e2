import { StrataInputError } from '../config/strata-error';
import { analyzeDockerfile, normalizeContextPath } from './analyze-dockerfile';
import { parseDockerfile } from './parse-dockerfile';

const analyze = (text: string, options: Partial<Parameters<typeof analyzeDockerfile>[1]> = {}) =>
  analyzeDockerfile(parseDockerfile(text, 'Dockerfile'), { buildArgs: {}, platform: 'linux/amd64', parentArg: 'BASE_IMAGE', ...options });

describe('analyzeDockerfile', () => {
  it('names each external image once, at the first line that uses it (hardening item 5)', () => {
    const text = [
      'FROM python:3.11-slim AS deps',
      'RUN true',
      'FROM python:3.11-slim AS test',
      'COPY --from=python:3.11-slim /x /x',
      'FROM python:3.11-slim',
      'COPY --from=deps /a /a',
      'COPY --from=test /b /b',
    ].join('\n');
    expect(analyze(text).externalImages).toEqual([{ ref: 'python:3.11-slim', line: 1, pinned: false }]);
  });

  it('names the external image the built stage starts from, through FROM <stage>, and none for the parent or scratch', () => {
    const text = [
      'FROM golang:1.22 AS build',
      'FROM python:3.11-slim AS deps',
      'COPY --from=build /app /app',
      'FROM deps AS runtime',
      'COPY --from=alpine:3.20 /etc/os-release /x',
      'FROM scratch AS empty',
    ].join('\n');
    expect(analyze(text, { target: 'runtime' }).baseImage).toEqual({ ref: 'python:3.11-slim', line: 2, pinned: false });
    expect(analyze(text, { target: 'build' }).baseImage).toEqual({ ref: 'golang:1.22', line: 1, pinned: false });
    expect(analyze(text).baseImage).toBeUndefined();
    expect(analyze('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nFROM base\n').baseImage).toBeUndefined();
    expect(analyze('ARG PY=3.12\nFROM python:${PY}@sha256:' + 'a'.repeat(64) + '\n').baseImage).toEqual({
      ref: `python:3.12@sha256:${'a'.repeat(64)}`,
      line: 2,
      pinned: true,
    });
  });

  it('reads only stages reachable from --target', () => {
    const text = [
      'FROM alpine:3.20 AS deps',
      'COPY requirements.txt .',
      'FROM alpine:3.20 AS test',
      'COPY tests/ /tests/',
      'FROM deps AS runtime',
      'COPY src/ /src/',
    ].join('\n');
    expect(analyze(text, { target: 'runtime' }).contextSources.map((source) => source.path)).toEqual(['requirements.txt', 'src']);
    expect(analyze(text, { target: 'test' }).contextSources.map((source) => source.path)).toEqual(['tests']);
  });

  it('follows COPY --from and RUN --mount from= to other stages, and reads no context for them', () => {
    const text = [
      'FROM golang:1.22 AS build',
      'COPY go.mod main.go ./',
      'FROM alpine:3.20 AS unused',
      'COPY unused.txt .',
      'FROM scratch',
      'COPY --from=build /out/app /app',
      'RUN --mount=type=bind,from=build,source=/out,target=/o true',
    ].join('\n');
    const analysis = analyze(text);
    expect(analysis.contextSources.map((source) => source.path)).toEqual(['go.mod', 'main.go']);
    expect(analysis.externalImages).toEqual([{ ref: 'golang:1.22', line: 1, pinned: false }]);
  });

  it('expands ARG references in COPY sources with the layer build args over defaults', () => {
    const text =
      'ARG FLAVOR=cpu\nFROM alpine:3.20\nARG FLAVOR\nARG APP_DIR=apps/${FLAVOR}\nCOPY ${APP_DIR}/ /app/\nCOPY requirements/${FLAVOR}.txt /r.txt\n';
    expect(analyze(text).contextSources.map((source) => source.path)).toEqual(['apps/cpu', 'requirements/cpu.txt']);
    expect(analyze(text, { buildArgs: { FLAVOR: 'cuda' } }).contextSources.map((source) => source.path)).toEqual([
      'apps/cuda',
      'requirements/cuda.txt',
    ]);
  });

  it('expands TARGETARCH when the stage declares it', () => {
    const text = 'FROM alpine:3.20\nARG TARGETARCH\nCOPY bin/${TARGETARCH}/tool /usr/bin/tool\n';
    expect(analyze(text, { platform: 'linux/arm64' }).contextSources.map((source) => source.path)).toEqual(['bin/arm64/tool']);
  });

  it('lets ENV override ARG and inherits ENV from the base stage', () => {
    const text = 'FROM alpine:3.20 AS a\nENV DIR=from-env\nFROM a\nARG DIR=from-arg\nCOPY ${DIR}/ /x/\n';
    expect(analyze(text).contextSources.map((source) => source.path)).toEqual(['from-env']);
  });

  it('reads no context for ADD <url> and warns without --checksum', () => {
    const analysis = analyze(
      'FROM alpine:3.20\nADD https://example.com/model.bin /m\nADD --checksum=sha256:abc https://example.com/b /b\nADD vendor.tar /v\n',
    );
    expect(analysis.contextSources.map((source) => source.path)).toEqual(['vendor.tar']);
    expect(analysis.warnings).toHaveLength(1);
    expect(analysis.warnings[0]).toContain('Dockerfile:2: ADD https://example.com/model.bin downloads at build time without --checksum');
  });

  it('treats FROM ${BASE_IMAGE} as the parent, not an external image', () => {
    const analysis = analyze('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app\n');
    expect(analysis.externalImages).toEqual([]);
    expect(analysis.contextSources).toEqual([{ path: '.', line: 3, instruction: 'COPY' }]);
  });

  it('reports external images and whether they are pinned', () => {
    const analysis = analyze('FROM python:3.11-slim@sha256:' + 'a'.repeat(64) + ' AS a\nFROM python:3.11-slim\nCOPY --from=a /x /x\n');
    expect(analysis.externalImages.map((image) => [image.ref.split('@')[0], image.pinned])).toEqual([
      ['python:3.11-slim', true],
      ['python:3.11-slim', false],
    ]);
  });

  it('names the stages when --target does not exist', () => {
    expect(() => analyze('FROM alpine AS build\nFROM build AS runtime\n', { target: 'prod' })).toThrow(StrataInputError);
    expect(() => analyze('FROM alpine AS build\nFROM build AS runtime\n', { target: 'prod' })).toThrow(
      'use one of its stages: build, runtime',
    );
  });
});

describe('normalizeContextPath', () => {
  test.each([
    ['./src/', { path: 'src', clamped: false }],
    ['/requirements/app.txt', { path: 'requirements/app.txt', clamped: false }],
    ['.', { path: '.', clamped: false }],
    ['../secrets', { path: 'secrets', clamped: true }],
  ])('%s', (raw, expected) => {
    expect(normalizeContextPath(raw)).toEqual(expected);
  });
});
