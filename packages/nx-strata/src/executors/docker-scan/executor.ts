import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { dockerClientEnv } from '../../engines/docker-host';
import { execCommand, formatCommand, lastLines } from '../../engines/exec-command';
import { layerScanResultPath, layerScanSarifPath } from '../../model/target-names';
import { findProgram } from '../../scan/find-program';
import { formatFindings, readSarifFindings } from '../../scan/sarif-findings';
import {
  DEFAULT_SCAN_SEVERITY,
  scannerArgv,
  scannerInstallHint,
  scannerName,
  scannerProgram,
  scannerVersionCommands,
  type ScannerSetting,
} from '../../scan/scanner-command';
import { writeJsonAtomically } from '../../utils/write-json-atomically';
import { isDryRun } from '../dry-run';
import { failed, type ExecutorResult } from '../executor-result';
import {
  describeImageUnderTest,
  imageUnderTest,
  recordedLayerHost,
  recordedLayerLabel,
  recordedLayerNamespaces,
  verifiedImageFields,
} from '../recorded-image';
import { NX_TASK_LOG, type TaskLog } from '../task-log';
import type { DockerScanExecutorOptions } from './schema';

export const SCAN_RESULT_SCHEMA_VERSION = 1;
const DEFAULT_SCAN_TIMEOUT_MS = 30 * 60_000;
const VERSION_TIMEOUT_MS = 60_000;

/**
 * Scans the exact image a layer build recorded (pulled by digest on the platform's build host; the local
 * content-addressed tag in local mode) with the configured scanner, which writes SARIF beside the record. Passes only
 * when the scanner exits 0 and its SARIF log reads; writes `<platform>.scanned.json` only then.
 */
export default async function dockerScanExecutor(
  options: DockerScanExecutorOptions,
  context: ExecutorContext,
  log: TaskLog = NX_TASK_LOG,
): Promise<ExecutorResult> {
  const host = recordedLayerHost(options);
  const label = recordedLayerLabel(options);
  const scanner = options.scan.scanner;
  const name = scannerName(scanner);
  if (isDryRun({})) {
    log.info(
      `nx-strata: dry run for docker-scan of ${label}: would scan the image ${options.buildTarget} records with ${name}; nothing is run`,
    );
    return { success: true };
  }
  const sarifPath = join(context.root, layerScanSarifPath(options.record));
  const resultPath = join(context.root, layerScanResultPath(options.record));
  // Nothing from an earlier scan may stand for this one.
  rmSync(sarifPath, { force: true });
  rmSync(resultPath, { force: true });
  const program = scannerProgram(scanner);
  const severity = options.scan.severity ?? DEFAULT_SCAN_SEVERITY;
  const notInstalled = () =>
    failed(
      `docker-scan of ${label}: the scanner "${name}" is not installed here (${program} not found${program.includes('/') ? '' : ' on PATH'}); nothing was scanned.\n  → ${scannerInstallHint(scanner)}`,
      log,
    );
  if (!findProgram(program, context.root)) return notInstalled();

  const version = await scannerVersion(scanner, context.root);
  const image = await imageUnderTest(
    context.root,
    options.record,
    options.platform,
    host,
    `npx nx run ${context.projectName}:${options.buildTarget}`,
    recordedLayerNamespaces(options),
  );
  if ('problem' in image) return failed(`docker-scan of ${label}: ${image.problem}`, log);
  const under = describeImageUnderTest(image, options.platform, host);
  log.info(`nx-strata: scanning ${label} with ${name} (${version.split('\n')[0]}), failing at ${severity} or above: ${under}`);

  mkdirSync(dirname(sarifPath), { recursive: true });
  const argv = scannerArgv(scanner, { image: image.ref, digest: image.digest, platform: options.platform, sarif: sarifPath, severity });
  const timeoutMs = options.scan.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
  const run = await execCommand(argv[0], argv.slice(1), { cwd: context.root, env: dockerClientEnv(host), timeoutMs });
  if (run.failedToStart) return notInstalled();
  const output = lastLines(`${run.stdout}\n${run.stderr}`, 8);
  const where = `${image.ref} (digest ${image.digest}, ${options.platform})`;
  if (run.timedOut)
    return failed(
      `docker-scan of ${label}: ${name} did not finish within ${timeoutMs} ms on ${where}.\n  → raise "scan.timeoutMs" in strata.json, or check that the scanner can reach its database`,
      log,
    );
  const sarifShown = relative(context.root, sarifPath);
  if (!existsSync(sarifPath))
    return failed(
      `docker-scan of ${label}: ${name} exited ${run.exitCode} on ${where} and wrote no SARIF log at ${sarifShown}:\n${output}\n  → run it by hand: ${formatCommand(argv)}`,
      log,
    );
  const read = readSarifFindings(readFileSync(sarifPath, 'utf8'));
  if ('problem' in read)
    return failed(
      `docker-scan of ${label}: the SARIF log ${name} wrote at ${sarifShown} cannot be read: ${read.problem}.\n  → run it by hand: ${formatCommand(argv)}`,
      log,
    );
  const { findings } = read;
  if (run.exitCode !== 0) {
    if (findings.length === 0)
      return failed(
        `docker-scan of ${label}: ${name} exited ${run.exitCode} on ${where} with no findings in its SARIF log: the scanner itself failed:\n${output}\n  → run it by hand: ${formatCommand(argv)}`,
        log,
      );
    return failed(
      `docker-scan of ${label} failed on ${where}: ${name} found ${findings.length} finding${findings.length === 1 ? '' : 's'} and exited ${run.exitCode} (threshold: ${severity}):\n${formatFindings(findings)}\n  SARIF in ${sarifShown}\n  → fix them (update the package or the base image), or change "scan.severity" in strata.json`,
      log,
    );
  }
  writeJsonAtomically(resultPath, {
    schemaVersion: SCAN_RESULT_SCHEMA_VERSION,
    ...verifiedImageFields(options, image),
    scanner: name,
    scannerVersion: version,
    severity,
    findings: findings.length,
    scannedAt: new Date().toISOString(),
  });
  log.info(
    `nx-strata: ${label} passed ${name} on ${image.ref}: ${findings.length ? `${findings.length} finding${findings.length === 1 ? '' : 's'} below ${severity}` : 'no findings'}; SARIF in ${sarifShown}`,
  );
  return { success: true };
}

/** What the scanner's version commands print (the same text the Nx cache is keyed on), or why there is none. */
async function scannerVersion(scanner: ScannerSetting, cwd: string): Promise<string> {
  const commands = scannerVersionCommands(scanner);
  if (!commands) return 'version unknown: no "version" command, so this scan is never cached';
  const printed: string[] = [];
  for (const [file, ...args] of commands) {
    const run = await execCommand(file, args, { cwd, timeoutMs: VERSION_TIMEOUT_MS });
    printed.push((run.exitCode === 0 ? run.stdout : `${formatCommand([file, ...args])} failed`).trim());
  }
  return printed.join('\n');
}
