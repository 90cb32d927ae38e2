import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import { loadStrataConfig, validateStrataConfig } from './load-strata-config';
import { StrataInputError } from './strata-error';

const valid = {
  image: 'acme/vision',
  layers: { base: { dockerfile: 'Dockerfile.base' }, app: { dockerfile: 'Dockerfile', parent: 'base' } },
};

describe('validateStrataConfig', () => {
  it('canonicalises platforms and expands the directory shorthand', () => {
    const config = validateStrataConfig(
      { image: 'acme/p', platforms: ['linux/arm64/v8', 'linux/amd64'], layers: { api: 'apps/api/' } },
      'strata.json',
    );
    expect(config.platforms).toEqual(['linux/arm64', 'linux/amd64']);
    expect(config.layers.api).toEqual({ dockerfile: 'apps/api/Dockerfile', context: 'apps/api/' });
  });

  test.each([
    [
      'an unknown platform',
      { ...valid, platforms: ['linux/sparc'] },
      'unknown platform "linux/sparc" in "platforms"',
      'use one of: linux/amd64',
    ],
    [
      'a parent that does not exist',
      { ...valid, layers: { app: { dockerfile: 'D', parent: 'nope' } } },
      'layer "app" has parent "nope", which is not a layer of this file',
      'declare layer "nope" or use one of: app',
    ],
    ['an unknown key', { ...valid, layer: {} }, 'unknown key "layer"', 'allowed here:'],
    ['a bad image', { ...valid, image: 'ghcr.io/Acme/Vision:latest' }, '"image" must be a repository path', 'strata.json reference'],
    [
      'an override of an unknown layer',
      { ...valid, variants: { cpu: { layers: { gpu: { dockerfile: 'x' } } } } },
      '"variants.cpu.layers" overrides layer "gpu"',
      'use one of: base, app',
    ],
    [
      'a binary for an unknown platform',
      { binaries: { cli: { preset: 'go', platforms: ['darwin/sparc'] } } },
      'unknown platform "darwin/sparc" in "binaries.cli.platforms"',
      'use one of: linux/amd64',
    ],
    [
      'a command binary without inputs',
      { binaries: { cli: { preset: 'command', platforms: ['linux/amd64'], command: 'make' } } },
      '"binaries.cli.inputs" is required for the command preset',
      'cannot know what a custom command reads',
    ],
    [
      'an unknown preset',
      { binaries: { cli: { preset: 'bazel', platforms: ['linux/amd64'] } } },
      '"binaries.cli.preset" must be one of go, cargo, pyinstaller, command',
      'strata.json reference',
    ],
    [
      'a bad variant name',
      { ...valid, variants: { 'CPU--x': {} } },
      'variant "CPU--x": names use lower-case letters',
      'strata.json reference',
    ],
    [
      'an unknown variant platform',
      { ...valid, variants: { cpu: { platforms: { 'linux/m68k': {} } } } },
      'unknown platform "linux/m68k" in "variants.cpu.platforms"',
      'use one of',
    ],
    [
      'a test setting of the wrong type',
      { ...valid, layers: { app: { dockerfile: 'D', test: { nonRoot: 'no' } } } },
      '"layers.app.test.nonRoot" must be true or false',
      'strata.json reference',
    ],
    [
      'a smoke command given as a string',
      { ...valid, variants: { cpu: { layers: { app: { test: { smoke: [{ command: 'app --version' }] } } } } } },
      '"variants.cpu.layers.app.test.smoke[0].command" must be an argument list',
      'strata.json reference',
    ],
    [
      'a signer whose argv uses a placeholder it does not know',
      { ...valid, publish: { sign: { command: ['cosign', 'sign', '{ref}'] } } },
      '"publish.sign.command" uses {ref}; a signer\'s argv knows {image} and {digest}',
      'strata.json reference',
    ],
    [
      'a signer that is neither cosign nor a command',
      { ...valid, publish: { sign: 'gpg' } },
      '"publish.sign" must be "cosign" or { "command": [...] }',
      'strata.json reference',
    ],
    [
      'an annotation key that is not a reverse-domain word list',
      { ...valid, publish: { annotations: { 'org.opencontainers.image.description': 'ok', 'bad key!': 'x' } } },
      '"publish.annotations" has the key "bad key!"',
      'reverse-domain key',
    ],
    [
      'an annotation value over several lines',
      { ...valid, publish: { annotations: { 'org.opencontainers.image.description': 'one\ntwo' } } },
      '"publish.annotations.org.opencontainers.image.description" must be one line of text',
      'strata.json reference',
    ],
    [
      'a smoke timeout that is not a positive integer',
      { ...valid, layers: { app: { dockerfile: 'D', test: { smoke: [{ command: [], timeoutMs: 0 }] } } } },
      '"layers.app.test.smoke[0].timeoutMs" must be a whole number from 1',
      'strata.json reference',
    ],
    [
      'a smoke output that is not a regular expression',
      { ...valid, layers: { app: { dockerfile: 'D', test: { smoke: [{ command: [], output: 'v(' }] } } } },
      '"layers.app.test.smoke[0].output" is not a regular expression',
      'strata.json reference',
    ],
    [
      'a port out of range',
      { ...valid, layers: { app: { dockerfile: 'D', test: { ports: [{ port: 70000 }] } } } },
      '"layers.app.test.ports[0].port" must be a whole number from 1 to 65535',
      'strata.json reference',
    ],
    [
      'an unknown test key',
      { ...valid, layers: { app: { dockerfile: 'D', test: { rootless: true } } } },
      'unknown key "layers.app.test.rootless"',
      'allowed here: enabled, nonRoot, healthcheck, smoke, ports',
    ],
    ['a scan without a scanner', { ...valid, scan: { severity: 'high' } }, '"scan" needs "scanner"', 'use "trivy", "grype"'],
    [
      "a layer's scan without a scanner anywhere",
      { ...valid, layers: { app: { dockerfile: 'D', scan: { severity: 'low' } } } },
      '"layers.app.scan" needs "scanner"',
      'use "trivy", "grype"',
    ],
    [
      'an unknown severity',
      { ...valid, scan: { scanner: 'trivy', severity: 'severe' } },
      '"scan.severity" must be one of "low", "medium", "high", "critical"',
      'strata.json reference',
    ],
    [
      'a custom scanner that writes no SARIF',
      { ...valid, scan: { scanner: { command: ['acme-scan', '{image}'] } } },
      '"scan.scanner.command" must pass {sarif}',
      'strata.json reference',
    ],
    [
      'an unknown placeholder',
      { ...valid, scan: { scanner: { command: ['acme-scan', '{image}', '{sarif}', '{tag}'] } } },
      '"scan.scanner.command" has an unknown placeholder "{tag}"',
      'use {image}, {digest}, {platform}, {sarif}, {severity}',
    ],
    [
      'a version command given as a string',
      { ...valid, scan: { scanner: { command: ['s', '{image}', '{sarif}'], version: 's --version' } } },
      '"scan.scanner.version" must be a non-empty argument list',
      'strata.json reference',
    ],
  ])('rejects %s, naming the file and what to do', (_name, raw, problem, hint) => {
    expect(() => validateStrataConfig(raw, 'images/strata.json')).toThrow(StrataInputError);
    try {
      validateStrataConfig(raw, 'images/strata.json');
    } catch (error) {
      expect((error as Error).message).toContain(`images/strata.json: ${problem}`);
      expect((error as Error).message).toContain(hint);
    }
  });
});

