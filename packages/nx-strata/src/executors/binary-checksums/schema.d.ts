/** Options of `nx-strata:binary-checksums`. */
export interface BinaryChecksumsExecutorOptions {
  name: string;
  /** Workspace-relative binaries of every platform. */
  files: string[];
  /** Workspace-relative SHA256SUMS file to write. */
  output: string;
}
