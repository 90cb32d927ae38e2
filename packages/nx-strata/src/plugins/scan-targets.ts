import type { TargetConfiguration } from '@nx/devkit';
import { platformBuildHost, type NormalizedPluginOptions } from '../config/plugin-options';
import type { DockerScanExecutorOptions } from '../executors/docker-scan/schema';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';
import { scanSettingsOf } from '../model/published-layers';
import {
  DOCKER_SCAN,
  layerDigestPath,
  layerScanResultPath,
  layerScanSarifPath,
  layerScanTargetName,
  platformScanTargetName,
} from '../model/target-names';
import { scannerName, scannerVersionRuntime } from '../scan/scanner-command';

/** The docker-scan target of a layer task, or undefined when the layer is not scanned. */
export function scanTargetOf(family: ImageFamily, task: LayerTask): string | undefined {
  return scanSettingsOf(family, task)
    ? layerScanTargetName(task.explicitVariant ? task.variant : undefined, task.layer, task.platform)
    : undefined;
}

/**
 * `docker-scan--<variant>--<layer>--<os>-<arch>` for every scanned layer task, per-platform aggregates and
 * `docker-scan`. A scan runs on the digest its build recorded. It is cached on that digest (the `.digest` file), the
 * scanner's version and database date (a `runtime` input printing `missing` when the scanner is not installed) and
 * the settings (target options); a custom scanner without a `version` command is never cached, since a cached pass
 * must not hide new CVEs.
 */
export function buildScanTargets(family: ImageFamily, options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  for (const task of family.tasks) {
    const scan = scanSettingsOf(family, task);
    const name = scanTargetOf(family, task);
    if (!scan || !name) continue;
    const record = family.recordOf(task);
    const host = platformBuildHost(options.builders, task.platform);
    const runtime = scannerVersionRuntime(scan.scanner);
    const scanOptions: DockerScanExecutorOptions = {
      image: task.image,
      variant: task.variant,
      layer: task.layer,
      platform: task.platform,
      record,
      buildTarget: task.targetName,
      scan,
      ...(host.dockerContext ? { dockerContext: host.dockerContext } : {}),
      ...(host.dockerHost ? { dockerHost: host.dockerHost } : {}),
    };
    targets[name] = {
      executor: 'nx-strata:docker-scan',
      cache: runtime !== undefined,
      inputs: [{ dependentTasksOutputFiles: layerDigestPath(record), transitive: false }, ...(runtime ? [{ runtime }] : [])],
      outputs: [`{workspaceRoot}/${layerScanSarifPath(record)}`, `{workspaceRoot}/${layerScanResultPath(record)}`],
      dependsOn: [task.targetName],
      options: scanOptions,
      metadata: {
        description: `Scans the image that ${task.targetName} recorded (by digest, never rebuilt) with ${scannerName(scan.scanner)} and fails at ${scan.severity ?? 'high'} or above.${runtime ? '' : ' Never cached: the scanner has no "version" command.'}`,
        technologies: ['docker'],
        help: { command: 'npx nx-strata inspect', example: { options: {} } },
      },
    };
  }
  const members = Object.keys(targets);
  for (const platform of [...new Set(family.tasks.map((task) => task.platform))]) {
    const names = family.tasks
      .filter((task) => task.platform === platform)
      .map((task) => scanTargetOf(family, task))
      .filter((name): name is string => name !== undefined);
    if (names.length)
      targets[platformScanTargetName(platform)] = {
        executor: 'nx:noop',
        cache: false,
        dependsOn: names,
        metadata: { description: `Scans every scanned layer of ${family.config.image} for ${platform}.`, technologies: ['docker'] },
      };
  }
  if (members.length)
    targets[DOCKER_SCAN] = {
      executor: 'nx:noop',
      cache: false,
      dependsOn: members,
      metadata: { description: `Scans every scanned layer of ${family.config.image} on every platform.`, technologies: ['docker'] },
    };
  return targets;
}
