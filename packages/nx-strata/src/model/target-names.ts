import { posix } from 'node:path';
import { platformFromSlug, platformSlug } from '../config/platforms';
import { StrataInputError } from '../config/strata-error';

/**
 * Every name nx-strata gives a target or a record file, built and parsed in this one place. Parts are joined with `--`,
 * which no part may contain (layer, variant and binary names allow single `-` only; platform slugs are `linux-arm-v7`).
 *
 * | kind              | name                                            |
 * |-------------------|-------------------------------------------------|
 * | layer             | `docker-build--<variant>--<layer>--<os>-<arch>` (no variant part without variants) |
 * | platform          | `docker-build--<os>-<arch>`                     |
 * | build             | `docker-build`                                  |
 * | publish           | `docker-publish--<variant>`, or `docker-publish` without variants |
 * | publish-all       | `docker-publish` (with variants)                |
 * | binary-build      | `binary-build--<name>--<os>-<arch>`             |
 * | binary-check      | `binary-check--<name>--<os>-<arch>`             |
 * | binary-checksums  | `binary-checksums--<name>`                      |
 * | binary aggregates | `binary-build`, `binary-check`, `binary-checksums` |
 * | layer test        | `docker-test--<variant>--<layer>--<os>-<arch>` (no variant part without variants) |
 * | platform tests    | `docker-test--<os>-<arch>`                      |
 * | test aggregate    | `docker-test`                                   |
 * | lint              | `docker-lint` (one per image project)           |
 * | layer scan        | `docker-scan--<variant>--<layer>--<os>-<arch>` (no variant part without variants) |
 * | platform scans    | `docker-scan--<os>-<arch>`                      |
 * | scan aggregate    | `docker-scan`                                   |
 */
export interface TargetNaming {
  /** The aggregate build target and prefix of the layer and platform targets. @default "docker-build" */
  buildTargetName: string;
  /** The publish target(s). @default "docker-publish" */
  publishTargetName: string;
}

const SEPARATOR = '--';
export const BINARY_BUILD = 'binary-build';
export const BINARY_CHECK = 'binary-check';
export const BINARY_CHECKSUMS = 'binary-checksums';
export const DOCKER_TEST = 'docker-test';
export const DOCKER_LINT = 'docker-lint';
export const DOCKER_SCAN = 'docker-scan';
/** First parts of target names that nx-strata gives its own fixed-name targets. */
const FIXED_NAMES = [BINARY_BUILD, BINARY_CHECK, BINARY_CHECKSUMS, DOCKER_TEST, DOCKER_LINT, DOCKER_SCAN];

export type ParsedTargetName =
  | { kind: 'layer'; variant?: string; layer: string; platform: string }
  | { kind: 'platform'; platform: string }
  | { kind: 'build' }
  | { kind: 'publish'; variant?: string }
  | { kind: 'binary-build' | 'binary-check'; binary: string; platform: string }
  | { kind: 'binary-checksums'; binary: string }
  | { kind: 'binary-aggregate'; target: typeof BINARY_BUILD | typeof BINARY_CHECK | typeof BINARY_CHECKSUMS }
  | { kind: 'layer-test'; variant?: string; layer: string; platform: string }
  | { kind: 'test-aggregate' }
  | { kind: 'test-platform'; platform: string }
  | { kind: 'lint' }
  | { kind: 'layer-scan'; variant?: string; layer: string; platform: string }
  | { kind: 'scan-aggregate' }
  | { kind: 'scan-platform'; platform: string };

/** `docker-build--cpu--base--linux-amd64`, or `docker-build--base--linux-amd64` without variants. */
export function layerTargetName(
  naming: Pick<TargetNaming, 'buildTargetName'>,
  variant: string | undefined,
  layer: string,
  platform: string,
): string {
  return join(naming.buildTargetName, variant, layer, platformSlug(platform));
}

/** `docker-build--linux-arm64`: every layer of every variant for one platform. */
export function platformTargetName(naming: Pick<TargetNaming, 'buildTargetName'>, platform: string): string {
  return join(naming.buildTargetName, platformSlug(platform));
}

/** `docker-publish--cpu`, or `docker-publish` for a family without variants (and for the aggregate of all variants). */
export function publishTargetName(naming: Pick<TargetNaming, 'publishTargetName'>, variant: string | undefined): string {
  return join(naming.publishTargetName, variant);
}

