import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { layerTestResultPath } from '../../model/target-names';
import { writeJsonAtomically } from '../../utils/write-json-atomically';
import { isDryRun } from '../dry-run';
import { failed, type ExecutorResult } from '../executor-result';
import { NX_TASK_LOG, type TaskLog } from '../task-log';
import {
  checkHealth,
  checkNonRoot,
  checkPort,
  checkSmoke,
  DEFAULT_HEALTH_INTERVAL_MS,
  startContainer,
  type CheckOutcome,
  type CheckTarget,
} from './lib/container-checks';
import { TestContainers } from './lib/test-containers';
import {
  describeImageUnderTest,
  imageUnderTest,
  recordedLayerHost,
  recordedLayerLabel,
  recordedLayerNamespaces,
  verifiedImageFields,
} from '../recorded-image';
import { declaresHealthcheck } from '../../engines/container-run';
import { describeDockerHost } from '../../engines/docker-host';
import type { DockerTestExecutorOptions } from './schema';

export const TEST_RESULT_SCHEMA_VERSION = 1;

/**
 * Runs the exact image a layer build recorded (pulled by digest in registry mode, the local content-addressed tag in
 * local mode; never rebuilt) on the platform's build host, and checks it: not root, healthy, its ports answering, its
 * smoke commands. Writes `<platform>.tested.json` beside the record only when every check passed.
 */
export default async function dockerTestExecutor(
  options: DockerTestExecutorOptions,
  context: ExecutorContext,
  log: TaskLog = NX_TASK_LOG,
): Promise<ExecutorResult> {
  const host = recordedLayerHost(options);
  const label = recordedLayerLabel(options);
  if (isDryRun({})) {
    log.info(
      `nx-strata: dry run for docker-test of ${label}: would run the image ${options.buildTarget} records on ${describeDockerHost(host)} and check it (user, healthcheck, ports, smoke commands); nothing is run`,
    );
    return { success: true };
  }
  const resultPath = join(context.root, layerTestResultPath(options.record));
  // A result from an earlier run must never stand for this one.
  rmSync(resultPath, { force: true });
  const rebuild = `npx nx run ${context.projectName}:${options.buildTarget}`;
  const image = await imageUnderTest(context.root, options.record, options.platform, host, rebuild, recordedLayerNamespaces(options));
  if ('problem' in image) return failed(`docker-test of ${label}: ${image.problem}`, log);
  const containers = new TestContainers(host);
  const orphans = await containers.removeOrphans();
  if (orphans)
    log.info(
      `nx-strata: removed ${orphans} test container${orphans === 1 ? '' : 's'} that a killed run left on ${describeDockerHost(host)}`,
    );
  const target: CheckTarget = { image, platform: options.platform, host, containers };
  const under = describeImageUnderTest(image, options.platform, host);
  log.info(`nx-strata: testing ${label}: ${under}`);

  const test = options.test ?? {};
  const healthcheck = test.healthcheck ?? declaresHealthcheck(image.config);
  const health = typeof healthcheck === 'object' ? healthcheck : healthcheck ? {} : undefined;
  const ports = test.ports ?? [];
  const nonRoot = test.nonRoot ?? true;
  const outcomes: CheckOutcome[] = [];
  let container: { id: string; startedAt: number } | undefined;
  containers.guard();
  try {
    if (health || ports.length) {
      const started = await startContainer(target, {
        ...(health ? { healthIntervalMs: health.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS } : {}),
        ports: ports.map((port) => port.port),
      });
      if ('problem' in started) return failed(`docker-test of ${label} on ${image.ref}: ${started.problem}`, log);
      container = started;
    }
    if (health && container) outcomes.push(await checkHealth(target, container, health));
    for (const port of ports) if (container) outcomes.push(await checkPort(target, container.id, port));
    if (nonRoot) outcomes.unshift(await checkNonRoot(target, container?.id));
    for (const smoke of test.smoke ?? []) outcomes.push(await checkSmoke(target, smoke));
  } finally {
    // Every container of the run, whichever way it ends; Ctrl-C and Nx's SIGTERM are handled by the guard.
    await containers.removeAll();
    containers.release();
  }

  for (const outcome of outcomes) log.info(`nx-strata:   ${outcome.ok ? '✓' : '✗'} ${outcome.check}: ${outcome.detail.split('\n')[0]}`);
  const failures = outcomes.filter((outcome) => !outcome.ok);
  if (failures.length)
    return failed(
      `docker-test of ${label} failed on ${image.ref} (digest ${image.digest}, ${options.platform}):\n${failures
        .map((failure) => `- ${failure.check}: ${failure.detail}`)
        .join('\n')}`,
      log,
    );
  writeJsonAtomically(resultPath, {
    schemaVersion: TEST_RESULT_SCHEMA_VERSION,
    ...verifiedImageFields(options, image),
    checks: outcomes,
    testedAt: new Date().toISOString(),
  });
  log.info(
    `nx-strata: ${label} passed ${outcomes.length} check${outcomes.length === 1 ? '' : 's'} on ${image.ref}${outcomes.length ? '' : ' (nothing configured: it pulled and inspected the image)'}`,
  );
  return { success: true };
}
