import type { ExecutorContext } from 'nx/src/devkit-exports';
import { releaseTagPatterns, versionFromTags, type ReleaseConfig } from '../../release/release-tag';
import dockerPublishExecutor from '../docker-publish/executor';
import { gitOutput } from '../docker-publish/lib/git-output';
import type { DockerPublishExecutorOptions } from '../docker-publish/schema';
import { isDryRun } from '../dry-run';
import { failed, type ExecutorResult } from '../executor-result';
import { NX_TASK_LOG, type TaskLog } from '../task-log';
import type { ReleasePublishExecutorOptions } from './schema';

/**
 * `nx-release-publish` of an image project: `nx release publish` runs it through the task runner, so its dependsOn (the
 * builds, tests, scans and lint the docker-publish targets wait for) gate it as they gate docker-publish. It publishes
 * each docker-publish target's manifest lists with the version nx release gave the project, and builds nothing.
 */
export default async function releasePublishExecutor(
  options: ReleasePublishExecutorOptions,
  context: ExecutorContext,
  log: TaskLog = NX_TASK_LOG,
): Promise<ExecutorResult> {
  const project = context.projectName ?? 'unknown-project';
  const version = await releaseVersion(options, context);
  if (version.kind === 'none') {
    log.info(`nx-strata: nx release gave ${project} no new version (nothing changed in it): nothing published`);
    return { success: true };
  }
  if (version.kind === 'unknown')
    return failed(
      `nx release publish of ${project}: no version to publish. It comes from \`nx release\` (version and publish in one run), else STRATA_VERSION, else a release tag at HEAD (${version.patterns.join(', ')}); HEAD has ${version.tags.length ? version.tags.join(', ') : 'no tag'}.\n  → run \`nx release\`, or \`nx release version\` before \`nx release publish\` on the tagged commit, or set STRATA_VERSION`,
      log,
    );
  const dryRun = isDryRun(options) || process.env.NX_DRY_RUN === 'true';
  for (const name of ['registry', 'tag', 'otp', 'access'] as const)
    if (options[name] !== undefined)
      log.warn(`nx-strata: --${name} is for npm packages; ${project}'s registries and tags are strata.json's publish settings`);
  const targets = context.projectsConfigurations?.projects[project]?.targets ?? {};
  for (const name of options.publishTargets) {
    const publishOptions = targets[name]?.options as DockerPublishExecutorOptions | undefined;
    if (!publishOptions)
      return failed(`nx release publish of ${project}: it has no target "${name}" to publish with; run \`nx reset\` and try again`, log);
    log.info(
      `nx-strata: nx release publish: ${project} ${version.version} (${version.source}) through ${name}${dryRun ? ', dry run' : ''}`,
    );
    const published = await dockerPublishExecutor(
      { ...publishOptions, version: version.version, dryRun },
      { ...context, targetName: name },
    );
    if (!published.success) return { success: false };
  }
  return { success: true };
}

type ReleaseVersion =
  { kind: 'version'; version: string; source: string } | { kind: 'none' } | { kind: 'unknown'; tags: string[]; patterns: string[] };

/** The version to publish: the one `nx release` hands over, else STRATA_VERSION, else a release tag at HEAD. */
async function releaseVersion(options: ReleasePublishExecutorOptions, context: ExecutorContext): Promise<ReleaseVersion> {
  const project = context.projectName ?? '';
  const handedOver = options.nxReleaseVersionData?.[project];
  if (handedOver)
    return handedOver.newVersion ? { kind: 'version', version: handedOver.newVersion, source: 'from nx release' } : { kind: 'none' };
  if (process.env.STRATA_VERSION) return { kind: 'version', version: process.env.STRATA_VERSION, source: 'STRATA_VERSION' };
  const tags = ((await gitOutput(context.root, ['tag', '--points-at', 'HEAD'])) ?? '').split('\n').filter(Boolean);
  const patterns = releaseTagPatterns((context.nxJsonConfiguration as { release?: ReleaseConfig } | undefined)?.release);
  const version = versionFromTags(tags, patterns, project);
  return version ? { kind: 'version', version, source: 'release tag at HEAD' } : { kind: 'unknown', tags, patterns };
}
