import type { ContainerTestConfig } from '../../config/strata-config';

export interface DockerTestExecutorOptions {
  image: string;
  variant: string;
  layer: string;
  platform: string;
  /** Workspace-relative build record of the layer. */
  record: string;
  /** The layer's build target, named in messages. */
  buildTarget: string;
  /** Merged `test` settings of strata.json. */
  test?: ContainerTestConfig;
  /** The platform's build host (the plugin's `builders`): the image runs where it was built. */
  dockerContext?: string;
  dockerHost?: string;
}
