import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { findProgram } from './find-program';

describe('findProgram', () => {
  let root: string;
  beforeEach(() => {
    root = createTempWorkspace({
      'a/trivy': 'not executable',
      'b/trivy': { mode: 0o755, content: '#!/bin/sh\n' },
      'tools/scan.sh': { mode: 0o755, content: '#!/bin/sh\n' },
    });
    mkdirSync(join(root, 'c/grype'), { recursive: true });
  });
  afterEach(() => removeTempWorkspace(root));

  it('takes the first executable file of that name on PATH', () => {
    expect(findProgram('trivy', root, [join(root, 'a'), join(root, 'b')].join(':'))).toBe(join(root, 'b/trivy'));
    expect(findProgram('trivy', root, join(root, 'a'))).toBeUndefined();
    // A directory of that name is not the program.
    expect(findProgram('grype', root, join(root, 'c'))).toBeUndefined();
    expect(findProgram('grype', root, '')).toBeUndefined();
  });

  it('resolves a path against the workspace, and follows a symlink to an executable', () => {
    expect(findProgram('./tools/scan.sh', root, '')).toBe(join(root, 'tools/scan.sh'));
    expect(findProgram('tools/missing.sh', root, '')).toBeUndefined();
    symlinkSync(join(root, 'b/trivy'), join(root, 'tools/linked'));
    expect(findProgram(join(root, 'tools/linked'), root, '')).toBe(join(root, 'tools/linked'));
  });
});
