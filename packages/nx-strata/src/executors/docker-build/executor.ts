import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { StrataInputError } from '../../config/strata-error';
import { buildxBuildArgs, isBuildxAvailable, localImageStats, registryImageStats, type ImageStats } from '../../engines/buildx';
import { formatCommand } from '../../engines/exec-command';
import { computeTaskKey } from '../../hash/compute-task-key';
import { FileHasher } from '../../hash/file-hasher';
import { attestationLabels, resolveAttestations } from './lib/attestations';
import { baseImageKeyLines } from './lib/base-images';
import { pinnedRef, planBuild } from './lib/build-plan';
import { removeRecord, writeRecordAtomically } from '../../model/layer-record';
import { normalizeOptions } from './lib/normalize-options';
import { ParentImageError, resolveParentImage } from './lib/parent-image';
import { checkRegistry } from './lib/registry-check';
import { runBuild } from './lib/run-build';
import type { DockerBuildExecutorOptions } from './schema';

const BUILDX_MISSING =
  'nx-strata needs the docker buildx plugin and `docker buildx version` failed.\n  → install it: https://docs.docker.com/build/install-buildx/ (Debian/Ubuntu: the docker-buildx package; this repository: tools/env/setup-machine.sh)';

/** Builds one layer for one platform; writes its record only when the image exists. */
export default async function dockerBuildExecutor(
  rawOptions: DockerBuildExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const options = normalizeOptions(rawOptions, context.root);
  const project = context.projectName ?? 'unknown-project';
  const label = `${options.layer} (${options.variant}, ${options.platform})`;
  // A record says "this key was built": remove the old one first so a failed build can never leave one behind.
  if (!options.dryRun) removeRecord(options.recordAbsolute);
  const workdir = mkdtempSync(join(tmpdir(), 'nx-strata-build-'));
  try {
    const parent = await resolveParentImage(options, project);
    const { inputs, key } = computeTaskKey(options, {
      workspaceRoot: options.workspaceRoot,
      parentKey: parent?.key ?? null,
      hasher: await FileHasher.create(),
      excluded: options.excludedInputs,
      extra: await baseImageKeyLines(options),
    });
    inputs.warnings.forEach((warning) => logger.warn(`nx-strata: ${warning}`));
    if (inputs.missing.length) {
      const sources = inputs.missing.map((path) => `"${path}"`).join(', ');
      return fail(
        `${label}: ${options.dockerfile} reads ${sources} from the build context "${options.context}", which has no such file (or .dockerignore excludes it).\n  → add the file, fix the COPY/ADD source, or fix "context" in ${options.configFile}`,
      );
    }

    const attestations = await resolveAttestations(options);
    const plan = planBuild(options, key.key, parent, join(workdir, 'metadata.json'), attestations);
    const started = Date.now();
    const check = await checkRegistry(options, key.key, parent, project);
    if (check.kind === 'fail') return fail(check.message);
    if (options.dryRun) {
      if (check.kind !== 'hit' && !(await isBuildxAvailable())) return fail(BUILDX_MISSING);
      const what =
        check.kind === 'hit'
          ? `registry hit: ${plan.tag} exists, nothing would be built`
          : `would run:\ndocker ${formatCommand(buildxBuildArgs(plan.buildx))}`;
      logger.info(`nx-strata: dry run for ${label}, key ${key.key}; ${what}`);
      return { success: true };
    }
    let outcome: { digest: string };
    if (check.kind === 'hit') {
      logger.info(`nx-strata: registry hit for ${label}: ${plan.tag} is already in the registry; nothing to build`);
      outcome = check;
    } else {
      if (!(await isBuildxAvailable())) return fail(BUILDX_MISSING);
      logger.info(`nx-strata: building ${label} → ${plan.tag}${parent ? ` on ${parent.ref}` : ''}`);
      const built = await runBuild(plan, {
        cwd: options.workspaceRoot,
        label,
        registry: options.registry,
        pulledFromRegistry: check.kind === 'miss' && options.registry !== null,
      });
      if (!built.ok) return fail(built.message);
      outcome = built;
    }

    const ref = pinnedRef(plan, options, outcome.digest);
    const durationMs = Date.now() - started;
    // A registry hit read the stats from the manifest it found; a build asks for them.
    const stats: ImageStats =
      check.kind === 'hit' ? check : options.registry ? await registryImageStats(ref) : await localImageStats(plan.tag);
    writeRecordAtomically(options.recordAbsolute, {
      schemaVersion: 1,
      project,
      target: context.targetName ?? '',
      variant: options.variant,
      layer: options.layer,
      platform: options.platform,
      key: key.key,
      result: check.kind === 'hit' ? 'registry-hit' : 'built',
      attestations: check.kind === 'hit' ? [] : attestationLabels(attestations),
      digest: outcome.digest,
      refs: options.registry ? [plan.tag, ref] : [plan.tag],
      parentRef: ref,
      mode: options.registry ? 'registry' : 'local',
      registry: options.registry,
      parent,
      dockerfile: options.dockerfile,
      context: options.context,
      args: options.args,
      inputs: key.files,
      dockerfileHash: key.dockerfileHash,
      durationMs,
      sizeBytes: stats.sizeBytes,
      layerCount: stats.layerCount,
      builtAt: new Date().toISOString(),
    });
    if (check.kind !== 'hit') logger.info(`nx-strata: built ${label} in ${(durationMs / 1000).toFixed(1)} s → ${ref}`);
    return { success: true };
  } catch (error) {
    if (error instanceof StrataInputError || error instanceof ParentImageError) return fail(error.message);
    throw error;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

function fail(message: string): { success: false } {
  logger.error(`nx-strata: ${message}`);
  return { success: false };
}
