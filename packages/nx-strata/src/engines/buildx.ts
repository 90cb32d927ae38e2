import { registryTimeoutsFromEnv } from './registry/raw-http';
import { execDocker, type DockerHost } from './docker-host';
import { execCommand } from './exec-command';

/** Options of one `docker buildx build`, as data. `buildxBuildArgs` turns them into argv. */
export interface BuildxBuildOptions {
  dockerfile: string;
  context: string;
  platform: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  builder?: string;
  /** `push` pushes to the registry, `load` loads into the local engine. */
  output: 'push' | 'load';
  metadataFile: string;
  cacheFrom?: string[];
  cacheTo?: string[];
  /** Passed through as `--secret <spec>` (e.g. `id=npm,src=/home/me/.npmrc`); never recorded. */
  secrets?: string[];
  /** Provenance attestations: off, or `min`/`max` (needs a docker-container, kubernetes or remote builder). */
  provenance?: false | 'min' | 'max';
  /** SBOM attestation (same builders as provenance). */
  sbom?: boolean;
  progress?: 'auto' | 'plain' | 'tty' | 'quiet';
  pull?: boolean;
  noCache?: boolean;
  labels?: Record<string, string>;
  /**
   * `--annotation manifest:<key>=<value>` on the platform image's manifest. Kept in an OCI manifest (the containerd
   * image store); a Docker v2 manifest (the classic engine) has no annotations and buildx leaves them out.
   */
  manifestAnnotations?: Record<string, string>;
}

/** argv for `docker` (after the program name). Pure. */
export function buildxBuildArgs(options: BuildxBuildOptions): string[] {
  const args = ['buildx', 'build'];
  if (options.builder) args.push('--builder', options.builder);
  args.push('--platform', options.platform);
  args.push('--file', options.dockerfile);
  if (options.target) args.push('--target', options.target);
  for (const tag of options.tags) args.push('--tag', tag);
  for (const name of Object.keys(options.buildArgs).sort()) args.push('--build-arg', `${name}=${options.buildArgs[name]}`);
  for (const [name, value] of Object.entries(options.labels ?? {})) args.push('--label', `${name}=${value}`);
  for (const [name, value] of Object.entries(options.manifestAnnotations ?? {})) args.push('--annotation', `manifest:${name}=${value}`);
  for (const source of options.cacheFrom ?? []) args.push('--cache-from', source);
  for (const target of options.cacheTo ?? []) args.push('--cache-to', target);
  for (const secret of options.secrets ?? []) args.push('--secret', secret);
  args.push(options.provenance ? `--provenance=mode=${options.provenance}` : '--provenance=false');
  args.push(`--sbom=${options.sbom ?? false}`);
  if (options.pull) args.push('--pull');
  if (options.noCache) args.push('--no-cache');
  if (options.progress) args.push('--progress', options.progress);
  args.push(options.output === 'push' ? '--push' : '--load');
  args.push('--metadata-file', options.metadataFile);
  args.push(options.context);
  return args;
}

/** argv for `docker buildx imagetools create`: a manifest list (or a copy) built registry-side from existing images. Pure. */
export function imagetoolsCreateArgs(options: { tags: string[]; sources: string[]; annotations?: Record<string, string> }): string[] {
  return [
    'buildx',
    'imagetools',
    'create',
    // On the new manifest list (an OCI index); buildx 0.13 drops them when it writes a Docker manifest list.
    ...Object.entries(options.annotations ?? {}).flatMap(([key, value]) => ['--annotation', `index:${key}=${value}`]),
    ...options.tags.flatMap((tag) => ['--tag', tag]),
    ...options.sources,
  ];
}

/** The driver of the buildx builder a host builds on (`docker`, `docker-container`, `kubernetes`, `remote`), or undefined. Never throws. */
export async function builderDriver(host?: DockerHost): Promise<string | undefined> {
  const result = await execDocker(host, ['buildx', 'inspect', ...(host?.builder ? [host.builder] : [])], { timeoutMs: 30_000 });
  return result.exitCode === 0 ? parseBuilderDriver(result.stdout) : undefined;
}

/** The first `Driver:` line of `docker buildx inspect` output. */
export function parseBuilderDriver(output: string): string | undefined {
  return /^Driver:\s*(\S+)/m.exec(output)?.[1];
}

/** Probe: is the buildx plugin installed? Never throws. */
/** What to tell a user whose docker has no buildx plugin: what to install on their system, and how. */
export const BUILDX_MISSING =
  'nx-strata needs the docker buildx plugin and `docker buildx version` failed.\n' +
  "  → install it: Docker Desktop and Docker Engine from docker.com include it; on Debian/Ubuntu install the docker-buildx-plugin (Docker's apt repository) or docker-buildx (the distribution's) package; elsewhere see https://docs.docker.com/build/concepts/overview/#install-buildx";

