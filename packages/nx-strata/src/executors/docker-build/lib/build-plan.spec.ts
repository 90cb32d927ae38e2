import { normalizeOptions } from './normalize-options';
import { baseAnnotations, pinnedRef, planBuild } from './build-plan';
import { buildxBuildArgs } from '../../../engines/buildx';

const raw = {
  configFile: 'strata.json',
  image: 'acme/vision',
  variant: 'cpu',
  layer: 'ml',
  platform: 'linux/arm64',
  dockerfile: 'docker/arm64/Dockerfile.ml',
  record: 'dist/strata/vision/cpu/ml/linux-arm64.json',
  args: { PY: '3.11' },
  registry: 'localhost:5000/acme',
};
const parent = {
  target: 'docker-build--cpu--base--linux-arm64',
  key: 'b'.repeat(16),
  ref: `localhost:5000/acme/acme/vision/base@sha256:${'1'.repeat(64)}`,
};

describe('planBuild', () => {
  it('pushes to <registry>/<image>/<layer>:strata-<key> and pins the parent by digest', () => {
    const plan = planBuild(normalizeOptions(raw, '/ws', { STRATA_TRUST: 'trusted' }), 'a'.repeat(16), parent, '/tmp/m.json');
    expect(plan.tag).toBe(`localhost:5000/acme/acme/vision/ml:strata-${'a'.repeat(16)}`);
    expect(plan.buildx).toMatchObject({
      output: 'push',
      buildArgs: { PY: '3.11', BASE_IMAGE: parent.ref },
      platform: 'linux/arm64',
      provenance: false,
      progress: 'plain',
    });
    expect(pinnedRef(plan, { registry: 'localhost:5000/acme' }, 'sha256:ff')).toBe('localhost:5000/acme/acme/vision/ml@sha256:ff');
  });

  it("annotates the layer's manifest with its base: the parent's content tag and digest, or the local tag alone", () => {
    const plan = planBuild(normalizeOptions(raw, '/ws', { STRATA_TRUST: 'trusted' }), 'a'.repeat(16), parent, '/tmp/m.json');
    expect(plan.buildx.manifestAnnotations).toEqual({
      'org.opencontainers.image.base.name': `localhost:5000/acme/acme/vision/base:strata-${'b'.repeat(16)}`,
      'org.opencontainers.image.base.digest': `sha256:${'1'.repeat(64)}`,
    });
    expect(buildxBuildArgs(plan.buildx)).toEqual(
      expect.arrayContaining(['--annotation', `manifest:org.opencontainers.image.base.digest=sha256:${'1'.repeat(64)}`]),
    );
    expect(baseAnnotations({ ...parent, ref: `acme/vision/base:strata-${'b'.repeat(16)}` })).toEqual({
      'org.opencontainers.image.base.name': `acme/vision/base:strata-${'b'.repeat(16)}`,
    });
    // A root layer from scratch has no base to name.
    expect(planBuild(normalizeOptions(raw, '/ws', {}), 'c'.repeat(16), null, '/tmp/m.json').buildx.manifestAnnotations).toBeUndefined();
  });

  it('annotates a root layer with the external image it starts from, and its digest only when the FROM line pins it', () => {
    const root = (ref: string) =>
      planBuild(normalizeOptions(raw, '/ws', {}), 'c'.repeat(16), null, '/tmp/m.json', undefined, {
        ref,
        line: 1,
        pinned: ref.includes('@'),
      }).buildx.manifestAnnotations;
    expect(root('python:3.11-slim')).toEqual({ 'org.opencontainers.image.base.name': 'python:3.11-slim' });
    expect(root(`python:3.11-slim@sha256:${'2'.repeat(64)}`)).toEqual({
      'org.opencontainers.image.base.name': 'python:3.11-slim',
      'org.opencontainers.image.base.digest': `sha256:${'2'.repeat(64)}`,
    });
    // A layer with a parent names the parent, whatever else its Dockerfile starts from.
    expect(
      planBuild(normalizeOptions(raw, '/ws', {}), 'c'.repeat(16), parent, '/tmp/m.json', undefined, {
        ref: 'alpine:3.20',
        line: 1,
        pinned: false,
      }).buildx.manifestAnnotations?.['org.opencontainers.image.base.name'],
    ).toBe(`localhost:5000/acme/acme/vision/base:strata-${'b'.repeat(16)}`);
  });

  it('loads into the engine under a content tag in local mode, and STRATA_REGISTRY overrides the option', () => {
    const local = normalizeOptions(raw, '/ws', { STRATA_REGISTRY: '' });
    const plan = planBuild(local, 'c'.repeat(16), null, '/tmp/m.json');
    expect(local.registry).toBeNull();
    expect(plan.tag).toBe(`acme/vision/ml:strata-${'c'.repeat(16)}`);
    expect(plan.buildx).toMatchObject({ output: 'load', buildArgs: { PY: '3.11' } });
    expect(pinnedRef(plan, local, 'sha256:ff')).toBe(plan.tag);
    expect(normalizeOptions(raw, '/ws', { STRATA_REGISTRY: 'ghcr.io/acme/', STRATA_TRUST: 'trusted' }).registry).toBe('ghcr.io/acme');
  });

  it('pushes an untrusted run (a pull request, a developer machine) to the untrusted namespace', () => {
    const pr = { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/1/merge' };
    expect(planBuild(normalizeOptions(raw, '/ws', pr), 'a'.repeat(16), parent, '/tmp/m.json').tag).toBe(
      `localhost:5000/acme/untrusted/acme/vision/ml:strata-${'a'.repeat(16)}`,
    );
    const own = normalizeOptions({ ...raw, untrustedRegistry: 'localhost:5001/pr' }, '/ws', {});
    expect(planBuild(own, 'a'.repeat(16), parent, '/tmp/m.json').tag).toBe(`localhost:5001/pr/acme/vision/ml:strata-${'a'.repeat(16)}`);
    expect(own.namespaces.read).toEqual(['localhost:5000/acme', 'localhost:5001/pr']);
  });

  it('pulls when pinBaseImages is on', () => {
    expect(normalizeOptions({ ...raw, pinBaseImages: true }, '/ws', {}).pull).toBe(true);
    expect(normalizeOptions(raw, '/ws', {}).pull).toBe(false);
  });
});
