import { normalizePluginOptions, platformBuildHost } from './plugin-options';
import { StrataInputError } from './strata-error';

describe('platformBuildHost (the plugin option "builders")', () => {
  it('maps a name or { builder } to a buildx builder, { context } to a docker context, { host } to a daemon address', () => {
    const builders = {
      'linux/amd64': 'remote-amd64',
      'linux/arm64': { context: 'arm64-host' },
      'linux/arm/v7': { host: 'ssh://ci@arm-host' },
      'linux/riscv64': { builder: 'qemu' },
    };
    expect(platformBuildHost(builders, 'linux/amd64')).toEqual({ builder: 'remote-amd64' });
    expect(platformBuildHost(builders, 'linux/arm64')).toEqual({ dockerContext: 'arm64-host' });
    expect(platformBuildHost(builders, 'linux/arm/v7')).toEqual({ dockerHost: 'ssh://ci@arm-host' });
    expect(platformBuildHost(builders, 'linux/riscv64')).toEqual({ builder: 'qemu' });
    expect(platformBuildHost(builders, 'linux/s390x')).toEqual({});
  });

  it.each([
    ['an empty name', '', 'an empty builder name'],
    ['two kinds at once', { context: 'a', host: 'unix:///a' }, 'set exactly one of builder, context, host'],
    ['an unknown key', { node: 'a' }, 'an unknown key "node"'],
    ['a host that is no address', { host: 'arm64-host' }, 'not a daemon address'],
    ['a number', { context: 7 }, 'not a non-empty string'],
  ])('refuses %s, naming nx.json, the platform and the three shapes', (_, setting, problem) => {
    const call = () => platformBuildHost({ 'linux/arm64': setting as never }, 'linux/arm64');
    expect(call).toThrow(StrataInputError);
    expect(call).toThrow(problem);
    expect(call).toThrow(/nx\.json.*linux\/arm64/s);
    expect(call).toThrow('{ "context": "arm64-host" }');
  });
});

describe('normalizePluginOptions: nx.json options of the wrong type', () => {
  it.each([
    [{ historyDir: 5 }, 'the nx-strata option "historyDir" is 5, which is not a string'],
    [{ trustedBranches: 'main' }, 'the nx-strata option "trustedBranches" is "main", which is not a list of strings'],
    [{ registryCache: 'yes' }, 'the nx-strata option "registryCache" is "yes", which is not a boolean'],
    [{ builders: ['a'] }, 'the nx-strata option "builders" is ["a"], which is not an object'],
  ])('%j is refused with the key and what it must be, not a TypeError', (options, message) => {
    expect(() => normalizePluginOptions(options as never)).toThrow(message);
  });

  it("takes the trusted branch from nx.json's defaultBase as a branch name, without its remote", () => {
    expect(normalizePluginOptions({}, 'origin/main').trustedBranches).toEqual(['main']);
    expect(normalizePluginOptions({}, 'github/trunk', ['origin', 'github']).trustedBranches).toEqual(['trunk']);
    expect(normalizePluginOptions({}, undefined).trustedBranches).toEqual(['main']);
    expect(normalizePluginOptions({ trustedBranches: ['origin/main', 'release/*'] }).trustedBranches).toEqual(['main', 'release/*']);
  });

  it('takes the options of the right types', () => {
    expect(normalizePluginOptions({ historyDir: '.nx/h/', trustedBranches: ['main'] }).historyDir).toBe('.nx/h');
  });
});
