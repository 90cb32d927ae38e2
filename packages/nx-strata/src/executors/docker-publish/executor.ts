import { join } from 'node:path';
import { logger, type ExecutorContext } from 'nx/src/devkit-exports';
import { isPassingCopyFailure } from '../../engines/docker-diagnosis';
import { execCommand, formatCommand, lastLines } from '../../engines/exec-command';
import { parseRegistryAddress } from '../../engines/registry/registry-address';
import { registryClients, type RegistryClient } from '../../engines/registry/registry-client';
import { ciBranch, tagDate, TagTemplateError, templatesForVersion } from '../../publish/tag-templates';
import { writeJsonAtomically } from '../../utils/write-json-atomically';
import { normalizePublishOptions } from './lib/normalize-options';
import { operationCommands, planPublish, type PublishOperation } from './lib/publish-plan';
import { isDryRun } from '../dry-run';
import { failed } from '../executor-result';
import type { PublishRecord } from '../../model/publish-record';
import { resolvePublishSources } from './lib/publish-sources';
import { annotationFacts } from './lib/annotation-facts';
import { gitOutput } from './lib/git-output';
import { indexAnnotations } from '../../publish/oci-annotations';
import { signArgv, signerOf } from '../../publish/signer';
import { findProgram } from '../../scan/find-program';
import type { SignerConfig } from '../../config/strata-config';
import type { DockerPublishExecutorOptions } from './schema';

