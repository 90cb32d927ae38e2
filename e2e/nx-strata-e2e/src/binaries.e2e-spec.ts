import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES } from './support/paths';

/** Go cross-compiles to four targets here; the linux/arm64 binary runs through QEMU. */
describe('binaries: go preset', () => {
  let workspace: E2EWorkspace;
  const binary = (platform: string) => join(workspace.root, 'dist/bin', `hello-${platform.replace('/', '-')}`);

  beforeAll(() => {
    workspace = E2EWorkspace.create(join(FIXTURES, 'go-cli'));
  });
  afterAll(() => workspace?.remove());

  test('1. cold build: four binaries of the right formats; linux/arm64 runs under QEMU; binary-check passes', () => {
    const started = Date.now();
    expectSuccess(workspace.nx(['run-many', '-t', 'binary-build']));
    expect(workspace.binariesBuiltSince(started)).toEqual(['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64']);
    const described = (platform: string) => execFileSync('file', ['-b', binary(platform)], { encoding: 'utf8' });
    expect(described('linux/amd64')).toMatch(/^ELF 64-bit LSB executable, x86-64/);
    expect(described('linux/arm64')).toMatch(/^ELF 64-bit LSB executable, ARM aarch64/);
    expect(described('darwin/amd64')).toMatch(/^Mach-O 64-bit x86_64 executable/);
    expect(described('darwin/arm64')).toMatch(/^Mach-O 64-bit arm64 executable/);
    expect(execFileSync(binary('linux/arm64'), ['--version'], { encoding: 'utf8' }).trim()).toBe('hello 1.0.0 linux/arm64 (generic build)');

    const check = workspace.nx(['run-many', '-t', 'binary-check']);
    expectSuccess(check);
    expect(check.output).toMatch(
      /binary "hello" \(linux\/arm64\) ok: ELF arm64; \d+ bytes \(budget 20000000\); smoke ok, median start-up [\d.]+ ms over 3 runs/,
    );
    expect(check.output).toContain('binary "hello" (darwin/arm64) ok: Mach-O arm64');
    expect(check.output).toContain('smoke run skipped: darwin/arm64 binaries cannot run on this linux/amd64 host');
  });

  test('2. again: zero builds; with dist/ deleted, the binaries come back from the cache with zero builds', () => {
    let started = Date.now();
    expectSuccess(workspace.nx(['run-many', '-t', 'binary-build']));
    expect(workspace.binariesBuiltSince(started)).toEqual([]);
    rmSync(join(workspace.root, 'dist'), { recursive: true, force: true });
    started = Date.now();
    expectSuccess(workspace.nx(['run-many', '-t', 'binary-build']));
    expect(workspace.binariesBuiltSince(started)).toEqual([]);
    for (const platform of ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64']) expect(existsSync(binary(platform))).toBe(true);
    expect(execFileSync(binary('linux/amd64'), ['--version'], { encoding: 'utf8' }).trim()).toBe('hello 1.0.0 linux/amd64 (generic build)');
  });

  test('3. a change to a _darwin.go file rebuilds only the two darwin binaries', () => {
    workspace.write('platform_darwin.go', workspace.read('platform_darwin.go').replace('macOS build', 'macOS build, patched'));
    workspace.commitAll('darwin-only change');
    const started = Date.now();
    expectSuccess(workspace.nx(['affected', '-t', 'binary-build', '--base=HEAD~1']));
    expect(workspace.binariesBuiltSince(started)).toEqual(['darwin/amd64', 'darwin/arm64']);
  });

  test('checksums: SHA256SUMS over every platform binary', () => {
    expectSuccess(workspace.nx(['run', 'hello:binary-checksums--hello']));
    const sums = readFileSync(join(workspace.root, 'dist/bin/hello.SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((line) => line.split('  ')[1])).toEqual([
      'hello-darwin-amd64',
      'hello-darwin-arm64',
      'hello-linux-amd64',
      'hello-linux-arm64',
    ]);
    for (const line of sums) {
      const [hash, file] = line.split('  ');
      expect(
        createHash('sha256')
          .update(readFileSync(join(workspace.root, 'dist/bin', file)))
          .digest('hex'),
      ).toBe(hash);
    }
  });

  test('4. budgets that are too small fail binary-check with the measured figure', () => {
    const config = JSON.parse(workspace.read('strata.json'));
    config.binaries.hello.check = { maxSizeBytes: 1000 };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    let run = workspace.nx(['run', 'hello:binary-check--hello--linux-amd64']);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(
      /binary "hello" \(linux\/amd64\): \d+ bytes \([\d.]+ MB\) is over its size budget of 1000 bytes \(0\.00 MB\)/,
    );

    config.binaries.hello.check = { smoke: ['--version'], maxStartupMs: 0, runs: 3 };
    workspace.write('strata.json', JSON.stringify(config, null, 2));
    run = workspace.nx(['run', 'hello:binary-check--hello--linux-arm64']);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(
      /binary "hello" \(linux\/arm64\): median start-up [\d.]+ ms over 3 runs is over its budget of 0 ms \(runs: [\d., ]+ ms\)/,
    );
    workspace.git('checkout', '-q', '--', 'strata.json');
  });

  test('a broken build fails with the compiler message and leaves no binary behind', () => {
    workspace.append('main.go', '\nfunc broken( {\n');
    const run = workspace.nx(['run', 'hello:binary-build--hello--linux-amd64']);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/binary "hello" \(linux\/amd64\): go build failed \(exit code \d+\); no binary was written/);
    expect(run.output).toMatch(/main\.go:\d+:\d+: syntax error/);
    expect(existsSync(binary('linux/amd64'))).toBe(false);
    workspace.git('checkout', '-q', '--', 'main.go');
    expectSuccess(workspace.nx(['run', 'hello:binary-build--hello--linux-amd64']));
    expect(existsSync(binary('linux/amd64'))).toBe(true);
  });
});

