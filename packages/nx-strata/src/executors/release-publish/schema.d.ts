/** Options of the `nx-strata:release-publish` executor: what the target sets, and what `nx release publish` passes. */
export interface ReleasePublishExecutorOptions {
  publishTargets: string[];
  dryRun?: boolean;
  /** Set by `nx release` (Nx's VersionData): `{ [project]: { newVersion: string | null, ... } }`. */
  nxReleaseVersionData?: Record<string, { newVersion?: string | null } | undefined>;
  registry?: string;
  tag?: string;
  otp?: string | number;
  access?: string;
  firstRelease?: boolean;
}
