import { isBuildxAvailable } from '../engines/buildx';
import type { BinaryTask } from '../model/binary-task';
import { canRunHere, hostPlatform, installedRustTargets, programWorks } from './host';
import { rustTriple } from './presets';

export type Capability = { ok: true } | { ok: false; reason: string };

/** Whether this host can build a (binary, platform), and if not, why. Never throws. */
export async function buildCapability(task: BinaryTask): Promise<Capability> {
  const host = hostPlatform();
  switch (task.config.preset) {
    case 'go':
      return (await programWorks('go', ['version']))
        ? { ok: true }
        : { ok: false, reason: 'the go toolchain is not on PATH (install Go; Debian: golang-go)' };
    case 'cargo': {
      const triple = rustTriple(task.platform);
      if (!(await programWorks('cargo', ['--version'])))
        return { ok: false, reason: 'cargo is not on PATH (install Rust: https://rustup.rs)' };
      return (await installedRustTargets()).has(triple)
        ? { ok: true }
        : { ok: false, reason: `the Rust standard library for ${triple} is not installed here (rustup target add ${triple})` };
    }
    case 'pyinstaller':
      if (task.os !== 'linux')
        return {
          ok: false,
          reason: `PyInstaller builds inside a linux container, so it cannot make ${task.platform} binaries on ${host}: build them on a ${task.os} runner`,
        };
      if (!(await isBuildxAvailable()))
        return { ok: false, reason: 'docker buildx is not available (PyInstaller builds run in a container)' };
      if (`linux/${host.split('/')[1]}` !== task.platform && !canRunHere(task.platform))
        return { ok: false, reason: `building for ${task.platform} in a container needs QEMU (binfmt) on this ${host} host` };
      return { ok: true };
    case 'command':
      return { ok: true };
  }
}