/** `docker-test--cpu--app--linux-amd64`, or `docker-test--app--linux-amd64` without variants. */
export function layerTestTargetName(variant: string | undefined, layer: string, platform: string): string {
  return join(DOCKER_TEST, variant, layer, platformSlug(platform));
}

/** `docker-test--linux-arm64`: every layer test of the project for one platform (what one CI job runs). */
export function platformTestTargetName(platform: string): string {
  return join(DOCKER_TEST, platformSlug(platform));
}

/** `docker-scan--cpu--app--linux-amd64`, or `docker-scan--app--linux-amd64` without variants. */
export function layerScanTargetName(variant: string | undefined, layer: string, platform: string): string {
  return join(DOCKER_SCAN, variant, layer, platformSlug(platform));
}

/** `docker-scan--linux-arm64`: every layer scan of the project for one platform. */
export function platformScanTargetName(platform: string): string {
  return join(DOCKER_SCAN, platformSlug(platform));
}

export function binaryBuildTargetName(binary: string, platform: string): string {
  return join(BINARY_BUILD, binary, platformSlug(platform));
}

export function binaryCheckTargetName(binary: string, platform: string): string {
  return join(BINARY_CHECK, binary, platformSlug(platform));
}

export function binaryChecksumsTargetName(binary: string): string {
  return join(BINARY_CHECKSUMS, binary);
}

/**
 * What a target name is, or undefined when it is not one of nx-strata's. `docker-publish` without a variant part is
 * `{ kind: 'publish' }` whether it publishes a family without variants or every variant.
 */
export function parseTargetName(naming: TargetNaming, name: string): ParsedTargetName | undefined {
  const parts = name.split(SEPARATOR);
  const [head, ...rest] = parts;
  if (parts.some((part) => part === '')) return undefined;
  if (head === naming.buildTargetName) {
    if (rest.length === 0) return { kind: 'build' };
    if (rest.length === 1) return { kind: 'platform', platform: platformFromSlug(rest[0]) };
    if (rest.length === 2) return { kind: 'layer', layer: rest[0], platform: platformFromSlug(rest[1]) };
    if (rest.length === 3) return { kind: 'layer', variant: rest[0], layer: rest[1], platform: platformFromSlug(rest[2]) };
    return undefined;
  }
  if (head === naming.publishTargetName) {
    if (rest.length === 0) return { kind: 'publish' };
    return rest.length === 1 ? { kind: 'publish', variant: rest[0] } : undefined;
  }
  if (head === BINARY_BUILD || head === BINARY_CHECK) {
    if (rest.length === 0) return { kind: 'binary-aggregate', target: head };
    return rest.length === 2 ? { kind: head, binary: rest[0], platform: platformFromSlug(rest[1]) } : undefined;
  }
  if (head === DOCKER_LINT) return rest.length === 0 ? { kind: 'lint' } : undefined;
  if (head === DOCKER_TEST) {
    if (rest.length === 0) return { kind: 'test-aggregate' };
    if (rest.length === 1) return { kind: 'test-platform', platform: platformFromSlug(rest[0]) };
    if (rest.length === 2) return { kind: 'layer-test', layer: rest[0], platform: platformFromSlug(rest[1]) };
    if (rest.length === 3) return { kind: 'layer-test', variant: rest[0], layer: rest[1], platform: platformFromSlug(rest[2]) };
    return undefined;
  }
  if (head === DOCKER_SCAN) {
    if (rest.length === 0) return { kind: 'scan-aggregate' };
    if (rest.length === 1) return { kind: 'scan-platform', platform: platformFromSlug(rest[0]) };
    if (rest.length === 2) return { kind: 'layer-scan', layer: rest[0], platform: platformFromSlug(rest[1]) };
    if (rest.length === 3) return { kind: 'layer-scan', variant: rest[0], layer: rest[1], platform: platformFromSlug(rest[2]) };
    return undefined;
  }
  if (head === BINARY_CHECKSUMS) {
    if (rest.length === 0) return { kind: 'binary-aggregate', target: head };
    return rest.length === 1 ? { kind: 'binary-checksums', binary: rest[0] } : undefined;
  }
  return undefined;
}

