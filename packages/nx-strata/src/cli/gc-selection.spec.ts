import { selectGarbage } from './gc-selection';

const tag = (repository: string, key: string, digest: string) => ({ repository, tag: `strata-${key}`, key, digest });

describe('selectGarbage', () => {
  it('keeps current keys, published digests and digests shared with a kept tag; the rest is garbage', () => {
    const decisions = selectGarbage(
      [
        tag('acme/vision/app', 'aaaaaaaaaaaaaaaa', 'sha256:current'),
        tag('acme/vision/app', 'bbbbbbbbbbbbbbbb', 'sha256:published'),
        tag('acme/vision/app', 'cccccccccccccccc', 'sha256:current'),
        tag('acme/vision/app', 'dddddddddddddddd', 'sha256:old'),
        tag('acme/vision/base', 'eeeeeeeeeeeeeeee', 'sha256:current'),
      ],
      new Set(['aaaaaaaaaaaaaaaa']),
      new Set(['sha256:published']),
    );
    expect(decisions.map((decision) => [decision.key[0], decision.keep, decision.reason])).toEqual([
      ['a', true, 'a current layer key'],
      ['b', true, 'used by a published tag'],
      ['c', true, 'same digest as a kept tag'],
      ['d', false, 'no current layer key or published tag uses it'],
      ['e', false, 'no current layer key or published tag uses it'],
    ]);
  });
});