/** cargo for the host target; linux/arm64 has no Rust std here and is skipped, keyed on the host. */
describe('binaries: cargo preset', () => {
  let workspace: E2EWorkspace;
  beforeAll(() => {
    workspace = E2EWorkspace.create(join(FIXTURES, 'rust-cli'));
  });
  afterAll(() => workspace?.remove());

  test('builds the host target, skips the one this host cannot build, and checks both', () => {
    const started = Date.now();
    const run = workspace.nx(['run-many', '-t', 'binary-check']);
    expectSuccess(run);
    expect(workspace.binariesBuiltSince(started)).toEqual(['linux/amd64']);
    const skipped = workspace.binaryRecords().find((record) => record.platform === 'linux/arm64')!;
    expect(skipped.result).toBe('skipped');
    expect(skipped.reason).toContain(
      'the Rust standard library for aarch64-unknown-linux-gnu is not installed here (rustup target add aarch64-unknown-linux-gnu)',
    );
    expect(execFileSync(join(workspace.root, 'dist/bin/rusty-linux-amd64'), ['--version'], { encoding: 'utf8' }).trim()).toBe(
      'rusty 0.1.0 x86_64',
    );
    expect(run.output).toContain('binary "rusty" (linux/arm64) was skipped on this host');
    expect(existsSync(join(workspace.root, 'dist/bin/rusty-linux-arm64'))).toBe(false);
  });

  test('nx-strata inspect --binaries lists which platforms this host can build', () => {
    const run = workspace.cli(['inspect', '--binaries', '--json']);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.output)).toEqual([
      {
        project: 'rusty',
        binary: 'rusty',
        platform: 'linux/amd64',
        preset: 'cargo',
        target: 'binary-build--rusty--linux-amd64',
        output: 'dist/bin/rusty-linux-amd64',
        buildable: true,
      },
      {
        project: 'rusty',
        binary: 'rusty',
        platform: 'linux/arm64',
        preset: 'cargo',
        target: 'binary-build--rusty--linux-arm64',
        output: 'dist/bin/rusty-linux-arm64',
        buildable: false,
        reason:
          'the Rust standard library for aarch64-unknown-linux-gnu is not installed here (rustup target add aarch64-unknown-linux-gnu)',
      },
    ]);
  });
});