describe('scan settings', () => {
  it('takes a layer that switches off or sharpens the top-level scan, and a scanner of its own', () => {
    const config = {
      image: 'acme/web',
      layers: {
        base: { dockerfile: 'B', scan: { enabled: false } },
        app: { dockerfile: 'D', scan: { severity: 'critical' } },
      },
      scan: { scanner: 'grype', timeoutMs: 60000 },
    };
    expect(() => validateStrataConfig(config, 'strata.json')).not.toThrow();
    const own = { image: 'acme/web', layers: { app: { dockerfile: 'D', scan: { scanner: { command: ['s', '{digest}', '{sarif}'] } } } } };
    expect(() => validateStrataConfig(own, 'strata.json')).not.toThrow();
  });
});

describe('loadStrataConfig', () => {
  let root: string;
  afterEach(() => removeTempWorkspace(root));

  it('names the line of a JSON syntax error', () => {
    root = createTempWorkspace({ 'strata.json': '{\n  "image": "acme/x",\n  "layers": {,}\n}\n' });
    expect(() => loadStrataConfig(root, 'strata.json')).toThrow(/^strata\.json:3:14: is not valid JSON \(ValueExpected\)/);
  });

  it('reads a file that starts with a UTF-8 byte order mark', () => {
    root = createTempWorkspace({
      'strata.json': '\uFEFF{ "image": "acme/x", "layers": { "app": { "dockerfile": "Dockerfile" } } }\n',
      Dockerfile: 'FROM scratch\n',
    });
    expect(loadStrataConfig(root, 'strata.json').image).toBe('acme/x');
  });

  it('refuses nesting 100,000 levels deep at its position, without overflowing the stack', () => {
    root = createTempWorkspace({ 'strata.json': `{\n  "image": "acme/x",\n  "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}\n` });
    expect(() => loadStrataConfig(root, 'strata.json')).toThrow(/^strata\.json:3:\d+: nests objects and arrays more than 64 levels deep/);
  });

  it('refuses a key given twice, at the second one (the one JSON would keep)', () => {
    root = createTempWorkspace({
      'strata.json': '{\n  "image": "acme/x",\n  "layers": { "app": { "dockerfile": "Dockerfile" } },\n  "image": "acme/y"\n}\n',
    });
    expect(() => loadStrataConfig(root, 'strata.json')).toThrow(
      /^strata\.json:4:3: has the key "image" twice in one object \(first at line 2, column 3\); JSON would keep only the last/,
    );
  });
});
