import { StrataInputError } from '../config/strata-error';
import {
  binaryBuildTargetName,
  binaryCheckTargetName,
  binaryChecksumsTargetName,
  binaryOutputPath,
  binaryRecordPath,
  checkTargetNaming,
  layerRecordPath,
  layerTargetName,
  layerTestTargetName,
  platformTestTargetName,
  layerScanTargetName,
  platformScanTargetName,
  layerScanSarifPath,
  layerScanResultPath,
  layerDigestPath,
  layerTestResultPath,
  parseTargetName,
  platformTargetName,
  publishRecordPath,
  publishTargetName,
  type ParsedTargetName,
} from './target-names';

const naming = { buildTargetName: 'docker-build', publishTargetName: 'docker-publish' };
const custom = { buildTargetName: 'img', publishTargetName: 'ship.it' };

describe('record paths', () => {
  it('keeps the digest and the test result beside the layer record', () => {
    const record = layerRecordPath('dist/strata', 'images/api', 'cpu', 'app', 'linux/arm64');
    expect(layerDigestPath(record)).toBe('dist/strata/images/api/cpu/app/linux-arm64.digest');
    expect(layerTestResultPath(record)).toBe('dist/strata/images/api/cpu/app/linux-arm64.tested.json');
  });
});

describe('target names', () => {
  test.each<[string, string, ParsedTargetName]>([
    [
      'a layer with a variant',
      layerTargetName(naming, 'cpu', 'base', 'linux/amd64'),
      { kind: 'layer', variant: 'cpu', layer: 'base', platform: 'linux/amd64' },
    ],
    [
      'a layer without variants',
      layerTargetName(naming, undefined, 'app', 'linux/arm64'),
      { kind: 'layer', layer: 'app', platform: 'linux/arm64' },
    ],
    [
      'names with . _ and -',
      layerTargetName(naming, 'cuda-12.4', 'ml_torch.v2', 'linux/arm/v7'),
      { kind: 'layer', variant: 'cuda-12.4', layer: 'ml_torch.v2', platform: 'linux/arm/v7' },
    ],
    ['a platform aggregate', platformTargetName(naming, 'linux/amd64/v3'), { kind: 'platform', platform: 'linux/amd64/v3' }],
    ['the build aggregate', 'docker-build', { kind: 'build' }],
    ['a variant publish', publishTargetName(naming, 'cpu'), { kind: 'publish', variant: 'cpu' }],
    ['the publish target', publishTargetName(naming, undefined), { kind: 'publish' }],
    [
      'a binary build',
      binaryBuildTargetName('my-tool.v2', 'darwin/arm64'),
      { kind: 'binary-build', binary: 'my-tool.v2', platform: 'darwin/arm64' },
    ],
    [
      'a binary check',
      binaryCheckTargetName('my_tool', 'windows/amd64'),
      { kind: 'binary-check', binary: 'my_tool', platform: 'windows/amd64' },
    ],
    ['binary checksums', binaryChecksumsTargetName('tool'), { kind: 'binary-checksums', binary: 'tool' }],
    ['the binary build aggregate', 'binary-build', { kind: 'binary-aggregate', target: 'binary-build' }],
    [
      'a layer test with a variant',
      layerTestTargetName('cpu', 'app', 'linux/arm64'),
      { kind: 'layer-test', variant: 'cpu', layer: 'app', platform: 'linux/arm64' },
    ],
    [
      'a layer test without variants',
      layerTestTargetName(undefined, 'app', 'linux/amd64'),
      { kind: 'layer-test', layer: 'app', platform: 'linux/amd64' },
    ],
    ['the test aggregate', 'docker-test', { kind: 'test-aggregate' }],
    ['the lint target', 'docker-lint', { kind: 'lint' }],
    ['the tests of a platform', platformTestTargetName('linux/arm64'), { kind: 'test-platform', platform: 'linux/arm64' }],
    [
      'a layer scan with a variant',
      layerScanTargetName('cuda', 'app', 'linux/amd64'),
      { kind: 'layer-scan', variant: 'cuda', layer: 'app', platform: 'linux/amd64' },
    ],
    [
      'a layer scan without variants',
      layerScanTargetName(undefined, 'app', 'linux/arm64'),
      { kind: 'layer-scan', layer: 'app', platform: 'linux/arm64' },
    ],
    ['the scan aggregate', 'docker-scan', { kind: 'scan-aggregate' }],
    ['the scans of a platform', platformScanTargetName('linux/amd64'), { kind: 'scan-platform', platform: 'linux/amd64' }],
  ])('round-trips %s (%s)', (_what, name, parsed) => {
    expect(parseTargetName(naming, name)).toEqual(parsed);
  });

  it('follows the buildTargetName and publishTargetName options', () => {
    expect(layerTargetName(custom, 'gpu', 'ml', 'linux/amd64')).toBe('img--gpu--ml--linux-amd64');
    expect(parseTargetName(custom, 'img--gpu--ml--linux-amd64')).toEqual({
      kind: 'layer',
      variant: 'gpu',
      layer: 'ml',
      platform: 'linux/amd64',
    });
    expect(parseTargetName(custom, 'ship.it--gpu')).toEqual({ kind: 'publish', variant: 'gpu' });
    expect(parseTargetName(custom, 'docker-build--ml--linux-amd64')).toBeUndefined();
  });

  it.each([
    'build',
    'lint',
    'docker-scan--a--b--c--d',
    'docker-build--a--b--c--linux-amd64',
    'docker-build----linux-amd64',
    'binary-checksums--a--b',
  ])('is not fooled by %s', (name) => {
    expect(parseTargetName(naming, name)).toBeUndefined();
  });

  it('rejects name options that would break parsing', () => {
    expect(() => checkTargetNaming({ buildTargetName: 'docker--build', publishTargetName: 'docker-publish' })).toThrow(StrataInputError);
    expect(() => checkTargetNaming({ buildTargetName: 'docker--build', publishTargetName: 'docker-publish' })).toThrow(
      'nx.json: the nx-strata plugin option "buildTargetName" ("docker--build") must not contain "--"',
    );
    expect(() => checkTargetNaming({ buildTargetName: 'docker-build', publishTargetName: '' })).toThrow(
      '"publishTargetName" must be a target name',
    );
    expect(() => checkTargetNaming({ buildTargetName: 'binary-build', publishTargetName: 'docker-publish' })).toThrow(
      'is the name of other nx-strata targets',
    );
    expect(() => checkTargetNaming({ buildTargetName: 'x', publishTargetName: 'x' })).toThrow('are both "x"');
    expect(() => checkTargetNaming(custom)).not.toThrow();
  });

  it('keys record paths on the project root, never the project name', () => {
    expect(layerRecordPath('dist/strata', '.', 'cpu', 'app', 'linux/arm64')).toBe('dist/strata/cpu/app/linux-arm64.json');
    expect(layerRecordPath('dist/strata', 'images/api', 'default', 'api', 'linux/arm/v7')).toBe(
      'dist/strata/images/api/default/api/linux-arm-v7.json',
    );
    expect(publishRecordPath('dist/strata', 'images/api', 'cpu')).toBe('dist/strata/images/api/cpu/publish.json');
    expect(binaryOutputPath('tools/cli', 'hello', 'windows/amd64')).toBe('tools/cli/dist/bin/hello-windows-amd64.exe');
    expect(binaryRecordPath('.', 'hello', 'darwin/arm64')).toBe('dist/bin/.records/hello-darwin-arm64.json');
    expect(layerScanSarifPath('dist/strata/cpu/app/linux-arm64.json')).toBe('dist/strata/cpu/app/linux-arm64.scan.sarif');
    expect(layerScanResultPath('dist/strata/cpu/app/linux-arm64.json')).toBe('dist/strata/cpu/app/linux-arm64.scanned.json');
  });
});
