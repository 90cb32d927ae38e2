import type { BinaryCheckConfig } from '../../config/strata-config';

/** Options of `nx-strata:binary-check`. */
export interface BinaryCheckExecutorOptions {
  name: string;
  platform: string;
  /** Workspace-relative binary to check. */
  output: string;
  /** Workspace-relative build record (says whether the build was skipped on this host). */
  record: string;
  /** Budgets and the smoke run, from strata.json's `check`. */
  check?: BinaryCheckConfig;
}
