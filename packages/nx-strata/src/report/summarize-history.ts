import { HIT_OUTCOMES, type CheckOutcome, type HistoryCheck, type HistoryRun, type HistoryTask, type TaskOutcome } from './history-types';

export interface GroupFigures {
  name: string;
  tasks: number;
  built: number;
  hits: number;
  /** hits / (built + hits); failed and skipped tasks are left out. */
  hitRate: number;
  timeSpentMs: number;
  timeSavedMs: number;
}

export interface TargetFigures {
  project: string;
  target: string;
  kind: HistoryTask['kind'];
  /** `cpu/ml` for a layer, the binary's name for a binary. */
  name: string;
  variant?: string;
  platform: string;
  /** The last real build's duration, or undefined when the history holds no build of it. */
  lastBuildMs?: number;
  sizeBytes: number | null;
  layerCount: number | null;
}

export interface RunFigures {
  id: string;
  startedAt: string;
  command: string;
  tasks: number;
  built: number;
  hits: number;
  hitRate: number;
  durationMs: number;
}

/** A publish that a failed check (or build) stopped: which run, and what stopped it. */
export interface StoppedPublish {
  startedAt: string;
  command: string;
  project: string;
  target: string;
  stoppedBy: string[];
}

/** Verification in the window: checks by kind and outcome, publishes, and the most recent stopped ones. */
export interface VerificationFigures {
  checks: Record<HistoryCheck['kind'], Record<CheckOutcome, number>>;
  published: number;
  stopped: number;
  failed: number;
  /** Most recent first. */
  recentStops: StoppedPublish[];
}

export interface ReportSummary {
  runs: number;
  tasks: number;
  outcomes: Record<TaskOutcome, number>;
  hitRate: number;
  timeSpentMs: number;
  /** Each hit counted at the duration of the last real build of its target before it (else its record's build time). */
  timeSavedMs: number;
  /** Hits for which no build duration is known at all (not counted in timeSavedMs). */
  hitsWithoutBuildTime: number;
  slowest: TargetFigures[];
  byPlatform: GroupFigures[];
  byVariant: GroupFigures[];
  perRun: RunFigures[];
  targets: TargetFigures[];
  verification: VerificationFigures;
}

const isHit = (task: HistoryTask) => HIT_OUTCOMES.includes(task.outcome);
const counts = (task: HistoryTask) => task.outcome !== 'failed' && task.outcome !== 'skipped';

