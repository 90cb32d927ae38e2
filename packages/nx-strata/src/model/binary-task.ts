import { parsePlatform } from '../config/platforms';
import { binaryBuildTargetName, binaryCheckTargetName, binaryOutputPath, binaryRecordPath } from './target-names';
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

export interface BinaryProject {
  project: string;
  projectRoot: string;
  configFile: string;
}

export function planBinaryTasks(input: BinaryProject & { binaries: Record<string, BinaryConfig> }): BinaryTask[] {
  return Object.entries(input.binaries).flatMap(([name, config]) =>
    config.platforms.map((platform) => binaryTask(input, name, config, platform)),
  );
}

/** One (binary, platform), with its target names and paths from the one naming scheme. */
export function binaryTask(project: BinaryProject, name: string, config: BinaryConfig, platform: string): BinaryTask {
  const { os, arch } = parsePlatform(platform);
  return {
    project: project.project,
    projectRoot: project.projectRoot,
    configFile: project.configFile,
    name,
    platform,
    os,
    arch,
    config,
    buildTarget: binaryBuildTargetName(name, platform),
    checkTarget: binaryCheckTargetName(name, platform),
    output: binaryOutputPath(project.projectRoot, name, platform),
    record: binaryRecordPath(project.projectRoot, name, platform),
  };
}
