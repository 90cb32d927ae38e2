import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import { binaryTask, type BinaryTask } from '../../model/binary-task';
import { buildCapability } from '../../binaries/build-capability';
import { hostPlatform } from '../../binaries/host';
import { buildCommand } from '../../binaries/presets';
import { platformSlug } from '../../config/platforms';
import { execCommand, formatCommand, lastLines } from '../../engines/exec-command';
import { writeJsonAtomically } from '../../utils/write-json-atomically';
import { isDryRun } from '../dry-run';
import { failed } from '../executor-result';
import type { BinaryBuildExecutorOptions } from './schema';

/** Builds one binary for one platform. A failed build leaves no binary behind; a skipped one leaves a record saying so. */
export default async function binaryBuildExecutor(
  options: BinaryBuildExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const root = context.root;
  const task = toTask(options, context.projectName ?? 'unknown-project');
  const label = `binary "${task.name}" (${task.platform})`;
  const outputAbsolute = join(root, task.output);
  const dryRun = isDryRun(options);
  if (!dryRun) {
    rmSync(outputAbsolute, { force: true });
    rmSync(join(root, task.record), { force: true });
  }

  const capability = await buildCapability(task);
  if (!capability.ok) {
    if (task.config.onUnbuildable === 'skip') {
      logger.warn(`nx-strata: skipping ${label} on this ${hostPlatform()} host: ${capability.reason}`);
      if (!dryRun)
        writeJsonAtomically(join(root, task.record), {
          name: task.name,
          platform: task.platform,
          result: 'skipped',
          reason: capability.reason,
          host: hostPlatform(),
          builtAt: new Date().toISOString(),
        });
      return { success: true };
    }
    return failed(
      `${label} cannot be built on this ${hostPlatform()} host: ${capability.reason}.\n  → build it on a matching runner, or set "onUnbuildable": "skip" for binaries.${task.name} in ${task.configFile} (a skip is keyed on the host, so it is never restored elsewhere as a success)`,
    );
  }

  const scratch = posix.join(task.projectRoot, 'dist/bin/.scratch', `${task.name}-${platformSlug(task.platform)}-${process.pid}`);
  let command;
  try {
    command = buildCommand(task, scratch);
  } catch (error) {
    return failed(`${label}: ${(error as Error).message}`);
  }
  if (dryRun) {
    logger.info(
      `nx-strata: dry run for ${label}; would run in ${command.cwd} with ${
        Object.entries(command.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'no extra env'
      }:\n${formatCommand(command.argv)}`,
    );
    return { success: true };
  }

  rmSync(join(root, scratch), { recursive: true, force: true });
  mkdirSync(join(root, scratch), { recursive: true });
  try {
    logger.info(`nx-strata: building ${label} with ${task.config.preset}`);
    const started = Date.now();
    const result = await execCommand(command.argv[0], command.argv.slice(1), {
      cwd: join(root, command.cwd),
      env: { ...process.env, ...command.env },
      stream: true,
    });
    if (result.failedToStart)
      return failed(
        `${label}: could not start ${command.argv[0]} (${result.failedToStart.message}).\n  → install it and make sure it is on PATH`,
      );
    if (result.exitCode !== 0) {
      return failed(
        `${label}: ${task.config.preset} build failed (exit code ${result.exitCode}); no binary was written.\n  command: ${formatCommand(command.argv)}\n${indent(lastLines(`${result.stdout}\n${result.stderr}`))}`,
      );
    }
    const artifact = join(root, command.artifact);
    if (!existsSync(artifact))
      return failed(
        `${label}: the build succeeded but left no binary at ${command.artifact}.\n  → for the ${task.config.preset} preset, make the build write it there`,
      );
    mkdirSync(join(root, posix.dirname(task.output)), { recursive: true });
    const temporary = `${outputAbsolute}.${process.pid}.tmp`;
    copyFileSync(artifact, temporary);
    chmodSync(temporary, 0o755);
    renameSync(temporary, outputAbsolute);
    const sizeBytes = statSync(outputAbsolute).size;
    const durationMs = Date.now() - started;
    writeJsonAtomically(join(root, task.record), {
      name: task.name,
      platform: task.platform,
      preset: task.config.preset,
      result: 'built',
      output: task.output,
      sizeBytes,
      durationMs,
      host: hostPlatform(),
      builtAt: new Date().toISOString(),
    });
    logger.info(`nx-strata: built ${label} → ${task.output} (${(sizeBytes / 1e6).toFixed(1)} MB) in ${(durationMs / 1000).toFixed(1)} s`);
    return { success: true };
  } finally {
    rmSync(join(root, scratch), { recursive: true, force: true });
  }
}

/** The (binary, platform) this target builds; its output and record paths are the ones the target declares. */
export function toTask(options: BinaryBuildExecutorOptions, project: string): BinaryTask {
  return {
    ...binaryTask(
      { project, projectRoot: options.projectRoot, configFile: options.configFile },
      options.name,
      options.binary,
      options.platform,
    ),
    output: options.output,
    record: options.record,
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
