import { SCAN_SEVERITIES, type ScanConfig, type ScanSeverity } from '../config/strata-config';
import { formatCommand } from '../engines/exec-command';

/**
 * The argv of `docker-scan`'s scanners, pure: the built-in trivy and grype templates (SARIF out, fail at a severity),
 * a custom command's placeholders, the version probe whose output keys the Nx cache, and how to install each.
 */

export type ScannerSetting = ScanConfig['scanner'];
export const DEFAULT_SCAN_SEVERITY: ScanSeverity = 'high';

/** What a scan fills into its scanner's argv. */
export interface ScanValues {
  /** `repo@sha256:...` in registry mode; the local content-addressed tag in local mode. */
  image: string;
  digest: string;
  platform: string;
  /** Absolute path where the scanner writes SARIF 2.1.0. */
  sarif: string;
  severity: ScanSeverity;
}

/** How messages name the scanner: `trivy`, `grype`, or a custom scanner's `name` (else its program). */
export function scannerName(scanner: ScannerSetting): string {
  return typeof scanner === 'string' ? scanner : (scanner.name ?? scanner.command[0]);
}

/** The program that is run: `trivy`, `grype`, or the custom command's first word (a name on PATH, or a path). */
export function scannerProgram(scanner: ScannerSetting): string {
  return typeof scanner === 'string' ? scanner : scanner.command[0];
}

/**
 * The scanner's argv. trivy: `--exit-code 1` with `--severity` from the threshold up; grype: `--fail-on <threshold>`
 * (it exits 2). Both write SARIF to `{sarif}` and scan the one platform of the image that was pulled by digest.
 */
export function scannerArgv(scanner: ScannerSetting, values: ScanValues): string[] {
  if (scanner === 'trivy')
    return [
      'trivy',
      'image',
      '--format',
      'sarif',
      '--output',
      values.sarif,
      '--severity',
      severitiesFrom(values.severity)
        .map((severity) => severity.toUpperCase())
        .join(','),
      '--exit-code',
      '1',
      '--platform',
      values.platform,
      values.image,
    ];
  if (scanner === 'grype')
    return [
      'grype',
      values.image,
      '--platform',
      values.platform,
      '--output',
      'sarif',
      '--file',
      values.sarif,
      '--fail-on',
      values.severity,
    ];
  return scanner.command.map((arg) =>
    arg.replace(/\{(image|digest|platform|sarif|severity)\}/g, (_, name: keyof ScanValues) => values[name]),
  );
}

/**
 * The commands whose output names the scanner's version and its vulnerability database's date: trivy prints both
 * with `--version`; grype prints its version and `grype db status` the database's build date. Undefined for a custom
 * scanner without `version`: its scans are never cached.
 */
export function scannerVersionCommands(scanner: ScannerSetting): string[][] | undefined {
  if (scanner === 'trivy') return [['trivy', '--version']];
  if (scanner === 'grype')
    return [
      ['grype', 'version'],
      ['grype', 'db', 'status'],
    ];
  return scanner.version ? [scanner.version] : undefined;
}

/**
 * The version probe as an Nx `runtime` input (a shell command Nx runs while hashing): the probe's output, or
 * `missing` when the scanner is not installed. It never exits non-zero, so a missing scanner fails its own task with
 * an install hint instead of the hashing of the whole run.
 */
export function scannerVersionRuntime(scanner: ScannerSetting): string | undefined {
  const commands = scannerVersionCommands(scanner);
  if (!commands) return undefined;
  return `(${commands.map((command) => formatCommand(command)).join(' && ')}) 2>/dev/null || echo missing`;
}

/** How to get the scanner, for the message when it is not installed. */
export function scannerInstallHint(scanner: ScannerSetting): string {
  if (scanner === 'trivy')
    return 'install trivy (https://trivy.dev/latest/getting-started/installation/): `brew install trivy`, the Debian/Ubuntu apt repository, or aquasecurity/setup-trivy in GitHub Actions';
  if (scanner === 'grype')
    return 'install grype (https://github.com/anchore/grype#installation): `brew install grype`, `curl -sSfL https://get.anchore.io/grype | sh -s -- -b /usr/local/bin`, or anchore/scan-action/download-grype in GitHub Actions';
  return scanner.install ?? `install ${scanner.command[0]}, or fix "scan.scanner.command" in strata.json`;
}

/** The severities at or above `threshold`, lowest first. */
export function severitiesFrom(threshold: ScanSeverity): ScanSeverity[] {
  return SCAN_SEVERITIES.slice(SCAN_SEVERITIES.indexOf(threshold));
}