/** Assembles a variant's per-platform images into manifest lists and copies them to every registry. Builds nothing. */
export default async function dockerPublishExecutor(
  rawOptions: DockerPublishExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const options = normalizePublishOptions(rawOptions, context.root);
  const project = context.projectName ?? 'unknown-project';
  // What messages publish: the variant, or the image when strata.json declares no variants.
  const subject = options.explicitVariant === false ? options.image : `variant ${options.variant}`;
  if (!options.registry) {
    return failed(
      `publishing ${subject} copies from the registry its layers were pushed to, and none is set.\n  → set the plugin option "registry" or STRATA_REGISTRY, then build and publish again`,
    );
  }
  // Its own --dryRun, or a publish a dry-run command reached (the hook says so): nothing pushed, signed or recorded.
  const dryRun = isDryRun(options);
  const sources = await resolvePublishSources(options, project, dryRun);
  if (!sources.ok) return failed(`cannot publish ${subject}:\n${sources.message}`);
  // A signer that is not there is found before anything is pushed.
  const signer = options.sign ? signerOf(options.sign) : undefined;
  if (signer && !findProgram(signer.command[0], options.workspaceRoot))
    return failed(
      `cannot publish ${subject}: publish.sign asks ${signer.name} to sign every manifest list, and ${signer.command[0]} is not installed here (not found on PATH); nothing was pushed.\n  → ${signer.install ?? `install ${signer.command[0]}`}, or remove publish.sign`,
    );

  // A pre-release moves no floating tag (`latest`, `{major}.{minor}`): only the tags that carry its whole version.
  const { kept: tags, skipped } = templatesForVersion(options.tags, options.version);
  if (skipped.length && !tags.length)
    return failed(
      `cannot publish ${subject}: ${options.version} is a pre-release, and every tag template (${skipped.join(', ')}) moves with releases.\n  → add one that carries the whole version, such as "{version}", to publish.tags`,
    );
  if (skipped.length)
    logger.info(
      `nx-strata: ${options.version} is a pre-release: ${skipped.join(', ')} stay${skipped.length === 1 ? 's' : ''} where ${skipped.length === 1 ? 'it is' : 'they are'}`,
    );
  let operations: PublishOperation[];
  try {
    const uses = (token: string) => tags.some((tag) => tag.includes(`{${token}}`));
    const facts = await annotationFacts({ ...options, version: options.version });
    operations = planPublish({
      annotations: indexAnnotations(facts, options.annotations),
      image: options.image,
      registries: options.registries,
      sources: sources.sources,
      tags,
      values: {
        version: options.version,
        sha: uses('sha') ? await gitOutput(options.workspaceRoot, ['rev-parse', '--short', 'HEAD']) : undefined,
        branch: uses('branch') ? (ciBranch() ?? (await gitBranch(options.workspaceRoot))) : undefined,
        date: uses('date') ? tagDate() : undefined,
        variant: options.variant,
      },
    });
  } catch (error) {
    if (error instanceof TagTemplateError) return failed(`cannot publish ${subject}: ${error.message}`);
    throw error;
  }
  if (dryRun) {
    const commands = operations.flatMap(operationCommands).map((argv) => `docker ${formatCommand(argv)}`);
    if (signer)
      commands.push(
        `then, for each manifest list pushed: ${formatCommand(signArgv(signer, { image: '<repository>', digest: '<digest>' }))}`,
      );
    const pending = sources.pending?.length
      ? `\n(no build record to publish from yet for ${sources.pending.join(', ')}: a real run builds or finds them first)`
      : '';
    logger.info(`nx-strata: dry run, publishing ${subject} would run:\n${commands.join('\n')}${pending}`);
    return { success: true };
  }

  const record: PublishRecord = {
    schemaVersion: 1,
    project,
    variant: options.variant,
    publishedAt: new Date().toISOString(),
    registries: [],
  };
  // One client per destination host: its token is fetched once for the probe and every digest read back.
  const clientFor = registryClients();
  let annotationsDropped = false;
  if (signer?.version) {
    const version = await execCommand(signer.version[0], signer.version.slice(1), { cwd: options.workspaceRoot, timeoutMs: 60_000 });
    logger.info(
      `nx-strata: signing with ${signer.name}: ${lastLines(`${version.stdout}\n${version.stderr}`, 1) || `exit code ${version.exitCode}`}`,
    );
  }
  const signedHere = new Set<string>();
  let signingFailure: string | undefined;
  for (const registry of [...new Set(operations.map((op) => op.registry))]) {
    const mine = operations.filter((op) => op.registry === registry);
    const entry: PublishRecord['registries'][number] = { registry, optional: mine[0].optional, ok: true, manifests: [] };
    if (signingFailure) {
      record.registries.push({ ...entry, ok: false, error: 'not attempted: a signature failed before it' });
      continue;
    }
    // A registry that accepts connections and answers nothing would hold imagetools for as long as it likes: asked
    // first, with the registry timeouts, it is failed (or, optional, skipped) with the reason.
    const silent = await unanswered(mine[0], clientFor);
    if (silent) {
      entry.ok = false;
      entry.error = silent;
    }
    for (const op of silent ? [] : mine) {
      entry.error = await runCommands(operationCommands(op));
      if (entry.error) {
        entry.ok = false;
        break;
      }
      const { digest, mediaType } = await publishedManifest(op, clientFor);
      if (op.annotations && mediaType === DOCKER_MANIFEST_LIST && !annotationsDropped) {
        annotationsDropped = true;
        logger.warn(
          `nx-strata: ${op.repository}:${op.tags[0]} is a Docker manifest list, which holds no annotations: its layers were pushed as Docker manifests (the classic engine, or a build without provenance). Build on the containerd image store with provenance to publish OCI indexes with their annotations`,
        );
      }
      entry.manifests.push({
        layer: op.layer,
        repository: op.repository,
        tags: op.tags,
        digest,
        // What this operation put under these tags: a per-platform tag holds its own platform only.
        platforms: op.platforms,
      });
      logger.info(
        `nx-strata: published ${op.repository}:{${op.tags.join(',')}} → ${digest ?? '(digest unknown)'} (${op.sources.length} platform${op.sources.length === 1 ? '' : 's'})`,
      );
      if (signer && !(digest && signedHere.has(`${op.repository}@${digest}`))) {
        const manifest = entry.manifests[entry.manifests.length - 1];
        const signed = digest ? await sign(signer, op.repository, digest, options.workspaceRoot) : 'its digest could not be read back';
        manifest.signed = signed === undefined;
        if (signed !== undefined) {
          // Every earlier list was signed as it was pushed: this one alone is pushed and not signed.
          signingFailure = `signing ${op.repository}@${digest ?? '?'} with ${signer.name} failed: ${signed}\nAlready pushed and not signed: ${op.repository}:{${op.tags.join(',')}}@${digest ?? '?'}.`;
          entry.ok = false;
          entry.error = signingFailure;
          break;
        }
        signedHere.add(`${op.repository}@${digest}`);
        logger.info(`nx-strata: signed ${op.repository}@${digest} with ${signer.name}`);
      }
    }
    if (!entry.ok)
      (entry.optional ? logger.warn : logger.error)(
        `nx-strata: publishing to ${registry}${entry.optional ? ' (optional)' : ''} failed: ${entry.error}`,
      );
    record.registries.push(entry);
  }
  writeJsonAtomically(join(options.workspaceRoot, options.record), record);

  if (signingFailure)
    return failed(
      `${signingFailure}\n  → fix the signer (its login, key or OIDC token: id-token: write) and publish again: the same digests are signed then`,
    );
  const failedRequired = record.registries.filter((entry) => !entry.ok && !entry.optional);
  const failedOptional = record.registries.filter((entry) => !entry.ok && entry.optional);
  const published = record.registries.filter((entry) => entry.ok).map((entry) => entry.registry);
  logger.info(
    `nx-strata: ${subject} published to ${published.length ? published.join(', ') : 'no registry'}${failedOptional.length ? `; optional registr${failedOptional.length === 1 ? 'y' : 'ies'} failed: ${failedOptional.map((entry) => entry.registry).join(', ')}` : ''}`,
  );
  if (failedRequired.length)
    return failed(
      `publishing failed for ${failedRequired.map((entry) => entry.registry).join(', ')}: check that ${failedRequired.length === 1 ? 'it is' : 'they are'} up and that \`docker login\` has push rights, or mark ${failedRequired.length === 1 ? 'it' : 'them'} { "optional": true }`,
    );
  return { success: true };
}

