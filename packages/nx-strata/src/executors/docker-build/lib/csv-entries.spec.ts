import { rejoinCsvEntries } from './csv-entries';

describe('rejoinCsvEntries', () => {
  it.each([
    // What Nx hands the executor for --cacheFrom=type=registry,ref=X (split at the comma).
    [['type=registry', 'ref=ghcr.io/acme/vision:cache'], ['type=registry,ref=ghcr.io/acme/vision:cache']],
    // project.json arrays arrive whole, and stay so.
    [
      ['type=registry,ref=a:cache,mode=max', 'type=gha'],
      ['type=registry,ref=a:cache,mode=max', 'type=gha'],
    ],
    [
      ['type=registry', 'ref=a', 'type=local', 'src=/tmp/cache'],
      ['type=registry,ref=a', 'type=local,src=/tmp/cache'],
    ],
    [
      ['id=npmrc', 'src=.npmrc', 'id=token', 'env=TOKEN'],
      ['id=npmrc,src=.npmrc', 'id=token,env=TOKEN'],
    ],
    // A bare reference is an entry of its own (buildx reads it as type=registry,ref=...).
    [
      ['user/app:cache', 'type=inline'],
      ['user/app:cache', 'type=inline'],
    ],
    ['type=registry,ref=x', ['type=registry,ref=x']],
    [undefined, []],
  ])('%j → %j', (given, expected) => {
    expect(rejoinCsvEntries(given as string[] | string | undefined)).toEqual(expected);
  });
});
