import type { ContainerTestConfig } from '../../config/strata-config';
import type { RecordedLayerOptions } from '../recorded-image';

export interface DockerTestExecutorOptions extends RecordedLayerOptions {
  /** Merged `test` settings of strata.json. */
  test?: ContainerTestConfig;
}
