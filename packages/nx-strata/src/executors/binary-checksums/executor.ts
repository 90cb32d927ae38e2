import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import { isDryRun } from '../dry-run';
import type { BinaryChecksumsExecutorOptions } from './schema';

/** Writes `<sha256>  <file>` for every platform binary that exists (a skipped platform is named in the log). */
export default async function binaryChecksumsExecutor(
  options: BinaryChecksumsExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  if (isDryRun({})) {
    logger.info(`nx-strata: dry run for binary-checksums of "${options.name}": would write ${options.output}; nothing is written`);
    return { success: true };
  }
  const lines: string[] = [];
  for (const file of [...options.files].sort()) {
    const path = join(context.root, file);
    if (!existsSync(path)) {
      logger.warn(`nx-strata: ${file} does not exist (skipped on this host?); it is not in the checksums`);
      continue;
    }
    lines.push(`${await sha256(path)}  ${basename(file)}`);
  }
  if (lines.length === 0) {
    logger.error(`nx-strata: no binary of "${options.name}" exists to checksum.\n  → run binary-build first`);
    return { success: false };
  }
  const output = join(context.root, options.output);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(`${output}.tmp`, `${lines.join('\n')}\n`);
  renameSync(`${output}.tmp`, output);
  logger.info(`nx-strata: wrote ${options.output} (${lines.length} binar${lines.length === 1 ? 'y' : 'ies'})`);
  return { success: true };
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
