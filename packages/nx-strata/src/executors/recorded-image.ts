import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerPullArgs, imageConfigArgs, type ImageConfig } from '../engines/container-run';
import { describeDockerHost, execDocker, formatDockerCommand, type DockerHost } from '../engines/docker-host';
import { lastLines } from '../engines/exec-command';
import { buildNamespaces, placeReference, type BuildNamespaces } from '../engines/registry/trust';
import { readRecord, type LayerRecord } from '../model/layer-record';
import { variantAndPlatform } from '../model/layer-task';
import { layerDigestPath } from '../model/target-names';

const PULL_TIMEOUT_MS = 15 * 60_000;
const INSPECT_TIMEOUT_MS = 60_000;

/** What a target that verifies a recorded layer image (`docker-test`, `docker-scan`) is told about it. */
export interface RecordedLayerOptions {
  image: string;
  variant: string;
  /** False when the strata.json declares no variants: messages then leave the variant out. */
  explicitVariant?: boolean;
  layer: string;
  platform: string;
  /** Workspace-relative build record of the layer (its results are written beside it). */
  record: string;
  /** The layer's build target, named in messages. */
  buildTarget: string;
  /** The platform's build host (the plugin's `builders`): the image is pulled and verified there. */
  dockerContext?: string;
  dockerHost?: string;
  /** The trust settings of the layer's build (see engines/registry/trust.ts): a run verifies only digests it trusts. */
  registry?: string;
  untrustedRegistry?: string;
  trustedBranches?: string[];
}

/** What the verifying run trusts, from the same settings and environment as the build's. */
export function recordedLayerNamespaces(options: RecordedLayerOptions): BuildNamespaces {
  return buildNamespaces(options);
}

/** `layer "app" of acme/web (variant cpu, linux/amd64)` (or `(linux/amd64)` without variants): how messages name the layer. */
export function recordedLayerLabel(options: RecordedLayerOptions): string {
  return `layer "${options.layer}" of ${options.image} (${variantAndPlatform(options)})`;
}

export function recordedLayerHost(options: RecordedLayerOptions): DockerHost {
  return { context: options.dockerContext, host: options.dockerHost };
}

/** The first fields of a verification result: which layer, and exactly which image. */
export function verifiedImageFields(options: RecordedLayerOptions, image: ImageUnderTest) {
  return {
    image: options.image,
    variant: options.variant,
    layer: options.layer,
    platform: options.platform,
    digest: image.digest,
    ref: image.ref,
    mode: image.mode,
  };
}

/** How messages name the image under verification and where it is: local mode and the host are said. */
export function describeImageUnderTest(image: ImageUnderTest, platform: string, host: DockerHost): string {
  return `${image.ref} (${platform}${image.mode === 'local' ? ', local mode: the local content-addressed tag' : ''}) on ${describeDockerHost(host)}`;
}

/** The exact image a build recorded, present on the engine that runs it. */
export interface ImageUnderTest {
  /** What `docker run` is given: `repo@sha256:...` (registry mode) or the local `repo:strata-<key>` tag. */
  ref: string;
  /** The recorded digest (registry mode) or image ID (local mode). */
  digest: string;
  mode: LayerRecord['mode'];
  config: ImageConfig;
}

/**
 * The image a layer build recorded, made present on the engine that verifies it (`docker-test` runs it, `docker-scan`
 * scans it). Reads the layer's record and digest (they must agree), pulls the image by digest in registry mode (local
 * mode uses the local content-addressed tag), and reads its config. Answers a message, never throws, when any of it fails.
 */
export async function imageUnderTest(
  workspaceRoot: string,
  recordPath: string,
  platform: string,
  host: DockerHost,
  rebuild: string,
  namespaces?: BuildNamespaces,
): Promise<ImageUnderTest | { problem: string }> {
  const record = readRecord(join(workspaceRoot, recordPath));
  const digestFile = join(workspaceRoot, layerDigestPath(recordPath));
  if (!record || !existsSync(digestFile))
    return { problem: `no build record at ${recordPath}: the layer was not built here.\n  → build it first: ${rebuild}` };
  const digest = readFileSync(digestFile, 'utf8').trim();
  if (digest !== record.digest)
    return {
      problem: `the build record ${recordPath} names ${record.digest} but its digest file names ${digest}: they come from different builds.\n  → rebuild the layer: ${rebuild}`,
    };
  const ref = record.mode === 'registry' ? record.refs.find((candidate) => candidate.includes('@')) : record.refs[0];
  if (!ref) return { problem: `the build record ${recordPath} names no image reference.\n  → rebuild the layer: ${rebuild}` };
  if (record.mode === 'registry' && namespaces) {
    // As for a publish: the namespace from the reference itself, whichever cache restored the record.
    const place = placeReference(namespaces, ref);
    if (!place.trusted) {
      return {
        problem: `refusing to verify ${ref}: its record puts it in ${place.where}, and this ${namespaces.level} run trusts only ${namespaces.read.join(', ') || 'the local engine'} (${namespaces.reason}); it would never publish it.\n  → rebuild it in this run: ${rebuild} --skip-nx-cache`,
      };
    }
  }
  if (record.mode === 'registry') {
    const pull = await execDocker(host, dockerPullArgs(ref, platform), { timeoutMs: PULL_TIMEOUT_MS });
    if (pull.exitCode !== 0)
      return {
        problem: `could not pull ${ref} (${platform}) on ${describeDockerHost(host)}${pull.timedOut ? ` within ${PULL_TIMEOUT_MS / 60_000} minutes` : ''}:\n${lastLines(pull.stderr || pull.stdout, 6)}\n  → check that the registry answers (${formatDockerCommand(host, dockerPullArgs(ref, platform))}), or rebuild: ${rebuild}`,
      };
  }
  const inspect = await execDocker(host, imageConfigArgs(ref), { timeoutMs: INSPECT_TIMEOUT_MS });
  if (inspect.exitCode !== 0)
    return {
      problem: `${ref} is not on ${describeDockerHost(host)}${record.mode === 'local' ? ' (local mode: the image stays in the engine that built it)' : ''}:\n${lastLines(inspect.stderr, 4)}\n  → rebuild the layer: ${rebuild}`,
    };
  let config: ImageConfig;
  try {
    config = (JSON.parse(inspect.stdout) as ImageConfig | null) ?? {};
  } catch {
    return { problem: `could not read the config of ${ref} from \`docker image inspect\`` };
  }
  return { ref, digest, mode: record.mode, config };
}
