import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import { detectBinaryFormat, expectedArch, expectedFormat } from '../../binaries/binary-format';
import { canRunHere, hostPlatform } from '../../binaries/host';
import { parsePlatform } from '../../config/platforms';
import { execCommand, lastLines } from '../../engines/exec-command';
import { isDryRun } from '../dry-run';
import { failed } from '../executor-result';
import type { BinaryCheckExecutorOptions } from './schema';

/** Checks a binary's format, architecture, size and start-up; every failure names the budget and the measured figure. */
export default async function binaryCheckExecutor(
  options: BinaryCheckExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const label = `binary "${options.name}" (${options.platform})`;
  if (isDryRun({})) {
    logger.info(
      `nx-strata: dry run for binary-check of ${label}: would check ${options.output} (format, architecture, size, start-up); nothing is run`,
    );
    return { success: true };
  }
  const path = join(context.root, options.output);
  if (!existsSync(path)) {
    const record = readJson(join(context.root, options.record));
    if (record?.result === 'skipped') {
      logger.warn(`nx-strata: ${label} was skipped on this host (${String(record.reason)}); nothing to check`);
      return { success: true };
    }
    return failed(
      `${label}: no binary at ${options.output}.\n  → build it first: npx nx run ${context.projectName}:${context.targetName?.replace('binary-check', 'binary-build')}`,
    );
  }
  const { os, arch } = parsePlatform(options.platform);
  const found = detectBinaryFormat(readHeader(path));
  const wanted = { format: expectedFormat(os), arch: expectedArch(arch) };
  if (found.format !== wanted.format || (found.arch !== wanted.arch && found.arch !== 'universal')) {
    return failed(
      `${label}: ${options.output} is ${found.format} ${found.arch}, expected ${wanted.format} ${wanted.arch}.\n  → check the build's target settings (GOOS/GOARCH, --target) for this platform`,
    );
  }
  const size = statSync(path).size;
  const check = options.check ?? {};
  if (check.maxSizeBytes !== undefined && size > check.maxSizeBytes) {
    return failed(
      `${label}: ${size} bytes (${(size / 1e6).toFixed(2)} MB) is over its size budget of ${check.maxSizeBytes} bytes (${(check.maxSizeBytes / 1e6).toFixed(2)} MB).\n  → shrink it (strip symbols, -ldflags "-s -w", fewer dependencies) or raise check.maxSizeBytes`,
    );
  }
  const summary = [
    `${found.format} ${found.arch}`,
    `${size} bytes${check.maxSizeBytes !== undefined ? ` (budget ${check.maxSizeBytes})` : ''}`,
  ];

  if (check.smoke) {
    if (!canRunHere(options.platform)) {
      summary.push(`smoke run skipped: ${options.platform} binaries cannot run on this ${hostPlatform()} host`);
    } else {
      const runs = Math.max(1, check.runs ?? 5);
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = process.hrtime.bigint();
        const result = await execCommand(path, check.smoke, { timeoutMs: 60_000 });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (result.exitCode !== 0) {
          return failed(
            `${label}: the smoke run \`${[options.output, ...check.smoke].join(' ')}\` failed (${result.failedToStart ? result.failedToStart.message : `exit code ${result.exitCode}`}):\n${lastLines(`${result.stdout}\n${result.stderr}`, 8)}`,
          );
        }
        if (run === 0) logger.info(`nx-strata: ${options.name} ${check.smoke.join(' ')} → ${result.stdout.trim().split('\n')[0] ?? ''}`);
      }
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
      if (check.maxStartupMs !== undefined && median > check.maxStartupMs) {
        return failed(
          `${label}: median start-up ${median.toFixed(1)} ms over ${runs} runs is over its budget of ${check.maxStartupMs} ms (runs: ${times.map((t) => t.toFixed(1)).join(', ')} ms).\n  → make start-up cheaper or raise check.maxStartupMs`,
        );
      }
      summary.push(
        `smoke ok, median start-up ${median.toFixed(1)} ms over ${runs} runs${check.maxStartupMs !== undefined ? ` (budget ${check.maxStartupMs} ms)` : ''}`,
      );
    }
  }
  logger.info(`nx-strata: ${label} ok: ${summary.join('; ')}`);
  return { success: true };
}

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