/**
 * The plugin options that name targets (`buildTargetName`, `publishTargetName`) must be usable as the first part of a
 * name: no `--` (names could not be parsed back), not empty, not a binary target's name, not each other.
 * Throws a StrataInputError naming nx.json and the option.
 */
export function checkTargetNaming(naming: TargetNaming): void {
  for (const option of ['buildTargetName', 'publishTargetName'] as const) {
    const problem = targetNameOptionProblem(option, naming[option]);
    if (problem)
      throw new StrataInputError({
        file: 'nx.json',
        problem: `the nx-strata plugin option ${problem}`,
        hint: `use a name such as "${option === 'buildTargetName' ? 'docker-build' : 'docker-publish'}" (single "-" only)`,
      });
  }
  if (naming.buildTargetName === naming.publishTargetName) {
    throw new StrataInputError({
      file: 'nx.json',
      problem: `the nx-strata plugin options buildTargetName and publishTargetName are both "${naming.buildTargetName}"`,
      hint: 'give them different names',
    });
  }
}

function targetNameOptionProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(value))
    return `"${option}" must be a target name such as "docker-build"; got ${JSON.stringify(value)}`;
  if (value.includes(SEPARATOR))
    return `"${option}" (${JSON.stringify(value)}) must not contain "--": nx-strata joins the parts of its target names with it`;
  if (FIXED_NAMES.includes(value)) return `"${option}" (${JSON.stringify(value)}) is the name of other nx-strata targets`;
  return undefined;
}

/**
 * Where a layer's build record lives: `<recordsDir>/<project root>/<variant>/<layer>/<os>-<arch>.json`. Keyed on the
 * directory of strata.json, never on the project name (which another plugin may give the project).
 */
export function layerRecordPath(recordsDir: string, projectRoot: string, variant: string, layer: string, platform: string): string {
  return posix.join(recordsDir, projectRoot, variant, layer, `${platformSlug(platform)}.json`);
}

/** Beside a layer's record: `<os>-<arch>.digest`, the recorded digest alone (what `docker-test` hashes). */
export function layerDigestPath(recordPath: string): string {
  return recordPath.replace(/\.json$/, '.digest');
}

/** Beside a layer's record: `<os>-<arch>.tested.json`, what `docker-test` verified on which digest. */
export function layerTestResultPath(recordPath: string): string {
  return recordPath.replace(/\.json$/, '.tested.json');
}

/** Beside a layer's record: `<os>-<arch>.scan.sarif`, the SARIF log `docker-scan`'s scanner wrote. */
export function layerScanSarifPath(recordPath: string): string {
  return recordPath.replace(/\.json$/, '.scan.sarif');
}

/** Beside a layer's record: `<os>-<arch>.scanned.json`, which scanner passed which digest. */
export function layerScanResultPath(recordPath: string): string {
  return recordPath.replace(/\.json$/, '.scanned.json');
}

/** `<recordsDir>/<project root>/lint.sarif`: docker-lint's SARIF log (a declared output). */
export function lintSarifPath(recordsDir: string, projectRoot: string): string {
  return posix.join(recordsDir, projectRoot, 'lint.sarif');
}

/** `<recordsDir>/<project root>/<variant>/publish.json`. */
export function publishRecordPath(recordsDir: string, projectRoot: string, variant: string): string {
  return posix.join(recordsDir, projectRoot, variant, 'publish.json');
}

/** `<project root>/dist/bin/<name>-<os>-<arch>[.exe]`: where a binary is built to. */
export function binaryOutputPath(projectRoot: string, binary: string, platform: string): string {
  return posix.join(projectRoot, 'dist/bin', `${binary}-${platformSlug(platform)}${platform.startsWith('windows/') ? '.exe' : ''}`);
}

/** `<project root>/dist/bin/.records/<name>-<os>-<arch>.json`: a binary's build record. */
export function binaryRecordPath(projectRoot: string, binary: string, platform: string): string {
  return posix.join(projectRoot, 'dist/bin/.records', `${binary}-${platformSlug(platform)}.json`);
}

function join(...parts: Array<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join(SEPARATOR);
}

/** The target `nx release publish` runs on every project of a release (Nx's name). */
export const NX_RELEASE_PUBLISH = 'nx-release-publish';
