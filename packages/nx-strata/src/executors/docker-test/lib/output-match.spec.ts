import { matchesWithin } from './output-match';

describe('matchesWithin (a smoke test output pattern)', () => {
  it('matches as RegExp.test does: the whole output (stdout, a line break, stderr), ^ and $ at its ends', () => {
    expect(matchesWithin('^vision ', 'vision 1.2\n')).toEqual({ matched: true });
    expect(matchesWithin('^warning', 'vision 1.2\nwarning: x')).toEqual({ matched: false });
  });

  it('stops a pattern that backtracks without end and says so, in about the limit', () => {
    const started = Date.now();
    expect(matchesWithin('^(a+)+$', `${'a'.repeat(40)}b`, 200)).toEqual({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
