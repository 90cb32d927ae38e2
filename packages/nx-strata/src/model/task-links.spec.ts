import { declaredOutputs, unproducedSources } from './task-links';

describe('task links', () => {
  const outputs = declaredOutputs({
    api: {
      root: 'apps/api',
      targets: { build: { outputs: ['{workspaceRoot}/dist/{projectRoot}', '!{workspaceRoot}/dist/{projectRoot}/*.map'] } },
    },
    web: { root: 'apps/web', targets: { build: { options: { outputPath: 'dist/web' }, outputs: ['{options.outputPath}'] }, lint: {} } },
    odd: { root: 'libs/odd', targets: { build: { outputs: ['{options.missing}', '{workspaceRoot}/coverage/**/*.xml'] } } },
  });

  it('resolves declared outputs to the paths they name', () => {
    expect(outputs).toEqual([
      { project: 'api', target: 'build', path: 'dist/apps/api' },
      { project: 'web', target: 'build', path: 'dist/web' },
      { project: 'odd', target: 'build', path: 'coverage' },
    ]);
  });

  it('warns about a gitignored source that no task produces, naming what to do', () => {
    const ignored = new Set(['dist/apps/api', 'generated/config.json', 'src']);
    const warnings = unproducedSources(['dist/apps/api', 'generated/config.json', 'docs'], ignored, outputs);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^reads generated\/config\.json, which git ignores and no task declares among its outputs: a fresh clone \(a CI runner\) does not have it\. Add it to the outputs .* or name that task in "uses"$/,
      ),
    ]);
  });
});
