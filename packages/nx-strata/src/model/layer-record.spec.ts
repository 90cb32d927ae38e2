import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { writeJsonAtomically as writeRecordAtomically } from '../utils/write-json-atomically';
import { readRecord, type LayerRecord } from './layer-record';
import { layerRecordPath } from './target-names';

const record = (key: string): LayerRecord => ({
  schemaVersion: 1,
  project: 'vision',
  target: 't',
  variant: 'cpu',
  layer: 'app',
  platform: 'linux/amd64',
  key,
  result: 'built',
  attestations: [],
  digest: 'sha256:1',
  refs: ['r'],
  parentRef: 'r@sha256:1',
  mode: 'registry',
  registry: 'localhost:5000',
  parent: null,
  dockerfile: 'Dockerfile',
  context: '.',
  args: {},
  inputs: {},
  dockerfileHash: 'h',
  durationMs: 1,
  sizeBytes: 1,
  layerCount: 1,
  builtAt: 'now',
});

describe('layer records', () => {
  let root: string;
  beforeEach(() => (root = createTempWorkspace({})));
  afterEach(() => removeTempWorkspace(root));

  it('writes atomically, leaving no temp file behind, and reads back', () => {
    const path = join(root, layerRecordPath('dist/strata', 'images/vision', 'cpu', 'app', 'linux/amd64'));
    writeRecordAtomically(path, record('a'));
    writeRecordAtomically(path, record('b'));
    expect(readRecord(path)?.key).toBe('b');
    expect(readdirSync(join(root, 'dist/strata/images/vision/cpu/app'))).toEqual(['linux-amd64.json']);
  });

  it('treats a truncated or foreign file as no record', () => {
    const path = join(root, 'r.json');
    writeFileSync(path, '{"schemaVersion":1,"key":"a"');
    expect(readRecord(path)).toBeUndefined();
    writeFileSync(path, '{"hello":"world"}');
    expect(readRecord(path)).toBeUndefined();
    expect(readRecord(join(root, 'missing.json'))).toBeUndefined();
    expect(existsSync(path)).toBe(true);
  });
});
