import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand } from '../engines/exec-command';

/** This machine as an `os/arch` platform: linux/amd64, darwin/arm64... */
export function hostPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${os}/${arch}`;
}

/** Whether a binary for `platform` can execute here: natively, or linux/arm64 through QEMU's binfmt handler. */
export function canRunHere(platform: string): boolean {
  if (platform === hostPlatform()) return true;
  if (hostPlatform().startsWith('linux/') && platform === 'linux/arm64') return binfmtEnabled('qemu-aarch64');
  if (hostPlatform() === 'linux/amd64' && platform === 'linux/386') return true;
  return false;
}

function binfmtEnabled(handler: string): boolean {
  const path = join('/proc/sys/fs/binfmt_misc', handler);
  return existsSync(path) && readFileSync(path, 'utf8').startsWith('enabled');
}

/** Probe: a program answers `--version`-like arguments. Never throws. */
export async function programWorks(program: string, args: string[]): Promise<boolean> {
  return (await execCommand(program, args)).exitCode === 0;
}

/** Rust targets whose std is installed (sysroot lib/rustlib/<triple>). Never throws. */
export async function installedRustTargets(): Promise<Set<string>> {
  const sysroot = await execCommand('rustc', ['--print', 'sysroot']);
  if (sysroot.exitCode !== 0) return new Set();
  const rustlib = join(sysroot.stdout.trim(), 'lib', 'rustlib');
  const { readdirSync } = await import('node:fs');
  try {
    return new Set(readdirSync(rustlib).filter((entry) => existsSync(join(rustlib, entry, 'lib'))));
  } catch {
    return new Set();
  }
}