/**
 * Runs imagetools commands in order; returns what failed, or undefined. A copy the registry refused mid-commit (a
 * distribution race between the blob uploads of one copy: "failed commit on ref ... 400") is tried once more:
 * `imagetools create` is idempotent, it pushes the same content to the same tags.
 */
async function runCommands(commands: string[][]): Promise<string | undefined> {
  const limitMs = publishCommandTimeoutMs();
  // buildx runs as a child of the docker CLI: at the deadline the whole process group ends, buildx included.
  const run = (argv: string[]) => execCommand('docker', argv, { timeoutMs: limitMs, killGroup: true });
  for (const argv of commands) {
    let result = await run(argv);
    if (result.exitCode !== 0 && isPassingCopyFailure(result.stderr)) {
      logger.warn(`nx-strata: the registry refused part of a copy (${lastLines(result.stderr, 1)}); trying once more`);
      result = await run(argv);
    }
    if (result.timedOut)
      return `docker ${formatCommand(argv)} did not finish within ${limitMs / 1000} s (STRATA_PUBLISH_TIMEOUT, in seconds): the registry stopped answering mid-copy, or the copy needs longer`;
    if (result.exitCode !== 0)
      return `docker ${formatCommand(argv)} failed (exit code ${result.exitCode}):\n${lastLines(result.stderr, 6)}`;
  }
  return undefined;
}

/** The whole-command limit of one imagetools copy: STRATA_PUBLISH_TIMEOUT seconds, 30 minutes by default (GB layers). */
function publishCommandTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.STRATA_PUBLISH_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30 * 60_000;
}

/** Why the destination registry of `op` cannot be published to (it did not answer a manifest probe), or undefined. */
async function unanswered(op: PublishOperation, clientFor: (host: string) => RegistryClient): Promise<string | undefined> {
  const { host } = parseRegistryAddress(op.repository);
  const probe = await clientFor(host).manifest(op.repository.slice(host.length + 1), op.tags[0]);
  if (probe.ok || probe.failure.kind !== 'unreachable') return undefined;
  return `${host} did not answer before the copy (${probe.failure.detail}); nothing was copied to it`;
}

/** Runs the signer on one manifest list; answers why it failed, or undefined. */
async function sign(signer: SignerConfig, repository: string, digest: string, cwd: string): Promise<string | undefined> {
  const argv = signArgv(signer, { image: repository, digest });
  const result = await execCommand(argv[0], argv.slice(1), { cwd, timeoutMs: 10 * 60_000, killGroup: true });
  if (result.timedOut) return `${formatCommand(argv)} did not finish within 600 s`;
  if (result.exitCode !== 0)
    return `${formatCommand(argv)} exited ${result.exitCode ?? 'without a code'}${result.stderr.trim() ? `:\n${lastLines(result.stderr, 6)}` : ''}`;
  return undefined;
}

const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** The digest (and type) the destination now serves for the operation's first tag (same across registries for the same sources). */
async function publishedManifest(
  op: PublishOperation,
  clientFor: (host: string) => RegistryClient,
): Promise<{ digest: string | null; mediaType?: string }> {
  const { host } = parseRegistryAddress(op.repository);
  const probe = await clientFor(host).manifest(op.repository.slice(host.length + 1), op.tags[0], { withBody: true });
  return probe.ok && probe.value ? { digest: probe.value.digest, mediaType: probe.value.mediaType } : { digest: null };
}

/** The checked-out branch, or undefined on a detached HEAD. */
async function gitBranch(cwd: string): Promise<string | undefined> {
  const branch = await gitOutput(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
  return branch && branch !== 'HEAD' ? branch : undefined;
}
