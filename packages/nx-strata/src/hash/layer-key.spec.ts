import { chmodSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace, type FileSpec } from '../test-utils/temp-workspace';
import { FileHasher } from './file-hasher';
import { computeLayerKey, type LayerKeyInput } from './layer-key';

const FILES: Record<string, FileSpec> = {
  Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /src/\n',
  'src/a.py': 'print(1)\n',
  'src/run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
};

describe('computeLayerKey', () => {
  let hasher: FileHasher;
  const roots: string[] = [];
  beforeAll(async () => {
    hasher = await FileHasher.create();
  });
  afterEach(() => roots.splice(0).forEach(removeTempWorkspace));

  const checkout = (files = FILES) => {
    const root = createTempWorkspace(files);
    roots.push(root);
    return root;
  };
  const keyOf = (root: string, overrides: Partial<LayerKeyInput> = {}) =>
    computeLayerKey(
      {
        variant: 'cpu',
        layer: 'app',
        platform: 'linux/amd64',
        args: { PY: '3.11' },
        dockerfileAbsolute: join(root, 'Dockerfile'),
        contextAbsolute: root,
        contextFiles: ['src/a.py', 'src/run.sh'],
        parentKey: '1111111111111111',
        ...overrides,
      },
      hasher,
    );

  it('is the same in two checkouts at different paths, times and umasks', () => {
    const first = checkout();
    const second = checkout();
    utimesSync(join(second, 'src/a.py'), new Date('2001-01-01'), new Date('2001-01-01'));
    chmodSync(join(second, 'src/a.py'), 0o600);
    chmodSync(join(second, 'src/run.sh'), 0o700);
    expect(keyOf(first).key).toMatch(/^[0-9a-f]{16}$/);
    expect(keyOf(second).key).toBe(keyOf(first).key);
    expect(keyOf(second, { contextFiles: ['src/run.sh', 'src/a.py'] }).key).toBe(keyOf(first).key);
  });

  it('records each file with its executable bit', () => {
    const root = checkout();
    const { files } = keyOf(root);
    expect(Object.keys(files)).toEqual(['src/a.py', 'src/run.sh']);
    expect(files['src/a.py']).toMatch(/^[0-9a-f]{16}$/);
    expect(files['src/run.sh']).toMatch(/^[0-9a-f]{16}\+x$/);
  });

  test.each<[string, (root: string) => Partial<LayerKeyInput> | void]>([
    ['a file content', (root) => void writeFileSync(join(root, 'src/a.py'), 'print(2)\n')],
    ['the executable bit', (root) => void chmodSync(join(root, 'src/a.py'), 0o755)],
    ['the Dockerfile', (root) => void writeFileSync(join(root, 'Dockerfile'), 'FROM scratch\n')],
    ['a build arg', () => ({ args: { PY: '3.12' } })],
    ['the platform', () => ({ platform: 'linux/arm64' })],
    ['the variant', () => ({ variant: 'cuda' })],
    ['the parent key', () => ({ parentKey: '2222222222222222' })],
    ['the set of files', () => ({ contextFiles: ['src/a.py'] })],
  ])('changes with %s', (_what, change) => {
    const root = checkout();
    const before = keyOf(root).key;
    const overrides = change(root) ?? {};
    expect(keyOf(root, overrides).key).not.toBe(before);
  });
});
