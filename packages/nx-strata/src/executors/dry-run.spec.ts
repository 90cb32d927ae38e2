import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNxCache, localNxCacheEntry } from './dry-run';

describe("a dry run's view of Nx's local cache", () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-dry-cache-'));
  mkdirSync(join(root, '.nx/cache/1234abcd'), { recursive: true });

  it('an entry under the task hash Nx gives (NX_TASK_HASH) is a hit; none, a miss; no hash, unknown', () => {
    expect(localNxCacheEntry(root, { NX_TASK_HASH: '1234abcd' })).toBe('hit');
    expect(localNxCacheEntry(root, { NX_TASK_HASH: '99' })).toBe('miss');
    expect(localNxCacheEntry(root, {})).toBe('unknown');
    // A hash is a name, never a path.
    expect(localNxCacheEntry(root, { NX_TASK_HASH: '../../etc' })).toBe('unknown');
    expect(describeNxCache(root, { NX_TASK_HASH: '1234abcd' })).toContain('a real run would replay it');
    expect(describeNxCache(root, {})).toBe('');
  });

  it("follows nx.json's cacheDirectory and NX_CACHE_DIRECTORY", () => {
    const other = mkdtempSync(join(tmpdir(), 'strata-dry-cache-'));
    mkdirSync(join(other, 'cache-here/feed'), { recursive: true });
    writeFileSync(join(other, 'nx.json'), JSON.stringify({ cacheDirectory: 'cache-here' }));
    expect(localNxCacheEntry(other, { NX_TASK_HASH: 'feed' })).toBe('hit');
    expect(localNxCacheEntry(other, { NX_TASK_HASH: 'feed', NX_CACHE_DIRECTORY: join(root, '.nx/cache') })).toBe('miss');
  });
});
