import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { branchName, gitRemoteNames, gitRemoteUrl } from './branch-names';

describe('branchName', () => {
  test.each([
    ['main', 'main'],
    ['origin/main', 'main'],
    ['upstream/develop', 'develop'],
    ['refs/heads/main', 'main'],
    ['refs/remotes/origin/release/1.x', 'release/1.x'],
    ['remotes/github/main', 'main'],
    ['release/1.x', 'release/1.x'],
    ['origin/', 'origin/'],
    [' origin/main ', 'main'],
    ['release/**', 'release/**'],
  ])('%s → %s', (ref, branch) => expect(branchName(ref)).toBe(branch));

  test('a remote of the repository is stripped, a first segment that names none is kept', () => {
    expect(branchName('github/main', ['origin', 'github'])).toBe('main');
    expect(branchName('github/main')).toBe('github/main');
  });
});

describe('gitRemoteNames', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-remotes-'));

  test('reads the remotes of the repository above the workspace, with the well-known ones', () => {
    mkdirSync(join(root, 'repo/.git'), { recursive: true });
    mkdirSync(join(root, 'repo/workspace'));
    writeFileSync(
      join(root, 'repo/.git/config'),
      '[core]\n\tbare = false\n[remote "github"]\n\turl = https://example.com/a.git\n[remote "fork"]\n\turl = x\n[branch "main"]\n',
    );
    expect(gitRemoteNames(join(root, 'repo/workspace')).sort()).toEqual(['fork', 'github', 'origin', 'upstream']);
  });

  test("a worktree's .git file leads to the common directory's config", () => {
    mkdirSync(join(root, 'main/.git/worktrees/wt'), { recursive: true });
    writeFileSync(join(root, 'main/.git/config'), '[remote "corp"]\n\turl = x\n');
    writeFileSync(join(root, 'main/.git/worktrees/wt/commondir'), '../..\n');
    mkdirSync(join(root, 'wt'));
    writeFileSync(join(root, 'wt/.git'), `gitdir: ${join(root, 'main/.git/worktrees/wt')}\n`);
    expect(gitRemoteNames(join(root, 'wt'))).toContain('corp');
  });

  test('outside a repository: the well-known remotes', () => {
    const bare = mkdtempSync(join(tmpdir(), 'strata-no-repo-'));
    expect(gitRemoteNames(bare)).toEqual(expect.arrayContaining(['origin', 'upstream']));
    expect(gitRemoteUrl(bare)).toBeUndefined();
  });

  test("a remote's URL: its own section's url, not another remote's", () => {
    mkdirSync(join(root, 'urls/.git'), { recursive: true });
    writeFileSync(
      join(root, 'urls/.git/config'),
      '[remote "fork"]\n\turl = git@github.com:someone/fork.git\n[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n\turl = https://github.com/Acme/Finance.git\n[branch "main"]\n\tremote = origin\n',
    );
    expect(gitRemoteUrl(join(root, 'urls'))).toBe('https://github.com/Acme/Finance.git');
    expect(gitRemoteUrl(join(root, 'urls'), 'fork')).toBe('git@github.com:someone/fork.git');
    expect(gitRemoteUrl(join(root, 'urls'), 'upstream')).toBeUndefined();
  });
});
