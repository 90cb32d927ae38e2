import { posix } from 'node:path';
import { KNOWN_GOOS, KNOWN_GOARCH } from './go-platforms';
import type { BinaryTask } from '../model/binary-task';
import { splitCommand } from '../utils/split-command';

/** What one build runs, as data: argv without a shell, its env and cwd (workspace-relative), and where the binary appears. */
export interface BinaryBuildCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Workspace-relative path of the binary the command produces (moved to the task output afterwards). */
  artifact: string;
}

const RUST_TRIPLES: Record<string, string> = {
  'linux/amd64': 'x86_64-unknown-linux-gnu',
  'linux/arm64': 'aarch64-unknown-linux-gnu',
  'linux/arm/v7': 'armv7-unknown-linux-gnueabihf',
  'linux/386': 'i686-unknown-linux-gnu',
  'darwin/amd64': 'x86_64-apple-darwin',
  'darwin/arm64': 'aarch64-apple-darwin',
  'windows/amd64': 'x86_64-pc-windows-gnu',
  'windows/arm64': 'aarch64-pc-windows-msvc',
};

export function rustTriple(platform: string): string {
  return RUST_TRIPLES[platform];
}

/**
 * The build command of a (binary, platform). Pure. `scratch` is a workspace-relative directory the executor creates
 * fresh for this build; the artifact is moved from there to the output only when the command succeeded.
 */
export function buildCommand(task: BinaryTask, scratch: string): BinaryBuildCommand {
  const root = task.projectRoot;
  const exe = task.os === 'windows' ? '.exe' : '';
  switch (task.config.preset) {
    case 'go': {
      const source = task.config.source ?? '.';
      const artifact = posix.join(scratch, `${task.name}${exe}`);
      const env: Record<string, string> = { GOOS: task.os, GOARCH: task.arch, CGO_ENABLED: '0' };
      if (task.platform === 'linux/arm/v7') env.GOARM = '7';
      return {
        argv: [
          'go',
          'build',
          '-trimpath',
          '-ldflags',
          task.config.ldflags ?? '-s -w',
          '-o',
          posix.relative(root, artifact),
          `./${posix.normalize(source)}`.replace(/^\.\/\.$/, '.'),
        ],
        env,
        cwd: root,
        artifact,
      };
    }
    case 'cargo': {
      const crate = posix.join(root, task.config.source ?? '.');
      const triple = rustTriple(task.platform);
      // cargo's own target/ directory: its incremental cache survives between builds. Only the copy to the output is ours.
      const targetDir = posix.join(crate, 'target');
      return {
        argv: [
          'cargo',
          'build',
          '--release',
          '--locked',
          '--target',
          triple,
          '--manifest-path',
          posix.relative(crate, posix.join(crate, 'Cargo.toml')),
          '--target-dir',
          posix.relative(crate, targetDir),
        ],
        env: {},
        cwd: crate,
        artifact: posix.join(targetDir, triple, 'release', `${task.name}${exe}`),
      };
    }
    case 'pyinstaller': {
      const out = posix.join(scratch, 'out');
      const argv = ['docker', 'buildx', 'build', '--platform', task.platform, '--file', posix.join(root, task.config.source!)];
      if (task.config.target) argv.push('--target', task.config.target);
      argv.push(
        '--build-arg',
        `BINARY_NAME=${task.name}`,
        '--provenance=false',
        '--output',
        `type=local,dest=${out}`,
        posix.join(root, task.config.context ?? '.'),
      );
      return { argv, env: {}, cwd: '.', artifact: posix.join(out, task.name) };
    }
    case 'command': {
      const artifact = posix.join(scratch, `${task.name}${exe}`);
      const template = typeof task.config.command === 'string' ? splitCommand(task.config.command) : task.config.command!;
      const values: Record<string, string> = {
        os: task.os,
        arch: task.arch,
        platform: task.platform,
        output: posix.relative(root, artifact),
      };
      return {
        argv: template.map((part) => part.replace(/\{(os|arch|platform|output)\}/g, (_m, token: string) => values[token])),
        env: {},
        cwd: root,
        artifact,
      };
    }
  }
}

/** Default input globs (relative to the project root) per preset; `!` entries exclude. */
export function presetInputGlobs(task: BinaryTask): string[] {
  if (task.config.inputs) return task.config.inputs;
  const source = task.config.source ?? '.';
  switch (task.config.preset) {
    case 'go': {
      // A file named for another GOOS or GOARCH is never compiled into this platform's binary.
      const otherOs = KNOWN_GOOS.filter((os) => os !== task.os);
      const otherArch = KNOWN_GOARCH.filter((arch) => arch !== task.arch);
      return [
        '**/*.go',
        'go.mod',
        'go.sum',
        '!**/*_test.go',
        ...otherOs.flatMap((os) => [`!**/*_${os}.go`, `!**/*_${os}_*.go`]),
        ...otherArch.map((arch) => `!**/*_${arch}.go`),
      ];
    }
    case 'cargo':
      return [
        posix.join(source, 'src/**/*'),
        posix.join(source, 'Cargo.toml'),
        posix.join(source, 'Cargo.lock'),
        posix.join(source, 'build.rs'),
      ];
    case 'pyinstaller':
      return [source, posix.join(task.config.context ?? '.', '**/*')];
    case 'command':
      return [];
  }
}
