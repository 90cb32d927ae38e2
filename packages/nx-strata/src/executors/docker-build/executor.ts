import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { StrataInputError } from '../../config/strata-error';
import { analyzeDockerfile } from '../../dockerfile/analyze-dockerfile';
import { parseDockerfile } from '../../dockerfile/parse-dockerfile';
import { buildxBuildArgs, isBuildxAvailable, localImageSize, parseBuildMetadata, registryImageSize, resolveImageDigest, runDocker } from '../../engines/buildx';
import { diagnoseDockerFailure } from '../../engines/docker-diagnosis';
import { formatCommand, lastLines } from '../../engines/exec-command';
import { computeTaskKey } from '../../hash/compute-task-key';
import { FileHasher } from '../../hash/file-hasher';
import { removeRecord, writeRecordAtomically, type LayerRecord } from './lib/layer-record';
import { contentTag, layerRepository, normalizeOptions, type NormalizedDockerBuildOptions } from './lib/normalize-options';
import { ParentImageError, resolveParentImage } from './lib/parent-image';
import type { DockerBuildExecutorOptions } from './schema';

/** Builds one layer for one platform; writes its record only when the image exists. */
export default async function dockerBuildExecutor(rawOptions: DockerBuildExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const options = normalizeOptions(rawOptions, context.root);
  const project = context.projectName ?? 'unknown-project';
  const label = `${options.layer} (${options.variant}, ${options.platform})`;
  // A record says "this key was built": remove the old one first so a failed build can never leave one behind.
  if (!options.dryRun) removeRecord(options.recordAbsolute);

  try {
    if (!(await isBuildxAvailable())) {
      return fail(`nx-strata needs the docker buildx plugin and \`docker buildx version\` failed.\n  → install it: https://docs.docker.com/build/install-buildx/ (on Debian/Ubuntu: the docker-buildx package; this repository: tools/env/setup-machine.sh)`);
    }
    const parent = await resolveParentImage(options, project);
    const hasher = await FileHasher.create();
    const baseImages = options.pinBaseImages ? await resolveBaseImages(options) : [];
    const { inputs, key } = computeTaskKey(options, {
      workspaceRoot: options.workspaceRoot,
      parentKey: parent?.key ?? null,
      hasher,
      excluded: options.excludedInputs,
      extra: baseImages.map((image) => `image ${image.ref}=${image.digest}`),
    });
    inputs.warnings.forEach((warning) => logger.warn(`nx-strata: ${warning}`));
    if (inputs.missing.length) {
      return fail(`${label}: ${options.dockerfile} reads ${inputs.missing.map((path) => `"${path}"`).join(', ')} from the build context "${options.context}", which has no such file (or .dockerignore excludes it).\n  → add the file, fix the COPY/ADD source, or fix "context" in ${options.configFile}`);
    }

    const repository = layerRepository(options);
    const tag = `${repository}:${contentTag(key.key)}`;
    const workdir = mkdtempSync(join(tmpdir(), 'nx-strata-build-'));
    const metadataFile = join(workdir, 'metadata.json');
    const argv = buildxBuildArgs({
      dockerfile: options.dockerfile,
      context: options.context,
      platform: options.platform,
      tags: [tag],
      buildArgs: parent ? { ...options.args, [options.parentArg]: parent.ref } : options.args,
      target: options.target,
      builder: options.builder,
      output: options.registry ? 'push' : 'load',
      metadataFile,
      cacheFrom: options.cacheFrom,
      cacheTo: options.cacheTo,
      secrets: options.secrets,
      provenance: options.provenance,
      pull: options.pull,
      noCache: options.noCache,
      progress: options.progress,
    });
    if (options.dryRun) {
      logger.info(`nx-strata: dry run for ${label}, key ${key.key}; would run:\ndocker ${formatCommand(argv)}`);
      rmSync(workdir, { recursive: true, force: true });
      return { success: true };
    }

    logger.info(`nx-strata: building ${label} → ${tag}${parent ? ` on ${parent.ref}` : ''}`);
    const started = Date.now();
    try {
      const result = await runDocker(argv, { stream: true, cwd: options.workspaceRoot });
      if (result.failedToStart) return fail(`${label}: could not start docker (${result.failedToStart.message}).\n  → install the Docker CLI and make sure \`docker\` is on PATH`);
      if (result.exitCode !== 0) {
        const diagnosis = diagnoseDockerFailure(result.stderr, { registry: options.registry });
        return fail(
          `${label}: docker buildx build failed (${result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`}).\n` +
            `  command: docker ${formatCommand(argv)}\n${indent(lastLines(result.stderr))}\n  → ${diagnosis.hint}`,
        );
      }
      const metadata = parseBuildMetadata(readFileSync(metadataFile, 'utf8'));
      if (!metadata.digest) return fail(`${label}: the build finished but ${metadataFile} has no containerimage.digest; nothing was recorded.`);
      const pinned = options.registry ? `${repository}@${metadata.digest}` : tag;
      const record: LayerRecord = {
        schemaVersion: 1,
        project,
        target: context.targetName ?? '',
        variant: options.variant,
        layer: options.layer,
        platform: options.platform,
        key: key.key,
        digest: metadata.digest,
        refs: options.registry ? [tag, pinned] : [tag],
        parentRef: pinned,
        mode: options.registry ? 'registry' : 'local',
        registry: options.registry,
        parent: parent ? { target: parent.target, key: parent.key, ref: parent.ref } : null,
        dockerfile: options.dockerfile,
        context: options.context,
        args: options.args,
        inputs: key.files,
        dockerfileHash: key.dockerfileHash,
        durationMs: Date.now() - started,
        sizeBytes: options.registry ? await registryImageSize(pinned) : await localImageSize(tag),
        builtAt: new Date().toISOString(),
      };
      writeRecordAtomically(options.recordAbsolute, record);
      logger.info(`nx-strata: built ${label} in ${(record.durationMs / 1000).toFixed(1)} s → ${pinned}`);
      return { success: true };
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  } catch (error) {
    if (error instanceof StrataInputError || error instanceof ParentImageError) return fail(error.message);
    throw error;
  }
}

/** Digests of the external images this Dockerfile starts from by tag (pinBaseImages). */
async function resolveBaseImages(options: NormalizedDockerBuildOptions): Promise<Array<{ ref: string; digest: string }>> {
  const model = parseDockerfile(readFileSync(join(options.workspaceRoot, options.dockerfile), 'utf8'), options.dockerfile);
  const analysis = analyzeDockerfile(model, { buildArgs: options.args, target: options.target, platform: options.platform, parentArg: options.parentArg });
  const refs = [...new Set(analysis.externalImages.filter((image) => !image.pinned).map((image) => image.ref))];
  const resolved = [];
  for (const ref of refs) {
    const digest = await resolveImageDigest(ref);
    if (digest) resolved.push({ ref, digest });
    else logger.warn(`nx-strata: pinBaseImages: could not resolve ${ref} to a digest (not in a reachable registry nor the local engine); it is keyed by its tag only`);
  }
  return resolved;
}

function fail(message: string): { success: false } {
  logger.error(`nx-strata: ${message}`);
  return { success: false };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

