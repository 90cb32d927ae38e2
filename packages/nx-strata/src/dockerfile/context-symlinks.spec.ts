import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileHasher } from '../hash/file-hasher';
import { familyKeys } from '../model/family-keys';
import { readImageFamily } from '../model/image-family';
import { layerNxInputs } from '../plugins/nx-inputs';
import { normalizePluginOptions } from '../config/plugin-options';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { listContextReads, resolveInContext } from './context-files';
import { loadDockerignore } from './dockerignore';

/** Hardening item 4: symlinks and special files in a build context are taken as Docker sends them, never followed out. */
describe('symlinks and special files in a build context', () => {
  let root: string;
  let outside: string;
  let hasher: FileHasher;

  beforeAll(async () => {
    hasher = await FileHasher.create();
  });
  beforeEach(() => {
    outside = createTempWorkspace({});
    writeFileSync(join(outside, 'shadow'), 'root:$6$secret\n');
    root = createTempWorkspace({
      'nx.json': '{}',
      'strata.json': JSON.stringify({ image: 'acme/app', layers: { app: { dockerfile: 'Dockerfile' } } }),
      Dockerfile: 'FROM scratch\nCOPY src/ /app/\n',
      'src/main.py': 'print(1)\n',
      'src/real/data.txt': 'data\n',
    });
  });
  afterEach(() => {
    removeTempWorkspace(root);
    rmSync(outside, { recursive: true, force: true });
  });

  const family = () => readImageFamily('strata.json', root, normalizePluginOptions({}));
  const keyNow = () => {
    const images = family();
    return familyKeys(images, root, hasher).get(images.tasks[0].targetName)!;
  };
  const nxFilesets = () => {
    const images = family();
    return layerNxInputs('strata.json', [images.inputsOf(images.tasks[0])]).flatMap((input) =>
      typeof input === 'object' && 'fileset' in input ? [input.fileset] : [],
    );
  };

  it('keys a symlink to a file outside the workspace by its target path, never its content, and keeps it out of the Nx inputs', () => {
    symlinkSync(join(outside, 'shadow'), join(root, 'src/shadow'));
    const before = keyNow();
    expect(before.files['src/shadow']).toMatch(/^link:[0-9a-f]{16}$/);
    writeFileSync(join(outside, 'shadow'), 'root:$6$changed\n');
    expect(keyNow().key).toBe(before.key);
    expect(nxFilesets()).not.toContain('{workspaceRoot}/src/**/*');
    expect(nxFilesets()).toEqual(expect.arrayContaining(['{workspaceRoot}/src/main.py', '{workspaceRoot}/src/real/**/*']));
    expect(nxFilesets().some((fileset) => fileset.includes('shadow'))).toBe(false);
  });

  it('never opens /dev/zero or a FIFO: both are keyed by what they are and left out of the Nx inputs', () => {
    symlinkSync('/dev/zero', join(root, 'src/zero'));
    execFileSync('mkfifo', [join(root, 'src/pipe')]);
    const key = keyNow();
    expect(key.files['src/pipe']).toBe('fifo');
    expect(key.files['src/zero']).toMatch(/^link:/);
    expect(nxFilesets().some((fileset) => /zero|pipe|src\/\*\*/.test(fileset))).toBe(false);
  });

  it('takes a symlink to a directory as a link, not an EISDIR', () => {
    symlinkSync('real', join(root, 'src/alias'));
    const key = keyNow();
    expect(key.files['src/alias']).toMatch(/^link:/);
    // A link to a directory inside the workspace is safe for Nx: the directory glob stays.
    expect(nxFilesets()).toContain('{workspaceRoot}/src/**/*');
  });

  it('resolves a COPY source that passes through a symlink inside the context only, as BuildKit does', () => {
    mkdirSync(join(root, 'ctx/etc'), { recursive: true });
    writeFileSync(join(root, 'ctx/etc/passwd'), 'in-context\n');
    symlinkSync('/etc', join(root, 'ctx/abs'));
    symlinkSync('../../../../../../..', join(root, 'ctx/up'));
    symlinkSync('abs/passwd', join(root, 'ctx/chain'));
    symlinkSync('loop', join(root, 'ctx/loop'));
    const context = join(root, 'ctx');
    expect(resolveInContext(context, 'abs/passwd')).toBe('etc/passwd');
    expect(resolveInContext(context, 'up/etc/passwd')).toBe('etc/passwd');
    expect(resolveInContext(context, 'chain')).toBe('etc/passwd');
    expect(resolveInContext(context, 'loop')).toBeUndefined();
    const reads = listContextReads(context, ['abs/passwd', 'up/etc', 'loop'], loadDockerignore(root, undefined), { workspaceRoot: root });
    expect(reads.files).toEqual(['etc/passwd']);
    expect(reads.missing).toEqual(['loop']);
  });

  it('names the path when a file cannot be hashed', () => {
    expect(() => hasher.hashFile(join(root, 'src'))).toThrow(`cannot hash ${join(root, 'src')}: it is a directory`);
    symlinkSync('/dev/zero', join(root, 'zero'));
    expect(() => hasher.hashFile(join(root, 'zero'))).toThrow(`cannot hash ${join(root, 'zero')}: it is a symlink`);
  });
});

