import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workingBranches } from './working-branch';

describe('workingBranches: where a repository works and releases (issue 27 item 6)', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'strata-working-branch-'));
    mkdirSync(join(root, '.git/refs/remotes/origin'), { recursive: true });
    writeFileSync(join(root, '.git/config'), '[remote "origin"]\n\turl = https://github.com/acme/app.git\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const release = {
    path: '.github/workflows/release.yml',
    text: 'on:\n  push:\n    branches: [next, "release/*", "!release/old"]\njobs:\n  r:\n    steps:\n      - uses: docker/build-push-action@v6\n        with: {push: true}\n',
  };
  const tests = {
    path: '.github/workflows/test.yml',
    text: 'on:\n  push:\n    branches: ["feature/*"]\njobs:\n  t:\n    steps:\n      - run: npm test\n',
  };

  it("the remote's default branch, then the push branches of the workflows that publish; never a test workflow's", () => {
    writeFileSync(join(root, '.git/refs/remotes/origin/HEAD'), 'ref: refs/remotes/origin/next\n');
    expect(workingBranches(root, [release, tests], ['origin'])).toEqual({
      branches: ['next', 'release/*'],
      source: "the remote's default branch (origin/HEAD) and the pushes .github/workflows/release.yml:1 publishes from",
    });
  });

  it('nothing to say without a recorded default branch or a publishing workflow: the caller keeps defaultBase', () => {
    expect(workingBranches(root, [tests], ['origin'])).toBeUndefined();
    expect(workingBranches(mkdtempSync(join(tmpdir(), 'strata-no-git-')), [], ['origin'])).toBeUndefined();
  });

  it('ignores the workflow nx-strata wrote', () => {
    expect(workingBranches(root, [{ ...release, path: '.github/workflows/nx-strata.yml' }], ['origin'])).toBeUndefined();
  });
});
