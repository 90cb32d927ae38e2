import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNxCache, localNxCacheEntry } from './dry-run';

describe("a dry run's view of Nx's local cache", () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-dry-cache-'));
  mkdirSync(join(root, '.nx/cache/1234abcd'), { recursive: true });
  const inRoot = { NX_CACHE_DIRECTORY: join(root, '.nx/cache') };

  it('an entry under the task hash Nx gives is a hit; none, a miss; no hash, unknown', () => {
    expect(localNxCacheEntry(root, '1234abcd', inRoot)).toBe('hit');
    expect(localNxCacheEntry(root, '99', inRoot)).toBe('miss');
    expect(localNxCacheEntry(root, undefined, {})).toBe('unknown');
    // A hash is a name, never a path.
    expect(localNxCacheEntry(root, '../../etc', {})).toBe('unknown');
    expect(describeNxCache(root, '1234abcd', inRoot)).toContain('a real run would replay it');
    expect(describeNxCache(root, undefined, {})).toBe('');
  });

  it('follows NX_CACHE_DIRECTORY, absolute or workspace-relative', () => {
    const other = mkdtempSync(join(tmpdir(), 'strata-dry-cache-'));
    mkdirSync(join(other, 'cache-here/feed'), { recursive: true });
    expect(localNxCacheEntry(other, 'feed', { NX_CACHE_DIRECTORY: 'cache-here' })).toBe('hit');
    expect(localNxCacheEntry(other, 'feed', { NX_CACHE_DIRECTORY: join(root, '.nx/cache') })).toBe('miss');
  });
});
