import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnoseDockerFailure, isPassingCopyFailure } from './docker-diagnosis';

const captured = (name: string) => readFileSync(join(__dirname, '__fixtures__', `${name}.stderr.txt`), 'utf8');

describe('diagnoseDockerFailure (real buildx 0.13 / engine 20.10 stderr)', () => {
  test.each([
    ['engine-down', null, 'engine-down', 'the Docker engine is not reachable'],
    ['registry-down', '127.0.0.1:1/acme', 'registry-unreachable', 'the registry 127.0.0.1:1/acme is unreachable'],
    ['run-failed', null, 'build-failed', 'fix the Dockerfile or its inputs'],
    ['base-missing', null, 'image-not-found', 'an image the build starts from cannot be found: 127.0.0.1:5000/nothing/here:1'],
    ['manifest-put-500', '127.0.0.1:5000/diag', 'registry-error', '127.0.0.1:5000/diag failed with HTTP 500 while the image was pushed'],
    ['cache-export-docker-driver', null, 'cache-export-unsupported', 'the `docker` buildx driver cannot export a build cache'],
    ['base-host-unknown', null, 'network-unreachable', 'DNS cannot resolve the registry host (nonexistent.invalid)'],
    [
      'base-unreachable',
      null,
      'network-unreachable',
      'the network failed while fetching docker.io/library/alpine:3.20: DNS cannot resolve the registry host (registry-1.docker.io)',
    ],
    ['parent-pruned', '127.0.0.1:41155/none', 'image-not-found', 'build its parent layer first'],
  ])('%s', (fixture, registry, kind, hint) => {
    const diagnosis = diagnoseDockerFailure(captured(fixture), { registry });
    expect(diagnosis.kind).toBe(kind);
    expect(diagnosis.hint).toContain(hint);
  });

  it('tells a read-only registry from refused credentials', () => {
    expect(
      diagnoseDockerFailure('ERROR: failed to push: denied: requested access to the resource is denied', { registry: 'ghcr.io/acme' }).kind,
    ).toBe('registry-read-only');
    expect(diagnoseDockerFailure('ERROR: failed to authorize: 401 Unauthorized', { registry: 'ghcr.io/acme' }).hint).toContain(
      'docker login ghcr.io',
    );
    const afterPull = diagnoseDockerFailure('ERROR: failed to push ghcr.io/acme/app:strata-1: 401 Unauthorized', {
      registry: 'ghcr.io/acme',
      pullWorks: true,
    });
    expect(afterPull.kind).toBe('registry-read-only');
    expect(afterPull.hint).toContain('lets these credentials pull but not push');
  });
});

describe('isPassingCopyFailure: a registry-side copy worth one more try', () => {
  test.each([
    // Seen in CI (distribution 2.8 answering a retag's HEAD).
    [
      'ERROR: unexpected status from HEAD request to http://127.0.0.1:41873/v2/mirror/acme/vision/manifests/latest-cpu: 500 Internal Server Error',
      true,
    ],
    ['ERROR: failed commit on ref "index-sha256:abc": unexpected status: 400 Bad Request', true],
    ['ERROR: unexpected status from PUT request to http://r/v2/a/manifests/t: 400 Bad Request', true],
    ['ERROR: httpReadSeeker: failed open: unexpected status code https://r/v2/a/blobs/sha256:x: 503 Service Unavailable', true],
    ['ERROR: unexpected status from HEAD request to http://r/v2/a/manifests/t: 401 Unauthorized', false],
    ['ERROR: mirror/acme/vision:latest-cpu: not found', false],
    ['ERROR: failed to solve: 500 rows processed', false],
  ])('%s → %s', (stderr, retry) => expect(isPassingCopyFailure(stderr)).toBe(retry));
});
