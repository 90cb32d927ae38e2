import type { TargetConfiguration } from 'nx/src/devkit-exports';
import type { NormalizedPluginOptions } from '../config/plugin-options';
import type { DockerTestExecutorOptions } from '../executors/docker-test/schema';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';
import { isTestedLayer } from '../model/published-layers';
import { recordedLayerOptions, verificationAggregates } from './verification-targets';
import { DOCKER_TEST, layerDigestPath, layerTestResultPath, layerTestTargetName, platformTestTargetName } from '../model/target-names';
import { DRY_RUN_INPUT } from '../config/dry-run';

/** The docker-test target of a layer task, or undefined when the layer is not tested. */
export function testTargetOf(family: ImageFamily, task: LayerTask): string | undefined {
  return isTestedLayer(family, task)
    ? layerTestTargetName(task.explicitVariant ? task.variant : undefined, task.layer, task.platform)
    : undefined;
}

/**
 * `docker-test--<variant>--<layer>--<os>-<arch>` for every tested layer task, and the aggregate `docker-test`. A test
 * runs the digest its build recorded and is cached on that digest alone (the `.digest` file beside the record, read
 * as a dependency output) and on the test settings (target options, which Nx hashes): an unchanged digest is a cache
 * hit even on a fresh runner whose build was a registry hit.
 */
export function buildTestTargets(family: ImageFamily, options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const tested: Array<{ platform: string; name: string }> = [];
  for (const task of family.tasks) {
    const name = testTargetOf(family, task);
    if (!name) continue;
    tested.push({ platform: task.platform, name });
    const testOptions: DockerTestExecutorOptions = { ...recordedLayerOptions(family, task, options), test: task.test ?? {} };
    targets[name] = {
      executor: 'nx-strata:docker-test',
      cache: true,
      inputs: [{ dependentTasksOutputFiles: layerDigestPath(testOptions.record), transitive: false }, DRY_RUN_INPUT],
      outputs: [`{workspaceRoot}/${layerTestResultPath(testOptions.record)}`],
      dependsOn: [task.targetName],
      options: testOptions,
      metadata: {
        description: `Runs the image that ${task.targetName} recorded (by digest, never rebuilt) and checks it: non-root user, healthcheck, ports, smoke commands.`,
        technologies: ['docker'],
        help: { command: 'docker run --help', example: { options: {} } },
      },
    };
  }
  return {
    ...targets,
    ...verificationAggregates(family, tested, { platform: platformTestTargetName, all: DOCKER_TEST }, 'Tests'),
  };
}
