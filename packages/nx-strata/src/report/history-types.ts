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

/** One `nx run` / `run-many` / `affected` that ran at least one layer or binary task. */
export interface HistoryRun {
  schemaVersion: 1;
  id: string;
  startedAt: string;
  durationMs: number;
  /** The nx command line, e.g. `nx affected -t docker-build`. */
  command: string;
  tasks: HistoryTask[];
}
