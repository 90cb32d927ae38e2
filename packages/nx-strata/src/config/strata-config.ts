/**
 * The shape of a `strata.json` file: one image family, its layers, platforms and variants.
 * Every path is relative to the directory that holds the strata.json file.
 * The JSON Schema users point `$schema` at is `strata.schema.json` at the package root.
 */
/** The file that declares an image family: Nx hands the plugin every file matching this, and the CLI reads the same list. */
export const STRATA_CONFIG_GLOB = '**/strata.json';

export interface StrataConfig {
  $schema?: string;
  /** Nx project name. @default the directory name of strata.json (or the last segment of `image` at the workspace root) */
  project?: string;
  /** Image repository path, without registry: `acme/vision`. Layers are pushed as `<registry>/<image>/<layer>`. Required with `layers`. */
  image: string;
  /** Default build context for every layer. @default "." */
  context?: string;
  /** Default platforms, e.g. `["linux/amd64", "linux/arm64"]`. @default ["linux/amd64"] */
  platforms?: string[];
  /** Build args passed to every layer. */
  args?: Record<string, string>;
  /**
   * The layers, by name. A layer's parent is built first and passed in through `parentArg`.
   * A string is a directory: `"api": "apps/api"` is `{ "dockerfile": "apps/api/Dockerfile", "context": "apps/api" }`.
   */
  layers: Record<string, LayerConfig>;
  /** Variants (e.g. cpu, cuda). Without it there is one implicit variant and target names omit it. */
  variants?: Record<string, VariantConfig>;
  /** How `docker-publish` assembles and copies multi-arch manifests. */
  publish?: PublishConfig;
  /** Standalone binaries built per platform (a strata.json may declare only binaries). */
  binaries?: Record<string, BinaryConfig>;
  /** `docker-lint`: rule severities and images exempt from the base-image rules. */
  lint?: LintConfig;
  /** `docker-scan`: the vulnerability scanner run on the exact digest of every published layer, per platform. */
  scan?: ScanConfig;
}

/** Severities a scan can fail on, lowest first. */
export const SCAN_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ScanSeverity = (typeof SCAN_SEVERITIES)[number];

export interface ScanConfig {
  /** false: no docker-scan target (e.g. for one layer under a top-level `scan`). @default true */
  enabled?: boolean;
  /** `"trivy"`, `"grype"` (built-in argv templates with SARIF output), or your own command. */
  scanner: 'trivy' | 'grype' | CustomScannerConfig;
  /** Findings at or above this severity fail the scan (`{severity}` in a custom command). @default "high" */
  severity?: ScanSeverity;
  /** How long the scanner may run. @default 1800000 (30 minutes) */
  timeoutMs?: number;
}

/** A scanner of your own: nx-strata expands the placeholders, runs it, and reads the SARIF it writes. */
export interface CustomScannerConfig {
  /**
   * The scanner's argv; placeholders `{image}` (`repo@sha256:...`, or the local tag in local mode), `{digest}`,
   * `{platform}`, `{sarif}` (where it must write SARIF 2.1.0) and `{severity}`. A non-zero exit fails the scan.
   */
  command: string[];
  /**
   * An argv printing the scanner's version and its vulnerability database's date. With it, a scan is cached on the
   * digest, this output and the settings; without it, docker-scan is never cached (a cached pass must not hide new CVEs).
   */
  version?: string[];
  /** How to install the scanner, printed when `command[0]` is not found. */
  install?: string;
  /** How messages name the scanner. @default command[0] */
  name?: string;
}

/** The ids of docker-lint's rules (the rules themselves are in `lint/lint-rules.ts`). */
export const LINT_RULE_IDS = [
  'non-root-user',
  'healthcheck',
  'pinned-base-image',
  'latest-tag',
  'secret-in-env',
  'package-cache',
  'remote-add-checksum',
] as const;
export type LintRuleId = (typeof LINT_RULE_IDS)[number];
export type LintSeverity = 'off' | 'warning' | 'error';