/** Hardening item 1: Nx's and nx-strata's own files are never inputs, and a context that sends .git or .nx says so. */
describe('a layer that copies the whole context', () => {
  let root: string;
  let hasher: FileHasher;
  beforeAll(async () => {
    hasher = await FileHasher.create();
  });
  afterEach(() => removeTempWorkspace(root));

  it('keeps the same key while .nx/, the cache directory, history and records change, and warns about .git and .nx', () => {
    root = createTempWorkspace({
      'nx.json': JSON.stringify({ cacheDirectory: 'tmp/nx-cache' }),
      'strata.json': JSON.stringify({ image: 'acme/app', layers: { app: { dockerfile: 'Dockerfile' } } }),
      Dockerfile: 'FROM scratch\nCOPY . /app/\n',
      'src/main.py': 'print(1)\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.nx/workspace-data/file-map.json': '{"v":1}',
      '.nx/strata-history/runs.jsonl': '{}\n',
      'tmp/nx-cache/123/terminalOutput': 'x',
      'dist/strata/app/default/app/linux-amd64.json': '{}',
    });
    const options = normalizePluginOptions({});
    const keyNow = () => {
      const images = readImageFamily('strata.json', root, options);
      return { images, key: familyKeys(images, root, hasher).get(images.tasks[0].targetName)!.key };
    };
    const first = keyNow();
    for (const [path, content] of [
      ['.nx/workspace-data/file-map.json', '{"v":2}'],
      ['.nx/strata-history/runs.jsonl', '{}\n{}\n'],
      ['tmp/nx-cache/456/terminalOutput', 'y'],
      ['dist/strata/app/default/app/linux-amd64.json', '{"key":"new"}'],
    ]) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
      expect(keyNow().key).toBe(first.key);
    }
    const inputs = first.images.inputsOf(first.images.tasks[0]);
    expect(
      inputs.files.some((file) => file.startsWith('.nx/') || file.startsWith('tmp/nx-cache/') || file.startsWith('dist/strata/')),
    ).toBe(false);
    const filesets = layerNxInputs('strata.json', [inputs]).flatMap((input) =>
      typeof input === 'object' && 'fileset' in input ? [input.fileset] : [],
    );
    expect(filesets).not.toContain('{workspaceRoot}/**/*');
    expect(filesets.some((fileset) => /\.nx|nx-cache|dist\/strata/.test(fileset))).toBe(false);
    expect(inputs.warnings).toEqual([
      expect.stringMatching(
        /^build context "\." sends \.git\/ into the image: every commit changes this layer's key .* Add "\.git" to \.dockerignore$/,
      ),
      expect.stringMatching(
        /^build context "\." sends \.nx\/ into the image: Nx's workspace data and cache leak into it.* Add "\.nx" to \.dockerignore$/,
      ),
      expect.stringMatching(/^build context "\." sends dist\/strata\/ into the image: .* Add "dist\/strata" to \.dockerignore$/),
      expect.stringMatching(/^build context "\." sends tmp\/nx-cache\/ into the image: .* Add "tmp\/nx-cache" to \.dockerignore$/),
    ]);
    // With the lines added, the warnings go.
    writeFileSync(join(root, '.dockerignore'), '.git\n.nx\ntmp\ndist\n');
    const quiet = keyNow();
    expect(quiet.images.inputsOf(quiet.images.tasks[0]).warnings).toEqual([]);
  });

  it("warns when the context sends installed dependencies, tools' caches and other images' files, with the lines that stop it", () => {
    root = createTempWorkspace({
      '.dockerignore': '.git\n',
      '.deploy/api/strata.json': JSON.stringify({ image: 'acme/api', layers: { api: { dockerfile: 'Dockerfile', context: '../..' } } }),
      '.deploy/api/Dockerfile': 'FROM scratch\nCOPY . /app/\n',
      '.deploy/web/strata.json': JSON.stringify({ image: 'acme/web', layers: { web: { dockerfile: 'Dockerfile' } } }),
      '.deploy/web/Dockerfile': 'FROM scratch\n',
      '.deploy/web/nginx.conf': 'x\n',
      'node_modules/left-pad/index.js': 'x\n',
      'node_modules/left-pad/package.json': '{}',
      'apps/shop/node_modules/react/index.js': 'x\n',
      'apps/shop/.angular/cache/19/babel.json': '{}',
      'apps/shop/src/main.ts': 'x\n',
    });
    const images = readImageFamily('.deploy/api/strata.json', root, normalizePluginOptions({}));
    expect(images.inputsOf(images.tasks[0]).warnings).toEqual([
      expect.stringMatching(
        /^build context "\." sends \.angular\/ \(1 file\), a tool's cache: .* Add "\*\*\/\.angular" to \.dockerignore$/,
      ),
      expect.stringMatching(
        /^build context "\." sends node_modules\/ \(3 files\): installed dependencies go into the image .* add "\*\*\/node_modules" to \.dockerignore$/,
      ),
      expect.stringMatching(
        /^build context "\." sends \.deploy\/web\/ \(3 files\), the files of another image \(\.deploy\/web\/strata\.json\): .* Add "\.deploy\/web" to \.dockerignore$/,
      ),
    ]);
    writeFileSync(join(root, '.dockerignore'), '.git\n**/node_modules\n**/.angular\n.deploy/web\n');
    const quiet = readImageFamily('.deploy/api/strata.json', root, normalizePluginOptions({}));
    expect(quiet.inputsOf(quiet.tasks[0]).warnings).toEqual([]);
  });
});