export async function isBuildxAvailable(): Promise<boolean> {
  const result = await execCommand('docker', ['buildx', 'version']);
  return result.exitCode === 0;
}

/** Probe: does the engine `host` reaches hold this image? Never throws. */
export async function localImageExists(ref: string, host?: DockerHost): Promise<boolean> {
  const result = await execDocker(host, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  return result.exitCode === 0;
}

/**
 * Probe: the digest an image reference resolves to now (registry manifest digest, or the local image ID for an
 * image only the local engine has). undefined when neither knows it. Never throws.
 */
export async function resolveImageDigest(
  ref: string,
  env: NodeJS.ProcessEnv = process.env,
  host?: DockerHost,
): Promise<string | undefined> {
  // A runtime input of every task with pinBaseImages: a stalled registry must fail the hashing, not hang it.
  const timeouts = registryTimeoutsFromEnv(env);
  const limitMs = timeouts.connectMs + timeouts.responseMs + timeouts.idleMs;
  const remote = await execCommand('docker', ['buildx', 'imagetools', 'inspect', '--format', '{{json .Manifest}}', ref], {
    timeoutMs: limitMs,
    killGroup: true,
  });
  if (remote.timedOut) {
    throw new Error(
      `resolving ${ref}: the registry did not answer \`docker buildx imagetools inspect\` within ${limitMs / 1000} s (the sum of STRATA_REGISTRY_CONNECT_TIMEOUT, _RESPONSE_TIMEOUT and _IDLE_TIMEOUT); check that the registry is up, or pin the image by digest`,
    );
  }
  if (remote.exitCode === 0) {
    try {
      const digest = (JSON.parse(remote.stdout) as { digest?: string }).digest;
      if (digest) return digest;
    } catch {
      // Not JSON: fall through to the local engine.
    }
  }
  // The local store's ID: the config digest on the classic store, the manifest (or index) digest on containerd's.
  const local = await execDocker(host, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  return local.exitCode === 0 && local.stdout.trim() ? `local:${local.stdout.trim()}` : undefined;
}

/** What the build report shows of an image: its size in bytes and its number of layers. */
export interface ImageStats {
  sizeBytes: number | null;
  layerCount: number | null;
}

const NO_STATS: ImageStats = { sizeBytes: null, layerCount: null };

/** Size (bytes, uncompressed) and layer count of an image in the engine `host` reaches; nulls when it cannot be read. */
export async function localImageStats(ref: string, host?: DockerHost): Promise<ImageStats> {
  const result = await execDocker(host, ['image', 'inspect', '--format', '{{.Size}} {{len .RootFS.Layers}}', ref]);
  const [size, layers] = result.stdout.trim().split(' ').map(Number);
  return result.exitCode === 0 && Number.isFinite(size)
    ? { sizeBytes: size, layerCount: Number.isFinite(layers) ? layers : null }
    : NO_STATS;
}

/** Compressed size (config + layers) and layer count of a pushed image, from its registry manifest; nulls otherwise. */
export async function registryImageStats(ref: string): Promise<ImageStats> {
  const timeouts = registryTimeoutsFromEnv();
  const result = await execCommand('docker', ['buildx', 'imagetools', 'inspect', '--raw', ref], {
    timeoutMs: timeouts.connectMs + timeouts.responseMs + timeouts.idleMs,
    killGroup: true,
  });
  if (result.exitCode !== 0) return NO_STATS;
  return manifestStats(result.stdout);
}

/** Sum of config and layer sizes, and the layer count, of a single-platform manifest; nulls for an index or anything else. */
export function manifestStats(rawManifest: string): ImageStats {
  try {
    const manifest = JSON.parse(rawManifest) as { config?: { size?: number }; layers?: Array<{ size?: number }> };
    if (!manifest.config || !Array.isArray(manifest.layers)) return NO_STATS;
    return {
      sizeBytes: (manifest.config.size ?? 0) + manifest.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0),
      layerCount: manifest.layers.length,
    };
  } catch {
    return NO_STATS;
  }
}

/** `containerimage.digest` and `image.name` from a `--metadata-file`. */
export function parseBuildMetadata(json: string): { digest?: string; imageName?: string; configDigest?: string } {
  const metadata = JSON.parse(json) as Record<string, unknown>;
  const text = (key: string) => (typeof metadata[key] === 'string' ? (metadata[key] as string) : undefined);
  return { digest: text('containerimage.digest'), imageName: text('image.name'), configDigest: text('containerimage.config.digest') };
}