export interface LintConfig {
  /** Severity per rule id, over the defaults. */
  rules?: Partial<Record<LintRuleId, LintSeverity>>;
  /** External images exempt from pinned-base-image and latest-tag: a name (`python`), or a prefix ending in `*`. */
  allowImages?: string[];
}

export type BinaryPreset = 'go' | 'cargo' | 'pyinstaller' | 'command';

/** One binary: how to build it for each platform, and how to check it. */
export interface BinaryConfig {
  /** go (GOOS/GOARCH, CGO_ENABLED=0), cargo (--target <triple>), pyinstaller (a Dockerfile stage exported with --output type=local), or command. */
  preset: BinaryPreset;
  /** e.g. ["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"]. */
  platforms: string[];
  /** go: package directory (default "."); cargo: crate directory (default "."); pyinstaller: the Dockerfile (required). */
  source?: string;
  /** Globs (relative to strata.json) read by the build, replacing the preset's defaults; required for `command`. */
  inputs?: string[];
  /** command: argv template (array, or a string split like a shell would) with {os}, {arch}, {platform}, {output}. */
  command?: string | string[];
  /** pyinstaller: Dockerfile stage to export (default: the last); the stage must hold the binary at `/<name>`. */
  target?: string;
  /** pyinstaller: build context. @default "." */
  context?: string;
  /** go: -ldflags. @default "-s -w" */
  ldflags?: string;
  /** A platform this host cannot build fails (default) or is skipped; a skip is keyed on the host so it is never restored elsewhere. */
  onUnbuildable?: 'fail' | 'skip';
  check?: BinaryCheckConfig;
}

export interface BinaryCheckConfig {
  /** Largest allowed size in bytes. */
  maxSizeBytes?: number;
  /** Arguments of a smoke run, e.g. ["--version"]; it must exit 0. */
  smoke?: string[];
  /** Largest allowed median start-up time of the smoke run, in milliseconds. */
  maxStartupMs?: number;
  /** How many smoke runs the median is taken over. @default 5 */
  runs?: number;
}

/** A registry to publish to: `ghcr.io/acme`, or `{ "url": "...", "optional": true }` (its failure does not fail the others). */
export type PublishRegistry = string | { url: string; optional?: boolean };

export interface PublishConfig {
  /** Registries (and namespaces) to copy the manifest lists to. @default the build registry */
  registries?: PublishRegistry[];
  /**
   * Tag templates with `{version}`, `{sha}`, `{variant}`, `{platform}` (a template with `{platform}` tags each
   * platform's own manifest). @default ["{sha}", "latest"], with "-{variant}" appended when variants are declared
   */
  tags?: string[];
  /** Layers to publish. @default the top layers (no other layer builds on them) */
  layers?: string[];
  /**
   * OCI annotations on each published manifest list, over the defaults docker-publish reads from the workspace
   * (`org.opencontainers.image.source`, `revision`, `version`, `created`, `title`, and the project package.json's
   * `description`, `license`, `homepage`); an empty value removes a default. A variant's merge key by key.
   */
  annotations?: Record<string, string>;
  /**
   * Sign each published manifest list: `"cosign"` (`cosign sign --yes {image}@{digest}`: keyless in CI through OIDC,
   * or with COSIGN_KEY), or your own signer. Runs once per manifest-list digest per registry, after the push.
   */
  sign?: 'cosign' | SignerConfig;
}

/** A signer of your own: its argv with `{image}` (the repository, no tag) and `{digest}` (the manifest list's). */
export interface SignerConfig {
  command: string[];
  /** An argv printing the signer's version, logged before signing. */
  version?: string[];
  /** How to install the signer, printed when `command[0]` is not found. */
  install?: string;
  /** How messages name the signer. @default command[0] */
  name?: string;
}

export interface LayerSettings {
  /** Dockerfile path. May use `{variant}`, `{os}` and `{arch}`: `docker/{variant}/Dockerfile.base`. */
  dockerfile?: string;
  /** Build context. @default the top-level `context` */
  context?: string;
  /** Build args for this layer (merged over the top-level args). */
  args?: Record<string, string>;
  /** Multi-stage target (`--target`). @default the last stage */
  target?: string;
  /**
   * `docker-test` settings, merged key by key over the layer's (a variant's or platform's override wins). A published
   * layer is tested by default; any other layer with `test` is too; `"enabled": false` turns it off.
   */
  test?: ContainerTestConfig;
}

