import { IMPLICIT_VARIANT } from '../config/strata-config';
import { NX_RELEASE_PUBLISH, parseTargetName, type ParsedTargetName, type TargetNaming } from '../model/target-names';
import { taskDurationMs, type FinishedTask } from './history-tasks';
import { EVERY_VARIANT, type CheckOutcome, type HistoryCheck, type HistoryPublish } from './history-types';

/** A per-variant docker-publish target (or an nx-release-publish target) of the project graph and the targets of its project it depends on. */
export interface PublishTarget {
  project: string;
  target: string;
  dependsOn: string[];
}

/**
 * The verification tasks (docker-test, docker-scan, docker-lint, binary-check) and docker-publish and nx-release-publish tasks of a run. Nx hands its
 * post-run hook only the tasks that ran: a publish it skipped because a task it depends on failed is found through
 * the graph's publish targets (`publishTargets`, with their `dependsOn`) that the command asked for (`requested`,
 * from argv) but did not run; the failed ones among its dependencies stopped it.
 */
export function historyChecks(
  results: FinishedTask[],
  names: TargetNaming,
  publishTargets: PublishTarget[] = [],
  requested: string[] = [],
): { checks: HistoryCheck[]; publishes: HistoryPublish[] } {
  const parsed = results.map((result) => ({ result, name: parseTargetName(names, result.task.target.target) }));
  const checks: HistoryCheck[] = [];
  for (const { result, name } of parsed) {
    const { project, target } = result.task.target;
    const durationMs = taskDurationMs(result);
    const outcome = checkOutcome(result.status);
    if (name?.kind === 'lint') checks.push({ kind: 'lint', project, target, outcome, durationMs });
    else if (name?.kind === 'binary-check')
      checks.push({ kind: 'binary-check', project, target, binary: name.binary, platform: name.platform, outcome, durationMs });
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

  const idOf = (result: FinishedTask) => `${result.task.target.project}:${result.task.target.target}`;
  const ran = new Set(parsed.map(({ result }) => idOf(result)));
  const failed = new Set(parsed.filter(({ result }) => result.status === 'failure').map(({ result }) => idOf(result)));
  // The publishes that ran, as Nx reports them (an aggregate `docker-publish` beside per-variant ones left out).
  // `nx-release-publish` (what `nx release publish` runs) publishes every variant of its project in one task.
  const publishes: HistoryPublish[] = parsed.flatMap(({ result, name }) => {
    const release = result.task.target.target === NX_RELEASE_PUBLISH;
    if (!release && (name?.kind !== 'publish' || (name.variant === undefined && isAggregate(result, parsed)))) return [];
    return [
      {
        project: result.task.target.project,
        target: result.task.target.target,
        variant: release ? EVERY_VARIANT : ((name?.kind === 'publish' ? name.variant : undefined) ?? IMPLICIT_VARIANT),
        outcome: result.status === 'failure' ? ('failed' as const) : ('published' as const),
      },
    ];
  });
  // The publishes the command asked for that Nx skipped: the failed tasks among their dependencies stopped them.
  for (const publish of publishTargets) {
    if (ran.has(`${publish.project}:${publish.target}`)) continue;
    const stoppedBy = publish.dependsOn.map((target) => `${publish.project}:${target}`).filter((dependency) => failed.has(dependency));
    const release = publish.target === NX_RELEASE_PUBLISH;
    const asked = requested.includes(publish.target) || (!release && requested.includes(names.publishTargetName));
    const name = parseTargetName(names, publish.target);
    if (asked && stoppedBy.length)
      publishes.push({
        project: publish.project,
        target: publish.target,
        variant: release ? EVERY_VARIANT : ((name?.kind === 'publish' ? name.variant : undefined) ?? IMPLICIT_VARIANT),
        outcome: 'stopped',
        stoppedBy: stoppedBy.sort(),
      });
  }
  return { checks, publishes };
}

/** `docker-publish` beside per-variant publishes of the same project is their aggregate (a no-op): they speak for it. */
function isAggregate(result: FinishedTask, parsed: Array<{ result: FinishedTask; name: ParsedTargetName | undefined }>): boolean {
  return parsed.some(
    ({ result: other, name }) =>
      other.task.target.project === result.task.target.project && name?.kind === 'publish' && name.variant !== undefined,
  );
}

function checkOutcome(status: string): CheckOutcome {
  if (status === 'success') return 'passed';
  if (status === 'failure') return 'failed';
  if (status === 'local-cache' || status === 'local-cache-kept-existing' || status === 'remote-cache') return 'cached';
  return 'skipped';
}
