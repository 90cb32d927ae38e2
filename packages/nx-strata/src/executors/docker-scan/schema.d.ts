import type { ScanConfig } from '../../config/strata-config';
import type { RecordedLayerOptions } from '../recorded-image';

export interface DockerScanExecutorOptions extends RecordedLayerOptions {
  /** Merged `scan` settings of strata.json. */
  scan: Omit<ScanConfig, 'enabled'>;
}