/** What `docker-test` checks on the image a build recorded (pulled by digest, never rebuilt). */
export interface ContainerTestConfig {
  /** false: no docker-test target for this layer (even when it is published). @default true */
  enabled?: boolean;
  /** The container's process must not run as root (uid 0). false for an image that must. @default true */
  nonRoot?: boolean;
  /**
   * The image's HEALTHCHECK must report healthy within the budget. true: the image must declare one; false: not
   * checked. @default checked when the image declares one
   */
  healthcheck?: boolean | HealthcheckTest;
  /** Commands run in fresh containers of the image, each with an expected exit code and output. */
  smoke?: SmokeTest[];
  /** Ports of a running container that must answer within a budget. */
  ports?: PortTest[];
}

export interface HealthcheckTest {
  /** How long the container may take to become healthy. @default 60000 */
  timeoutMs?: number;
  /** Passed as `--health-interval` (the image's own interval is often 30 s). @default 1000 */
  intervalMs?: number;
}

export interface SmokeTest {
  /** Arguments after the image (to its ENTRYPOINT, or the command itself), e.g. ["--version"]. */
  command: string[];
  /** Replaces the image's ENTRYPOINT for this run. */
  entrypoint?: string;
  /** @default 0 */
  exitCode?: number;
  /** A regular expression the run's output (stdout and stderr) must match. */
  output?: string;
  /** How many runs the start-up median is taken over. @default 1, or 5 with maxStartupMs */
  runs?: number;
  /** Largest allowed median wall time of a run (container start to exit), in milliseconds. */
  maxStartupMs?: number;
  /** How long one run may take before it is stopped, its container removed and the check failed. @default 300000 */
  timeoutMs?: number;
}

export interface PortTest {
  /** The container port (TCP). */
  port: number;
  /** An HTTP GET of this path must answer `status`; without it, a TCP connect is enough. */
  http?: string;
  /** @default 200 */
  status?: number;
  /** How long the port may take to answer. @default 30000 */
  timeoutMs?: number;
}

export interface LayerConfig extends LayerSettings {
  dockerfile: string;
  /**
   * Name of the parent layer. When omitted, the parent is the layer named by the default of the
   * Dockerfile's `ARG <parentArg>=<layer>`, if that names a layer of this file; otherwise the layer has no parent.
   */
  parent?: string;
  /** Build arg through which the parent image reaches this Dockerfile (`FROM ${BASE_IMAGE}`). @default "BASE_IMAGE" */
  parentArg?: string;
  /**
   * Tasks whose results this layer packages, as `project:target` (`["api:build"]`), for outputs no target declares:
   * the layer runs after them, and its hash covers their project's inputs and their outputs.
   */
  uses?: string[];
  /** `docker-lint` rule severities for this layer's Dockerfile, over the top-level `lint.rules`. */
  lint?: Pick<LintConfig, 'rules'>;
  /** `docker-scan` settings for this layer, merged key by key over the top-level `scan` (`{ "enabled": false }` skips it). */
  scan?: Partial<ScanConfig>;
}

export interface PlatformOverride {
  /** Build args for this (variant, platform). */
  args?: Record<string, string>;
  /** Per-layer overrides for this (variant, platform), e.g. another Dockerfile. */
  layers?: Record<string, LayerSettings>;
}

export interface VariantConfig {
  /** Platforms of this variant; an object form also overrides layers per platform. @default the top-level platforms */
  platforms?: string[] | Record<string, PlatformOverride>;
  /** Build args for this variant. */
  args?: Record<string, string>;
  /** Per-layer overrides for this variant. */
  layers?: Record<string, LayerSettings>;
  /** Publish settings for this variant (merged over the top-level `publish`). */
  publish?: PublishConfig;
}

/** The name used for the single variant of a strata.json that declares none. */
export const IMPLICIT_VARIANT = 'default';
