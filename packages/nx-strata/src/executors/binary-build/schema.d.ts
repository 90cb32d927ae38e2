import type { BinaryConfig } from '../../config/strata-config';

/** Options of `nx-strata:binary-build`, filled by the inferred targets from strata.json's `binaries`. */
export interface BinaryBuildExecutorOptions {
  configFile: string;
  projectRoot: string;
  /** Binary name. */
  name: string;
  /** Target platform, e.g. `darwin/arm64`. */
  platform: string;
  /** The binary's settings from strata.json. */
  binary: BinaryConfig;
  /** Workspace-relative output: `<projectRoot>/dist/bin/<name>-<os>-<arch>[.exe]`. */
  output: string;
  /** Workspace-relative build record. */
  record: string;
  /** Print the command and stop. @default false */
  dryRun?: boolean;
}
