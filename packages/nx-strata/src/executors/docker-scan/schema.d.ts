import type { ScanConfig } from '../../config/strata-config';

export interface DockerScanExecutorOptions {
  image: string;
  variant: string;
  layer: string;
  platform: string;
  /** Workspace-relative build record of the layer (the SARIF log and the result are written beside it). */
  record: string;
  /** The layer's build target, named in messages. */
  buildTarget: string;
  /** Merged `scan` settings of strata.json. */
  scan: Omit<ScanConfig, 'enabled'>;
  /** The platform's build host (the plugin's `builders`): the image is pulled and scanned there. */
  dockerContext?: string;
  dockerHost?: string;
}
