import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { neverInputs } from './never-inputs';
import { join } from 'node:path';

describe('neverInputs', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  it('lists .nx, the cache directory, Nx env directories, history and records; drops paths outside and nested ones', () => {
    root = createTempWorkspace({ 'nx.json': JSON.stringify({ cacheDirectory: 'tmp/nx-cache' }) });
    const env = { NX_CACHE_DIRECTORY: join(root, 'cache/nx'), NX_WORKSPACE_DATA_DIRECTORY: '/var/tmp/elsewhere' };
    expect(neverInputs(root, { recordsDir: 'dist/strata', historyDir: '.nx/strata-history' }, env)).toEqual([
      '.nx',
      'tmp/nx-cache',
      'cache/nx',
      'dist/strata',
    ]);
    expect(neverInputs(root, { recordsDir: 'out/records', historyDir: 'history' }, {})).toEqual([
      '.nx',
      'tmp/nx-cache',
      'history',
      'out/records',
    ]);
  });
});
