import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { SARIF_OUTPUT } from '../lint/sarif';
import { checkOutputPath } from './output-path';

describe('checkOutputPath', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = createTempWorkspace({
      'nx.json': '{ "plugins": ["nx-strata"] }\n',
      '.git/config': '[core]\n',
      dist: 'a file where a directory should be',
      'node_modules/x/out.sarif': '',
      'reports/old.sarif': '{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n  "runs": []\n}\n',
      'apps/api/main.ts': 'export {};\n',
    });
    outside = mkdtempSync(join(tmpdir(), 'nx-strata-outside-'));
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(root, 'nx.json'), join(root, 'reports/link.sarif'));
    mkdirSync(join(root, 'reports/dir.sarif'));
  });
  afterEach(() => {
    removeTempWorkspace(root);
    removeTempWorkspace(outside);
  });
  const check = (path: string) => checkOutputPath(root, root, path, SARIF_OUTPUT);

  test.each([
    ['nx.json', 'exists and is not a SARIF log'],
    ['apps/api/main.ts', 'exists and is not a SARIF log'],
    ['.git/config', 'inside .git/'],
    ['.git/new.sarif', 'inside .git/'],
    ['node_modules/x/out.sarif', 'inside node_modules/'],
    ['.nx/workspace-data/x.sarif', 'inside .nx/'],
    ['dist', 'exists and is not a SARIF log'],
    ['dist/strata-sarif/lint.sarif', 'would need dist to be a directory'],
    ['escape/lint.sarif', 'leads outside the workspace through a symlink'],
    ['escape', 'leads outside the workspace through a symlink'],
    ['../lint.sarif', 'is not a file inside the workspace'],
    ['/etc/lint.sarif', 'is not a file inside the workspace'],
    ['.', 'is not a file inside the workspace'],
    ['reports/link.sarif', 'is a symlink'],
    ['reports/dir.sarif', 'is not a regular file'],
  ])('refuses %s (%s)', (path, problem) => {
    const verdict = check(path);
    expect(verdict).toEqual({ ok: false, problem: expect.stringContaining(problem), hint: expect.any(String) });
  });

  it('takes a new file anywhere in the workspace, and replaces an existing SARIF log', () => {
    expect(check('dist-sarif/deep/lint.sarif')).toEqual({ ok: true, absolute: join(root, 'dist-sarif/deep/lint.sarif') });
    expect(check('reports/old.sarif')).toEqual({ ok: true, absolute: join(root, 'reports/old.sarif') });
  });

  it('never names a refused file by its content', () => {
    expect(JSON.stringify(check('nx.json'))).not.toContain('plugins');
    expect(readFileSync(join(root, 'nx.json'), 'utf8')).toContain('nx-strata');
  });
});
