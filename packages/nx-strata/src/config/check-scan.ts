import { checkKeys, checkOptionalBoolean, checkOptionalInteger, checkOptionalString, isObject, type Fail } from './config-checks';
import { formatJsonPath, type JsonPath } from './json-source';
import { SCAN_SEVERITIES } from './strata-config';

const PLACEHOLDERS = ['image', 'digest', 'platform', 'sarif', 'severity'];

/**
 * Checks `scan` settings (`docker-scan`). A layer's are merged key by key over the top-level ones, so it may leave out
 * any key the top level gives; `needsScanner` is false only then. Every problem names its key.
 */
export function checkScan(value: unknown, at: JsonPath, fail: Fail, needsScanner: boolean): void {
  if (value === undefined) return;
  const where = formatJsonPath(at);
  if (!isObject(value)) fail(at, `"${where}" must be an object, e.g. { "scanner": "trivy", "severity": "high" }`);
  checkKeys(value, ['enabled', 'scanner', 'severity', 'timeoutMs'], at, fail);
  checkOptionalBoolean(value.enabled, [...at, 'enabled'], fail);
  checkOptionalInteger(value.timeoutMs, [...at, 'timeoutMs'], fail, 1);
  if (value.severity !== undefined && !(SCAN_SEVERITIES as readonly string[]).includes(value.severity as string))
    fail([...at, 'severity'], `"${where}.severity" must be one of ${SCAN_SEVERITIES.map((severity) => `"${severity}"`).join(', ')}`);
  const scanner = value.scanner;
  if (scanner === undefined) {
    if (needsScanner && value.enabled !== false)
      fail(at, `"${where}" needs "scanner"`, 'use "trivy", "grype", or { "command": [...], "version": [...] }');
    return;
  }
  if (scanner === 'trivy' || scanner === 'grype') return;
  const scannerAt = [...at, 'scanner'];
  if (!isObject(scanner))
    fail(
      scannerAt,
      `"${formatJsonPath(scannerAt)}" must be "trivy", "grype" or { "command": [...] }`,
      'e.g. { "command": ["my-scan", "{image}", "--sarif", "{sarif}"] }',
    );
  checkKeys(scanner, ['command', 'version', 'install', 'name'], scannerAt, fail);
  for (const key of ['command', 'version'] as const) {
    const argv = scanner[key];
    if (argv === undefined && key === 'version') continue;
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((arg) => typeof arg !== 'string') || argv[0] === '')
      fail(
        [...scannerAt, key],
        `"${formatJsonPath([...scannerAt, key])}" must be a non-empty argument list such as ["my-scan", "--version"]`,
      );
  }
  const command = scanner.command as string[];
  for (const arg of command)
    for (const [, name] of arg.matchAll(/\{([^{}]*)\}/g))
      if (!PLACEHOLDERS.includes(name))
        fail(
          [...scannerAt, 'command'],
          `"${formatJsonPath([...scannerAt, 'command'])}" has an unknown placeholder "{${name}}"`,
          `use ${PLACEHOLDERS.map((placeholder) => `{${placeholder}}`).join(', ')}`,
        );
  if (!command.some((arg) => arg.includes('{sarif}')))
    fail(
      [...scannerAt, 'command'],
      `"${formatJsonPath([...scannerAt, 'command'])}" must pass {sarif}: nx-strata reads the findings from the SARIF file the scanner writes there`,
    );
  if (!command.some((arg) => arg.includes('{image}') || arg.includes('{digest}')))
    fail([...scannerAt, 'command'], `"${formatJsonPath([...scannerAt, 'command'])}" must pass {image} or {digest}: the image to scan`);
  checkOptionalString(scanner.install, [...scannerAt, 'install'], fail);
  checkOptionalString(scanner.name, [...scannerAt, 'name'], fail);
}
