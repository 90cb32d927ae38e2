import type { TargetConfiguration } from '@nx/devkit';
import { platformBuildHost, type NormalizedPluginOptions } from '../config/plugin-options';
import type { DockerTestExecutorOptions } from '../executors/docker-test/schema';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';
import { isTestedLayer } from '../model/published-layers';
import { DOCKER_TEST, layerDigestPath, layerTestResultPath, layerTestTargetName, platformTestTargetName } from '../model/target-names';

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
  for (const task of family.tasks) {
    const name = testTargetOf(family, task);
    if (!name) continue;
    const record = family.recordOf(task);
    const host = platformBuildHost(options.builders, task.platform);
    const testOptions: DockerTestExecutorOptions = {
      image: task.image,
      variant: task.variant,
      layer: task.layer,
      platform: task.platform,
      record,
      buildTarget: task.targetName,
      test: task.test ?? {},
      ...(host.dockerContext ? { dockerContext: host.dockerContext } : {}),
      ...(host.dockerHost ? { dockerHost: host.dockerHost } : {}),
    };
    targets[name] = {
      executor: 'nx-strata:docker-test',
      cache: true,
      inputs: [{ dependentTasksOutputFiles: layerDigestPath(record), transitive: false }],
      outputs: [`{workspaceRoot}/${layerTestResultPath(record)}`],
      dependsOn: [task.targetName],
      options: testOptions,
      metadata: {
        description: `Runs the image that ${task.targetName} recorded (by digest, never rebuilt) and checks it: non-root user, healthcheck, ports, smoke commands.`,
        technologies: ['docker'],
        help: { command: 'docker run --help', example: { options: {} } },
      },
    };
  }
  const members = Object.keys(targets);
  for (const platform of [...new Set(family.tasks.map((task) => task.platform))]) {
    const mine = family.tasks.filter((task) => task.platform === platform).map((task) => testTargetOf(family, task));
    const names = mine.filter((name): name is string => name !== undefined);
    if (names.length)
      targets[platformTestTargetName(platform)] = {
        executor: 'nx:noop',
        cache: false,
        dependsOn: names,
        metadata: {
          description: `Tests every tested layer of ${family.config.image} for ${platform} (one CI job per platform).`,
          technologies: ['docker'],
        },
      };
  }
  if (members.length)
    targets[DOCKER_TEST] = {
      executor: 'nx:noop',
      cache: false,
      dependsOn: members,
      metadata: { description: `Tests every tested layer of ${family.config.image} on every platform.`, technologies: ['docker'] },
    };
  return targets;
}
