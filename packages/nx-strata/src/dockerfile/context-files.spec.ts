import { join } from 'node:path';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { listContextReads } from './context-files';
import { findDockerignore, loadDockerignore } from './dockerignore';

describe('listContextReads', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  const files = {
    'src/app/main.py': 'x',
    'src/app/util.py': 'x',
    'src/app/__pycache__/main.pyc': 'x',
    'src/lib/a.py': 'x',
    'requirements/ml.txt': 'x',
    'requirements/app.txt': 'x',
    'README.md': 'x',
    'NOTES.md': 'x',
    'setup.cfg': 'x',
    'node_modules/huge/index.js': 'x',
  };
  const dockerignore = '*.md\n!README.md\n**/__pycache__\nnode_modules\n';

  it('covers a fully read directory with one glob and a partly read one file by file', () => {
    root = createTempWorkspace({ ...files, '.dockerignore': dockerignore });
    const reads = listContextReads(root, ['src', 'requirements/app.txt'], loadDockerignore(root, '.dockerignore'));
    expect(reads.files).toEqual(['requirements/app.txt', 'src/app/main.py', 'src/app/util.py', 'src/lib/a.py']);
    expect(reads.cover).toEqual({ directories: ['src/lib'], files: ['requirements/app.txt', 'src/app/main.py', 'src/app/util.py'] });
    expect(reads.missing).toEqual([]);
  });

  it('honours a ! re-include for COPY . and never walks an excluded directory', () => {
    root = createTempWorkspace({ ...files, '.dockerignore': dockerignore });
    const reads = listContextReads(root, ['.'], loadDockerignore(root, '.dockerignore'));
    expect(reads.files).toEqual([
      '.dockerignore',
      'README.md',
      'requirements/app.txt',
      'requirements/ml.txt',
      'setup.cfg',
      'src/app/main.py',
      'src/app/util.py',
      'src/lib/a.py',
    ]);
    expect(reads.files).not.toContain('NOTES.md');
    expect(reads.cover.directories).toEqual(['requirements', 'src/lib']);
    expect(reads.cover.files).toEqual(['.dockerignore', 'README.md', 'setup.cfg', 'src/app/main.py', 'src/app/util.py']);
  });

  it('expands COPY wildcards without crossing directories', () => {
    root = createTempWorkspace(files);
    const reads = listContextReads(root, ['requirements/*.txt', '*.md'], loadDockerignore(root, undefined));
    expect(reads.files).toEqual(['NOTES.md', 'README.md', 'requirements/app.txt', 'requirements/ml.txt']);
  });

  it('reports sources that match nothing', () => {
    root = createTempWorkspace(files);
    expect(listContextReads(root, ['nope/', 'src/*.rs'], loadDockerignore(root, undefined)).missing).toEqual(['nope/', 'src/*.rs']);
  });
});

describe('findDockerignore', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  it('prefers <Dockerfile>.dockerignore over the context root .dockerignore', () => {
    root = createTempWorkspace({
      '.dockerignore': 'a',
      'docker/app/Dockerfile': 'FROM x',
      'docker/app/Dockerfile.dockerignore': 'b',
      'docker/ml/Dockerfile': 'FROM x',
    });
    expect(findDockerignore(join(root, 'docker/app/Dockerfile'), root)).toBe(join(root, 'docker/app/Dockerfile.dockerignore'));
    expect(findDockerignore(join(root, 'docker/ml/Dockerfile'), root)).toBe(join(root, '.dockerignore'));
    expect(findDockerignore(join(root, 'docker/ml/Dockerfile'), join(root, 'docker'))).toBeUndefined();
  });
});
