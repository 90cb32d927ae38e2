import type { TargetConfiguration } from 'nx/src/devkit-exports';
import { platformBuildHost, trustOptions, type NormalizedPluginOptions } from '../config/plugin-options';
import type { RecordedLayerOptions } from '../executors/recorded-image';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';

/** What every target that verifies a layer's recorded image (docker-test, docker-scan) is told: the layer, its record, its host. */
export function recordedLayerOptions(family: ImageFamily, task: LayerTask, options: NormalizedPluginOptions): RecordedLayerOptions {
  const host = platformBuildHost(options.builders, task.platform);
  return {
    image: task.image,
    variant: task.variant,
    ...(task.explicitVariant ? {} : { explicitVariant: false }),
    layer: task.layer,
    platform: task.platform,
    record: family.recordOf(task),
    buildTarget: task.targetName,
    ...(host.dockerContext ? { dockerContext: host.dockerContext } : {}),
    ...(host.dockerHost ? { dockerHost: host.dockerHost } : {}),
    ...trustOptions(options),
  };
}

/**
 * The no-op aggregates over the per-layer verification targets a builder made (`verified`, in task order): one per
 * platform (what one CI job runs) and one for the project.
 */
export function verificationAggregates(
  family: ImageFamily,
  verified: Array<{ platform: string; name: string }>,
  names: { platform: (platform: string) => string; all: string },
  verb: string,
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  for (const platform of [...new Set(verified.map((target) => target.platform))])
    targets[names.platform(platform)] = {
      executor: 'nx:noop',
      cache: false,
      dependsOn: verified.filter((target) => target.platform === platform).map((target) => target.name),
      metadata: {
        description: `${verb} every layer of ${family.config.image} that it applies to, for ${platform} (one CI job per platform).`,
        technologies: ['docker'],
      },
    };
  if (verified.length)
    targets[names.all] = {
      executor: 'nx:noop',
      cache: false,
      dependsOn: verified.map((target) => target.name),
      metadata: {
        description: `${verb} every layer of ${family.config.image} that it applies to, on every platform.`,
        technologies: ['docker'],
      },
    };
  return targets;
}
