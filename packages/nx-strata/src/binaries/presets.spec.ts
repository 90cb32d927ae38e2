import { planBinaryTasks, type BinaryTask } from '../model/binary-task';
import { buildCommand, presetInputGlobs } from './presets';
import { splitCommand } from '../utils/split-command';
import type { BinaryConfig } from '../config/strata-config';

const task = (config: Partial<BinaryConfig>, platform = 'linux/arm64'): BinaryTask =>
  planBinaryTasks({
    project: 'tools',
    projectRoot: 'tools/cli',
    configFile: 'tools/cli/strata.json',
    binaries: { cli: { preset: 'go', platforms: [platform], ...config } as BinaryConfig },
  })[0];

describe('buildCommand', () => {
  it('go: GOOS/GOARCH with CGO off, trimmed, into the scratch directory', () => {
    expect(buildCommand(task({ preset: 'go', source: 'cmd/cli' }, 'darwin/arm64'), 'tools/cli/dist/bin/.scratch/x')).toEqual({
      argv: ['go', 'build', '-trimpath', '-ldflags', '-s -w', '-o', 'dist/bin/.scratch/x/cli', './cmd/cli'],
      env: { GOOS: 'darwin', GOARCH: 'arm64', CGO_ENABLED: '0' },
      cwd: 'tools/cli',
      artifact: 'tools/cli/dist/bin/.scratch/x/cli',
    });
    expect(buildCommand(task({ preset: 'go' }, 'windows/amd64'), 's').argv.slice(-3)).toEqual(['-o', '../../s/cli.exe', '.']);
  });

  it('cargo: --target <triple>, locked, from the crate directory', () => {
    expect(buildCommand(task({ preset: 'cargo', source: 'crates/cli' }, 'linux/arm64'), 's')).toEqual({
      argv: [
        'cargo',
        'build',
        '--release',
        '--locked',
        '--target',
        'aarch64-unknown-linux-gnu',
        '--manifest-path',
        'Cargo.toml',
        '--target-dir',
        'target',
      ],
      env: {},
      cwd: 'tools/cli/crates/cli',
      artifact: 'tools/cli/crates/cli/target/aarch64-unknown-linux-gnu/release/cli',
    });
  });

  it('pyinstaller: a buildx build of the Dockerfile stage for the platform, exported with --output type=local', () => {
    expect(
      buildCommand(
        task({ preset: 'pyinstaller', source: 'packaging/Dockerfile.pyinstaller', target: 'binary', context: '.' }, 'linux/arm64'),
        'tools/cli/dist/bin/.scratch/y',
      ),
    ).toEqual({
      argv: [
        'docker',
        'buildx',
        'build',
        '--platform',
        'linux/arm64',
        '--file',
        'tools/cli/packaging/Dockerfile.pyinstaller',
        '--target',
        'binary',
        '--build-arg',
        'BINARY_NAME=cli',
        '--provenance=false',
        '--output',
        'type=local,dest=tools/cli/dist/bin/.scratch/y/out',
        'tools/cli',
      ],
      env: {},
      cwd: '.',
      artifact: 'tools/cli/dist/bin/.scratch/y/out/cli',
    });
  });

  it('command: a template with {os} {arch} {platform} {output}, split into argv without a shell', () => {
    const command = buildCommand(
      task({ preset: 'command', command: 'zig build -Dtarget={arch}-{os} --prefix "{output} dir" -Dname=\'a b\'', inputs: ['src/**'] }),
      'tools/cli/s',
    );
    expect(command.argv).toEqual(['zig', 'build', '-Dtarget=arm64-linux', '--prefix', 's/cli dir', '-Dname=a b']);
    expect(command.cwd).toBe('tools/cli');
  });
});

describe('splitCommand', () => {
  test.each([
    ['a b  c', ['a', 'b', 'c']],
    ['say "two words" \'and $HOME\'', ['say', 'two words', 'and $HOME']],
    ['a\\ b "" c', ['a b', '', 'c']],
  ])('%s', (line, argv) => {
    expect(splitCommand(line)).toEqual(argv);
  });

  it('rejects an unterminated quote', () => {
    expect(() => splitCommand('echo "oops')).toThrow('unterminated " in command');
  });
});

describe('presetInputGlobs', () => {
  it('go: every .go file but tests and files named for another GOOS or GOARCH', () => {
    const globs = presetInputGlobs(task({ preset: 'go' }, 'darwin/arm64'));
    expect(globs.slice(0, 4)).toEqual(['**/*.go', 'go.mod', 'go.sum', '!**/*_test.go']);
    expect(globs).toContain('!**/*_linux.go');
    expect(globs).toContain('!**/*_windows_*.go');
    expect(globs).toContain('!**/*_amd64.go');
    expect(globs).not.toContain('!**/*_darwin.go');
    expect(globs).not.toContain('!**/*_arm64.go');
  });

  it('uses the declared inputs when there are any', () => {
    expect(presetInputGlobs(task({ preset: 'command', command: 'make', inputs: ['Makefile', 'src/**'] }))).toEqual(['Makefile', 'src/**']);
  });
});