/** The figures `nx-strata report` shows, from the build history (oldest run first). `lastRuns` keeps only the most recent. */
export function summarizeHistory(allRuns: HistoryRun[], options: { lastRuns?: number; slowest?: number } = {}): ReportSummary {
  const runs = options.lastRuns ? allRuns.slice(-options.lastRuns) : allRuns;
  const outcomes: Record<TaskOutcome, number> = { built: 0, 'registry-hit': 0, 'local-cache': 0, 'remote-cache': 0, failed: 0, skipped: 0 };
  const lastBuild = new Map<string, number>();
  const targets = new Map<string, TargetFigures>();
  const groups = { platform: new Map<string, GroupFigures>(), variant: new Map<string, GroupFigures>() };
  let timeSpentMs = 0;
  let timeSavedMs = 0;
  let hitsWithoutBuildTime = 0;
  const perRun: RunFigures[] = [];

  // Build durations seen before the window still price the window's hits.
  for (const run of allRuns.slice(0, allRuns.length - runs.length)) {
    for (const task of run.tasks) if (task.outcome === 'built') lastBuild.set(key(task), task.durationMs);
  }
  for (const run of runs) {
    let built = 0;
    let hits = 0;
    for (const task of run.tasks) {
      outcomes[task.outcome] += 1;
      timeSpentMs += task.durationMs;
      let savedMs = 0;
      if (task.outcome === 'built') {
        built += 1;
        lastBuild.set(key(task), task.durationMs);
      } else if (isHit(task)) {
        hits += 1;
        const price = lastBuild.get(key(task)) ?? task.buildMs;
        if (price === undefined) hitsWithoutBuildTime += 1;
        else savedMs = price;
        timeSavedMs += savedMs;
      }
      addToGroup(groups.platform, task.platform, task, savedMs);
      if (task.kind === 'layer' && task.variant) addToGroup(groups.variant, task.variant, task, savedMs);
      const previous = targets.get(key(task));
      targets.set(key(task), {
        project: task.project,
        target: task.target,
        kind: task.kind,
        name: task.kind === 'layer' ? `${task.variant}/${task.layer}` : (task.binary ?? task.target),
        ...(task.variant ? { variant: task.variant } : {}),
        platform: task.platform,
        lastBuildMs: lastBuild.get(key(task)) ?? previous?.lastBuildMs ?? task.buildMs,
        sizeBytes: task.sizeBytes ?? previous?.sizeBytes ?? null,
        layerCount: task.layerCount ?? previous?.layerCount ?? null,
      });
    }
    perRun.push({
      id: run.id,
      startedAt: run.startedAt,
      command: run.command,
      tasks: run.tasks.length,
      built,
      hits,
      hitRate: ratio(hits, built + hits),
      durationMs: run.durationMs,
    });
  }
  const all = runs.flatMap((run) => run.tasks);
  const hits = all.filter(isHit).length;
  const sorted = [...targets.values()].sort(
    (a, b) => a.project.localeCompare(b.project) || a.name.localeCompare(b.name) || a.platform.localeCompare(b.platform),
  );
  return {
    runs: runs.length,
    tasks: all.length,
    outcomes,
    hitRate: ratio(hits, all.filter(counts).length),
    timeSpentMs,
    timeSavedMs,
    hitsWithoutBuildTime,
    slowest: sorted
      .filter((target) => target.lastBuildMs !== undefined)
      .sort((a, b) => b.lastBuildMs! - a.lastBuildMs!)
      .slice(0, options.slowest ?? 5),
    byPlatform: [...groups.platform.values()].sort((a, b) => a.name.localeCompare(b.name)),
    byVariant: [...groups.variant.values()].sort((a, b) => a.name.localeCompare(b.name)),
    perRun,
    targets: sorted,
    verification: verificationFigures(runs),
  };
}

function verificationFigures(runs: HistoryRun[], recent = 10): VerificationFigures {
  const none = (): Record<CheckOutcome, number> => ({ passed: 0, cached: 0, failed: 0, skipped: 0 });
  const figures: VerificationFigures = {
    checks: { test: none(), scan: none(), lint: none(), 'binary-check': none() },
    published: 0,
    stopped: 0,
    failed: 0,
    recentStops: [],
  };
  for (const run of runs) {
    // A kind this version does not know (a newer writer's) is left out rather than read as one it knows.
    for (const check of run.checks ?? [])
      if (figures.checks[check.kind]?.[check.outcome] !== undefined) figures.checks[check.kind][check.outcome] += 1;
    for (const publish of run.publishes ?? []) {
      figures[publish.outcome === 'published' ? 'published' : publish.outcome] += 1;
      if (publish.outcome === 'stopped')
        figures.recentStops.unshift({
          startedAt: run.startedAt,
          command: run.command,
          project: publish.project,
          target: publish.target,
          stoppedBy: publish.stoppedBy ?? [],
        });
    }
  }
  figures.recentStops = figures.recentStops.slice(0, recent);
  return figures;
}

function key(task: HistoryTask): string {
  return `${task.project}:${task.target}`;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function addToGroup(groups: Map<string, GroupFigures>, name: string, task: HistoryTask, savedMs: number): void {
  const group = groups.get(name) ?? { name, tasks: 0, built: 0, hits: 0, hitRate: 0, timeSpentMs: 0, timeSavedMs: 0 };
  group.tasks += 1;
  if (task.outcome === 'built') group.built += 1;
  if (isHit(task)) group.hits += 1;
  group.hitRate = ratio(group.hits, group.built + group.hits);
  group.timeSpentMs += task.durationMs;
  group.timeSavedMs += savedMs;
  groups.set(name, group);
}
