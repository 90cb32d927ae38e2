import { readFileSync } from 'node:fs';
import { buildxBuildArgs, parseBuildMetadata } from '../../../engines/buildx';
import { diagnoseDockerFailure } from '../../../engines/docker-diagnosis';
import { execDocker, formatDockerCommand, type DockerHost } from '../../../engines/docker-host';
import { lastLines } from '../../../engines/exec-command';
import type { TaskLog } from '../../task-log';
import type { BuildPlan } from './build-plan';

export type BuildOutcome = { ok: true; digest: string } | { ok: false; message: string };

/** Runs the planned `docker buildx build`, streaming its log, and reads the digest it reports. */
export async function runBuild(
  plan: BuildPlan,
  context: {
    cwd: string;
    label: string;
    registry: string | null;
    host: DockerHost;
    log: TaskLog;
    /** The registry just answered a pull-side probe. */ pulledFromRegistry?: boolean;
  },
): Promise<BuildOutcome> {
  const argv = buildxBuildArgs(plan.buildx);
  const command = formatDockerCommand(context.host, argv);
  const result = await execDocker(context.host, argv, { stream: true, cwd: context.cwd });
  context.log.childOutput(result.stdout + result.stderr);
  if (result.failedToStart) {
    return {
      ok: false,
      message: `${context.label}: could not start docker (${result.failedToStart.message}).\n  → install the Docker CLI and make sure \`docker\` is on PATH`,
    };
  }
  if (result.exitCode !== 0) {
    const diagnosis = diagnoseDockerFailure(result.stderr, { registry: context.registry, pullWorks: context.pulledFromRegistry });
    const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
    const tail = lastLines(result.stderr)
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    return {
      ok: false,
      message: `${context.label}: docker buildx build failed (${how}).\n  command: ${command}\n${tail}\n  → ${diagnosis.hint}`,
    };
  }
  const digest = parseBuildMetadata(readFileSync(plan.buildx.metadataFile, 'utf8')).digest;
  if (!digest)
    return {
      ok: false,
      message: `${context.label}: the build finished but ${plan.buildx.metadataFile} has no containerimage.digest; nothing was recorded.`,
    };
  return { ok: true, digest };
}
