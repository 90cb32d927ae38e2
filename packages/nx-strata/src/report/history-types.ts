/** What became of one layer or binary task in one run. */
export type TaskOutcome = 'built' | 'registry-hit' | 'local-cache' | 'remote-cache' | 'failed' | 'skipped';

export const HIT_OUTCOMES: readonly TaskOutcome[] = ['registry-hit', 'local-cache', 'remote-cache'];

/** One layer or binary task of a run, as the build history keeps it. */
export interface HistoryTask {
  kind: 'layer' | 'binary';
  project: string;
  target: string;
  platform: string;
  /** Layers: the variant (`default` without variants) and layer name. Binaries: the binary's name in `binary`. */
  variant?: string;
  layer?: string;
  binary?: string;
  outcome: TaskOutcome;
  /** Wall time of the task in this run (a hit: the time it took to restore or check). */
  durationMs: number;
  /** How long a real build of this exact key took, from its record (also for hits, whose record is restored). */
  buildMs?: number;
  /** Image size (compressed in registry mode) or binary size; null when unknown. */
  sizeBytes?: number | null;
  /** Image layers, its ancestors' included. */
  layerCount?: number | null;
}

/** What became of one verification task (docker-test, docker-scan, docker-lint, binary-check) in one run. */
export type CheckOutcome = 'passed' | 'cached' | 'failed' | 'skipped';

/** One verification task of a run. */
export interface HistoryCheck {
  kind: 'test' | 'scan' | 'lint' | 'binary-check';
  project: string;
  target: string;
  /** Tests and scans: the layer's variant (`default` without variants), layer and platform. */
  variant?: string;
  layer?: string;
  /** Binary checks: the binary's name (with `platform`). */
  binary?: string;
  platform?: string;
  outcome: CheckOutcome;
  durationMs: number;
}

/** One docker-publish task of a run, and what stopped it when it did not run. */
/** The variant of a publish that published every variant of its project in one task (`nx-release-publish`). */
export const EVERY_VARIANT = '*';

export interface HistoryPublish {
  project: string;
  target: string;
  /** The variant it publishes (`default` without variants; `*` for nx-release-publish, which publishes every variant). */
  variant: string;
  /** `stopped`: Nx skipped it because a task it depends on failed (a check, a build); nothing was pushed. */
  outcome: 'published' | 'failed' | 'stopped';
  /** For `stopped`: the failed tasks (`project:target`) that stopped it. */
  stoppedBy?: string[];
}

/** One `nx run` / `run-many` / `affected` that ran at least one layer, binary, check or publish task. */
export interface HistoryRun {
  schemaVersion: 1;
  id: string;
  startedAt: string;
  durationMs: number;
  /** The nx command line, e.g. `nx affected -t docker-build`. */
  command: string;
  tasks: HistoryTask[];
  /** The run's docker-test, docker-scan and docker-lint tasks (absent in runs recorded before they existed). */
  checks?: HistoryCheck[];
  /** The run's docker-publish tasks, each with what stopped it. */
  publishes?: HistoryPublish[];
}
