import { IMPLICIT_VARIANT } from '../config/strata-config';
import { parseTargetName, type ParsedTargetName, type TargetNaming } from '../model/target-names';
import type { FinishedTask } from './history-tasks';
import type { CheckOutcome, HistoryCheck, HistoryPublish } from './history-types';

/**
 * The verification tasks (docker-test, docker-scan, docker-lint) and docker-publish tasks of a run. A publish that Nx
 * skipped was stopped by a failed task it depends on: Nx's post-run hook has no task graph, so these are the failed
 * builds and checks of the same project and variant (lint: the whole project), else every failed task of the run.
 */
export function historyChecks(results: FinishedTask[], names: TargetNaming): { checks: HistoryCheck[]; publishes: HistoryPublish[] } {
  const parsed = results.map((result) => ({ result, name: parseTargetName(names, result.task.target.target) }));
  const checks: HistoryCheck[] = [];
  for (const { result, name } of parsed) {
    const { project, target } = result.task.target;
    const durationMs = Math.max(0, (result.task.endTime ?? 0) - (result.task.startTime ?? 0));
    const outcome = checkOutcome(result.status);
    if (name?.kind === 'lint') checks.push({ kind: 'lint', project, target, outcome, durationMs });
    else if (name?.kind === 'layer-test' || name?.kind === 'layer-scan')
      checks.push({
        kind: name.kind === 'layer-test' ? 'test' : 'scan',
        project,
        target,
        variant: name.variant ?? IMPLICIT_VARIANT,
        layer: name.layer,
        platform: name.platform,
        outcome,
        durationMs,
      });
  }

  const failed = parsed.filter(({ result }) => result.status === 'failure');
  const publishTasks = parsed.filter(({ name }) => name?.kind === 'publish');
  const publishes: HistoryPublish[] = [];
  for (const { result, name } of publishTasks) {
    const { project, target } = result.task.target;
    const variant = name?.kind === 'publish' ? name.variant : undefined;
    // `docker-publish` beside per-variant publishes of the same project is their aggregate: they speak for it.
    if (
      !variant &&
      publishTasks.some((other) => other.result.task.target.project === project && other.name?.kind === 'publish' && other.name.variant)
    )
      continue;
    const outcome = result.status === 'success' ? 'published' : result.status === 'failure' ? 'failed' : 'stopped';
    const entry: HistoryPublish = { project, target, variant: variant ?? IMPLICIT_VARIANT, outcome };
    if (outcome === 'stopped') {
      const mine = failed.filter(
        ({ result: other, name: otherName }) => other.task.target.project === project && concerns(otherName, variant),
      );
      entry.stoppedBy = (mine.length ? mine : failed)
        .map(({ result: other }) => `${other.task.target.project}:${other.task.target.target}`)
        .sort();
    }
    publishes.push(entry);
  }
  return { checks, publishes };
}

/** Whether a failed task of the publish's project stands in its way: a layer build, test or scan of its variant, or the lint. */
function concerns(name: ParsedTargetName | undefined, variant: string | undefined): boolean {
  if (name?.kind === 'lint') return true;
  if (name?.kind === 'layer' || name?.kind === 'layer-test' || name?.kind === 'layer-scan')
    return variant === undefined || name.variant === variant;
  return false;
}

function checkOutcome(status: string): CheckOutcome {
  if (status === 'success') return 'passed';
  if (status === 'failure') return 'failed';
  if (status === 'local-cache' || status === 'local-cache-kept-existing' || status === 'remote-cache') return 'cached';
  return 'skipped';
}
