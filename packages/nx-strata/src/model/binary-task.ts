import { posix } from 'node:path';
import { parsePlatform, platformSlug } from '../config/platforms';
import type { BinaryConfig } from '../config/strata-config';

/** One (binary, platform): what one `binary-build--<name>--<os>-<arch>` target builds. Paths are workspace-relative. */
export interface BinaryTask {
  project: string;
  projectRoot: string;
  configFile: string;
  name: string;
  platform: string;
  os: string;
  arch: string;
  config: BinaryConfig;
  buildTarget: string;
  checkTarget: string;
  /** `<projectRoot>/dist/bin/<name>-<os>-<arch>[.exe]`. */
  output: string;
  /** Build record beside the binaries: `<projectRoot>/dist/bin/.records/<name>-<os>-<arch>.json`. */
  record: string;
}

export function planBinaryTasks(input: {
  project: string;
  projectRoot: string;
  configFile: string;
  binaries: Record<string, BinaryConfig>;
}): BinaryTask[] {
  return Object.entries(input.binaries).flatMap(([name, config]) =>
    config.platforms.map((platform) => {
      const { os, arch } = parsePlatform(platform);
      const slug = platformSlug(platform);
      const file = `${name}-${slug}${os === 'windows' ? '.exe' : ''}`;
      return {
        project: input.project,
        projectRoot: input.projectRoot,
        configFile: input.configFile,
        name,
        platform,
        os,
        arch,
        config,
        buildTarget: `binary-build--${name}--${slug}`,
        checkTarget: `binary-check--${name}--${slug}`,
        output: posix.join(input.projectRoot, 'dist/bin', file),
        record: posix.join(input.projectRoot, 'dist/bin/.records', `${name}-${slug}.json`),
      };
    }),
  );
}
