import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, writeFiles } from '../test-utils/temp-workspace';
import { findStrataConfigs } from './workspace';

const CONFIG = '{ "image": "acme/x", "layers": { "app": { "dockerfile": "Dockerfile" } } }\n';

describe('findStrataConfigs', () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

  function workspace(files: Record<string, string>): string {
    const root = createTempWorkspace({});
    roots.push(root);
    writeFiles(root, files);
    return root;
  }

  it('lists the strata.json files Nx sees: dot-directories in, .gitignore and .nxignore out', () => {
    const root = workspace({
      '.gitignore': 'build-cache/\n',
      '.nxignore': 'vendor/\n',
      '.deploy/api/strata.json': CONFIG,
      '.deploy/web/strata.json': CONFIG,
      'images/strata.json': CONFIG,
      'build-cache/strata.json': CONFIG,
      'vendor/lib/strata.json': CONFIG,
      'node_modules/some-package/strata.json': CONFIG,
    });
    expect(findStrataConfigs(root)).toEqual(['.deploy/api/strata.json', '.deploy/web/strata.json', 'images/strata.json']);
  });

  it("applies the nx.json entry's include and exclude, as Nx does before handing files to the plugin", () => {
    const root = workspace({
      '.deploy/api/strata.json': CONFIG,
      '.deploy/web/strata.json': CONFIG,
      'images/strata.json': CONFIG,
    });
    expect(findStrataConfigs(root, { plugin: 'nx-strata', include: ['.deploy/**/*'] })).toEqual([
      '.deploy/api/strata.json',
      '.deploy/web/strata.json',
    ]);
    expect(findStrataConfigs(root, { plugin: 'nx-strata', exclude: ['.deploy/web/**'] })).toEqual([
      '.deploy/api/strata.json',
      'images/strata.json',
    ]);
  });

  it('never follows a symlink out of the workspace (a link to / beside the images)', () => {
    const root = workspace({ 'images/strata.json': CONFIG });
    symlinkSync('/', join(root, 'images/rootlink'));
    const started = Date.now();
    expect(findStrataConfigs(root)).toEqual(['images/strata.json']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
