import type { LayerRecord } from '../model/layer-record';
import { explainChanges } from './why';

const record: LayerRecord = {
  schemaVersion: 1,
  project: 'vision',
  target: 'docker-build--cpu--app--linux-amd64',
  variant: 'cpu',
  layer: 'app',
  platform: 'linux/amd64',
  key: 'aaaaaaaaaaaaaaaa',
  result: 'built',
  attestations: [],
  digest: 'sha256:1',
  refs: [],
  parentRef: 'r',
  mode: 'registry',
  registry: 'r',
  parent: { target: 'p', key: 'pppppppppppppppp', ref: 'r' },
  dockerfile: 'docker/app/Dockerfile',
  context: '.',
  args: { PY: '3.11', BASE_IMAGE: 'x@sha256:1' },
  inputs: { 'src/a.py': '1111111111111111', 'src/run.sh': '2222222222222222+x', 'src/old.py': '3333333333333333' },
  dockerfileHash: 'dddddddddddddddd',
  durationMs: 1,
  sizeBytes: 1,
  layerCount: 1,
  builtAt: '2026-11-22T10:00:00.000Z',
};

describe('explainChanges', () => {
  it('names new, changed, mode-changed and dropped files, the Dockerfile, args and the parent', () => {
    const text = explainChanges({
      target: 'vision:app',
      record,
      current: {
        key: 'bbbbbbbbbbbbbbbb',
        dockerfileHash: 'eeeeeeeeeeeeeeee',
        files: { 'src/a.py': '9999999999999999', 'src/run.sh': '2222222222222222', 'src/new.py': '4444444444444444' },
      },
      args: { PY: '3.12' },
      parentArg: 'BASE_IMAGE',
      parentKey: 'qqqqqqqqqqqqqqqq',
    });
    expect(text.split('\n')).toEqual([
      'vision:app: key aaaaaaaaaaaaaaaa (built 2026-11-22T10:00:00.000Z) → bbbbbbbbbbbbbbbb now, because:',
      '  ~ src/a.py (content changed)',
      '  + src/new.py (new input)',
      '  ~ src/run.sh (executable bit changed)',
      '  - src/old.py (no longer read)',
      '  ~ docker/app/Dockerfile (the Dockerfile changed)',
      '  ~ build arg PY: "3.11" → "3.12"',
      '  ~ the parent layer changed (key pppppppppppppppp → qqqqqqqqqqqqqqqq)',
    ]);
  });

  it('says when nothing changed, and when the layer was never built here', () => {
    const current = { key: record.key, dockerfileHash: record.dockerfileHash, files: record.inputs };
    expect(explainChanges({ target: 't', record, current, args: {}, parentArg: 'BASE_IMAGE', parentKey: null })).toBe(
      't: nothing changed since it was built at 2026-11-22T10:00:00.000Z (key aaaaaaaaaaaaaaaa).',
    );
    expect(explainChanges({ target: 't', record: undefined, current, args: {}, parentArg: 'BASE_IMAGE', parentKey: null })).toContain(
      'never built here',
    );
  });
});
