import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { StrataInputError } from '../../config/strata-error';
import { buildxBuildArgs, BUILDX_MISSING, isBuildxAvailable, localImageStats, registryImageStats } from '../../engines/buildx';
import { formatDockerCommand } from '../../engines/docker-host';
import { describeLayer } from '../../model/layer-task';
import { namespaceConflict, trustedCacheEntries } from '../../engines/registry/trust';
import { layerDigestPath } from '../../model/target-names';
import { writeJsonAtomically, writeTextAtomically } from '../../utils/write-json-atomically';
import { describeNxCache, isDryRun } from '../dry-run';
import { failed, type ExecutorResult } from '../executor-result';
import { NX_TASK_LOG, type TaskLog } from '../task-log';
import { resolveAttestations } from './lib/attestations';
import { pinnedRef, planBuild } from './lib/build-plan';
import { graphOutputs } from './lib/graph-outputs';
import { layerRecordOf } from './lib/layer-record-of';
import { normalizeOptions } from './lib/normalize-options';
import { ParentImageError } from './lib/parent-image';
import { plannedParentImage } from './lib/planned-parent';
import { prepareLayer } from './lib/prepare-layer';
import { checkRegistry } from './lib/registry-check';
import { runBuild } from './lib/run-build';
import type { DockerBuildExecutorOptions } from './schema';

/** What a layer task needs of its Nx context (an executor's context, or a batch's with the task's own target). */
export type LayerTaskContext = Pick<ExecutorContext, 'root' | 'projectName' | 'targetName' | 'projectGraph'> & {
  /** The task's Nx hash: a batch's task graph has it; one task alone has NX_TASK_HASH. */
  taskHash?: string;
};

/**
 * Builds one layer for one platform: its parent, inputs and key first; then a registry hit (nothing to build) or a
 * build; the record last, and only when the image exists.
 */
export default function dockerBuildExecutor(rawOptions: DockerBuildExecutorOptions, context: ExecutorContext): Promise<ExecutorResult> {
  return runLayerTask(rawOptions, context, NX_TASK_LOG);
}

/** One layer task, its messages to `log`: the docker-build executor and each task of its batch implementation. */
export async function runLayerTask(
  rawOptions: DockerBuildExecutorOptions,
  context: LayerTaskContext,
  log: TaskLog,
): Promise<ExecutorResult> {
  let options: ReturnType<typeof normalizeOptions>;
  try {
    options = normalizeOptions(rawOptions, context.root);
  } catch (error) {
    // The environment's trust settings (STRATA_TRUST) are checked here, before anything is touched.
    return failed(
      `${describeLayer(rawOptions)}: ${(error as Error).message}.\n  → set STRATA_TRUST to "trusted" (the trusted branches' CI jobs) or "untrusted", or leave it unset`,
      log,
    );
  }
  const project = context.projectName ?? 'unknown-project';
  const label = describeLayer(options);
  // Its own --dryRun, or a task of a command that asked for a dry run (the hook says so): nothing built, pushed or recorded.
  const dryRun = isDryRun(options);
  // A record says "this key was built": remove the old one first so a failed build can never leave one behind.
  if (!dryRun) rmSync(options.recordAbsolute, { force: true });
  const workdir = mkdtempSync(join(tmpdir(), 'nx-strata-build-'));
  try {
    const declared = graphOutputs(context.projectGraph);
    const prepared = await prepareLayer(
      options,
      project,
      label,
      declared,
      log,
      dryRun ? (own) => plannedParentImage(own, project, context.projectGraph, declared) : undefined,
    );
    if (!prepared.ok) return failed(prepared.message, log);
    const { parent, key, inputs } = prepared;
    const attestations = await resolveAttestations(options, log);
    const conflict = namespaceConflict(options.namespaces, options.image);
    if (conflict)
      return failed(
        `${label}: ${conflict}, so untrusted runs could write it.\n  → set the plugin option "untrustedRegistry" to a namespace of its own, or rename the image in ${options.configFile}`,
        log,
      );
    const caches = trustedCacheEntries(options, options.namespaces);
    if (!caches.ok)
      return failed(
        `${label}: ${caches.problem}.\n  → write registry caches as "type=registry,ref={registry}/<repo>:<tag>" (each run then reads and writes only where it may)`,
        log,
      );
    const plan = planBuild(
      { ...options, cacheFrom: caches.cacheFrom, cacheTo: caches.cacheTo },
      key.key,
      parent,
      join(workdir, 'metadata.json'),
      attestations,
      inputs.baseImage,
    );
    const started = Date.now();
    const check = await checkRegistry(options, key.key, parent, project, log);
    if (check.kind === 'fail') return failed(check.message, log);
    // Where the image is: a hit in the namespace it was found in (the trusted one, for an untrusted run), else where this run pushes.
    const where = check.kind === 'hit' ? { ...options, registry: check.namespace } : options;
    const located = check.kind === 'hit' ? planBuild(where, key.key, parent, plan.buildx.metadataFile) : plan;
    if (dryRun) {
      const what =
        check.kind === 'hit'
          ? `registry hit: ${located.tag} exists, nothing would be built`
          : `would run:\n${formatDockerCommand(options.host, buildxBuildArgs(plan.buildx))}`;
      const nxCache = describeNxCache(options.workspaceRoot, context.taskHash ?? process.env.NX_TASK_HASH);
      log.info(`nx-strata: dry run for ${label}, key ${key.key}; ${what}${nxCache ? `\n  ${nxCache}` : ''}`);
      return { success: true };
    }
    if (check.kind !== 'hit' && !(await isBuildxAvailable())) return failed(BUILDX_MISSING, log);
    if (check.kind === 'hit') {
      log.info(`nx-strata: registry hit for ${label}: ${located.tag} is already in the registry; nothing to build`);
    } else {
      log.info(`nx-strata: building ${label} → ${plan.tag}${parent ? ` on ${parent.ref}` : ''}`);
    }
    const built =
      check.kind === 'hit'
        ? check
        : await runBuild(plan, {
            cwd: options.workspaceRoot,
            label,
            registry: options.registry,
            host: options.host,
            log,
            pulledFromRegistry: check.kind === 'miss' && options.registry !== null,
          });
    if ('ok' in built && !built.ok) return failed(built.message, log);
    const ref = pinnedRef(located, where, built.digest);
    // A registry hit read the stats from the manifest it found; a build asks for them.
    const stats =
      check.kind === 'hit' ? check : options.registry ? await registryImageStats(ref) : await localImageStats(plan.tag, options.host);
    const durationMs = Date.now() - started;
    const result = check.kind === 'hit' ? 'registry-hit' : 'built';
    // Temp file and rename: a reader sees the old record or the whole new one, never half.
    writeJsonAtomically(
      options.recordAbsolute,
      layerRecordOf(where, {
        project,
        target: context.targetName ?? '',
        key,
        plan: located,
        parent,
        result,
        digest: built.digest,
        attestations,
        stats,
        durationMs,
      }),
    );
    // The digest alone, beside the record: what docker-test and docker-scan hash (a record carries times and result).
    writeTextAtomically(layerDigestPath(options.recordAbsolute), `${built.digest}\n`);
    if (result === 'built') log.info(`nx-strata: built ${label} in ${(durationMs / 1000).toFixed(1)} s → ${ref}`);
    return { success: true };
  } catch (error) {
    if (error instanceof StrataInputError || error instanceof ParentImageError) return failed(error.message, log);
    throw error;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
