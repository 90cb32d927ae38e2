import type { TargetConfiguration } from 'nx/src/devkit-exports';
import type { NormalizedPluginOptions } from '../config/plugin-options';
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
import { recordedLayerOptions, verificationAggregates } from './verification-targets';
import { DRY_RUN_INPUT } from '../config/dry-run';

/** The docker-scan target of a layer task, or undefined when the layer is not scanned. */
export function scanTargetOf(family: ImageFamily, task: LayerTask): string | undefined {
  return scanSettingsOf(family, task) ? scanTargetName(task) : undefined;
}

function scanTargetName(task: LayerTask): string {
  return layerScanTargetName(task.explicitVariant ? task.variant : undefined, task.layer, task.platform);
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
  const scanned: Array<{ platform: string; name: string }> = [];
  for (const task of family.tasks) {
    const scan = scanSettingsOf(family, task);
    if (!scan) continue;
    const name = scanTargetName(task);
    scanned.push({ platform: task.platform, name });
    const runtime = scannerVersionRuntime(scan.scanner);
    const scanOptions: DockerScanExecutorOptions = { ...recordedLayerOptions(family, task, options), scan };
    targets[name] = {
      executor: 'nx-strata:docker-scan',
      cache: runtime !== undefined,
      inputs: [
        { dependentTasksOutputFiles: layerDigestPath(scanOptions.record), transitive: false },
        ...(runtime ? [{ runtime }] : []),
        DRY_RUN_INPUT,
      ],
      outputs: [`{workspaceRoot}/${layerScanSarifPath(scanOptions.record)}`, `{workspaceRoot}/${layerScanResultPath(scanOptions.record)}`],
      dependsOn: [task.targetName],
      options: scanOptions,
      metadata: {
        description: `Scans the image that ${task.targetName} recorded (by digest, never rebuilt) with ${scannerName(scan.scanner)} and fails at ${scan.severity ?? 'high'} or above.${runtime ? '' : ' Never cached: the scanner has no "version" command.'}`,
        technologies: ['docker'],
        help: { command: 'npx nx-strata inspect', example: { options: {} } },
      },
    };
  }
  return {
    ...targets,
    ...verificationAggregates(family, scanned, { platform: platformScanTargetName, all: DOCKER_SCAN }, 'Scans'),
  };
}
