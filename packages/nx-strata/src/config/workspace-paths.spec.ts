import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageFamily } from '../model/image-family';
import { normalizePluginOptions } from './plugin-options';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { checkBinaryPaths } from './check-binary-paths';
import { loadStrataConfig } from './load-strata-config';
import { StrataInputError } from './strata-error';

/** Hardening item 3: every path in strata.json and the plugin's directories resolve inside the workspace. */
describe('paths outside the workspace', () => {
  let root: string;
  let outside: string;
  const SECRET = 'TOP-SECRET-LINE do not print me';

  beforeEach(() => {
    outside = createTempWorkspace({});
    writeFileSync(join(outside, 'Dockerfile'), `${SECRET}\nFROM scratch\n`);
    mkdirSync(join(outside, 'ctx'));
  });
  afterEach(() => {
    removeTempWorkspace(root);
    rmSync(outside, { recursive: true, force: true });
  });

  const layout = (layer: Record<string, string>, extra: Record<string, string> = {}) => {
    root = createTempWorkspace({
      'nx.json': '{}',
      'images/app/strata.json': JSON.stringify({ image: 'acme/app', layers: { app: { dockerfile: 'Dockerfile', ...layer } } }, null, 2),
      'images/app/Dockerfile': 'FROM scratch\nCOPY . /\n',
      ...extra,
    });
  };
  const family = () => readImageFamily('images/app/strata.json', root, normalizePluginOptions({}));
  const failure = (run: () => unknown): StrataInputError => {
    try {
      run();
    } catch (error) {
      if (error instanceof StrataInputError) return error;
      throw error;
    }
    throw new Error('expected a StrataInputError');
  };

  test.each([
    [
      'a Dockerfile climbing out with ..',
      { dockerfile: '../../../../../../../etc/passwd' },
      /Dockerfile ".*etc\/passwd" is outside the workspace \(layers\.app\.dockerfile\)/,
    ],
    [
      '/proc/self/environ',
      { dockerfile: '../../../../../../../proc/self/environ' },
      /is outside the workspace \(layers\.app\.dockerfile\)/,
    ],
    ['/dev/zero', { dockerfile: '../../../../../../../dev/zero' }, /is outside the workspace/],
    [
      'an absolute Dockerfile path',
      { dockerfile: '/etc/passwd' },
      /Dockerfile "\/etc\/passwd" is an absolute path \(layers\.app\.dockerfile\)/,
    ],
    ['context "/"', { context: '/' }, /build context "\/" is an absolute path \(layers\.app\.context\)/],
    [
      'context "../outside"',
      { context: '../../../outside' },
      /build context "\.\.\/outside" is outside the workspace \(layers\.app\.context\)/,
    ],
  ])('rejects %s, naming the key with its strata.json line and column', (_name, layer, problem) => {
    layout(layer);
    const error = failure(family);
    expect(error.message).toMatch(problem);
    expect(error.file).toBe('images/app/strata.json');
    // The key sits on line 6 of the pretty-printed file: {, "image", "layers": {, "app": {, "dockerfile", ...
    expect(error.line).toBeGreaterThanOrEqual(5);
    expect(error.column).toBeGreaterThan(1);
    expect(error.message).toMatch(/^images\/app\/strata\.json:\d+:\d+: /);
  });

  it('rejects a Dockerfile that is a symlink leading out of the workspace, without reading it', () => {
    layout({ dockerfile: 'Dockerfile.link' });
    symlinkSync(join(outside, 'Dockerfile'), join(root, 'images/app/Dockerfile.link'));
    const error = failure(family);
    expect(error.message).toContain('"images/app/Dockerfile.link" leads outside the workspace through a symlink');
    expect(error.message).not.toContain('TOP-SECRET');
  });

  it('rejects a Dockerfile that is a named pipe (never opens it) and a context that is a file', () => {
    layout({ dockerfile: 'pipe' });
    execFileSync('mkfifo', [join(root, 'images/app/pipe')]);
    expect(failure(family).message).toContain('"images/app/pipe" is a named pipe, not a regular file');
    removeTempWorkspace(root);
    layout({ context: 'Dockerfile' });
    expect(failure(family).message).toContain('build context "images/app/Dockerfile" is a regular file');
  });

  it('never prints the content of a file that is not a Dockerfile', () => {
    layout({ dockerfile: 'notes.txt' }, { 'images/app/notes.txt': `${SECRET}\nuser=root password=hunter2\n` });
    const error = failure(family);
    expect(error.message).toContain('images/app/notes.txt:1: a line that is not a Dockerfile instruction');
    expect(error.message).not.toMatch(/TOP-SECRET|hunter2/);
  });

  it('reports a syntax error in strata.json by line and column, without the text around it', () => {
    root = createTempWorkspace({ 'strata.json': `{"image": "acme/x", ${SECRET} }` });
    const error = failure(() => loadStrataConfig(root, 'strata.json'));
    expect(error.message).toMatch(/^strata\.json:1:21: is not valid JSON \(\w+\)/);
    expect(error.message).not.toContain('TOP-SECRET');
  });

  it('rejects a strata.json that is a symlink to a device', () => {
    root = createTempWorkspace({});
    symlinkSync('/dev/zero', join(root, 'strata.json'));
    expect(failure(() => loadStrataConfig(root, 'strata.json')).message).toContain(
      '"strata.json" leads outside the workspace through a symlink',
    );
  });

  it('rejects recordsDir and historyDir outside the workspace, naming nx.json and the option', () => {
    layout({});
    const options = (extra: object) => normalizePluginOptions(extra);
    expect(failure(() => readImageFamily('images/app/strata.json', root, options({ recordsDir: '../records' }))).message).toContain(
      'nx.json: the nx-strata plugin option "recordsDir" ("../records") is not a directory inside the workspace',
    );
    expect(failure(() => readImageFamily('images/app/strata.json', root, options({ historyDir: '/tmp' }))).message).toContain(
      '"historyDir" ("/tmp")',
    );
    symlinkSync(outside, join(root, 'linked-out'));
    expect(failure(() => readImageFamily('images/app/strata.json', root, options({ recordsDir: 'linked-out/records' }))).message).toContain(
      '"recordsDir"',
    );
  });

  it('checks binaries: source, context and input globs', () => {
    const binaries = (binary: object) => {
      removeTempWorkspace(root);
      root = createTempWorkspace({
        'tools/strata.json': JSON.stringify({ binaries: { cli: { preset: 'go', platforms: ['linux/amd64'], ...binary } } }, null, 2),
        'tools/cmd/main.go': 'package main',
      });
      const config = loadStrataConfig(root, 'tools/strata.json');
      return () => checkBinaryPaths(root, 'tools/strata.json', config);
    };
    root = createTempWorkspace({});
    expect(binaries({ source: 'cmd' })).not.toThrow();
    expect(failure(binaries({ source: '../../elsewhere' })).message).toMatch(
      /^tools\/strata\.json:\d+:\d+: binary "cli": source "\.\.\/elsewhere" is outside the workspace \(binaries\.cli\.source\)/,
    );
    expect(failure(binaries({ source: 'cmd/main.go' })).message).toContain('is a regular file, not a directory');
    expect(failure(binaries({ inputs: ['**/*.go', '../../**/*'] })).message).toContain(
      'input glob "../../**/*" reaches outside the workspace (binaries.cli.inputs[1])',
    );
    expect(failure(binaries({ preset: 'pyinstaller', source: '/etc/passwd' })).message).toContain('"/etc/passwd" is an absolute path');
  });
});
