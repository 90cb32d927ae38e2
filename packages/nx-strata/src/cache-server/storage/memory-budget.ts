export const DEFAULT_MEMORY_BUDGET = { totalBytes: 32 * 1024 ** 2, perArtifactBytes: 8 * 1024 ** 2 };

/**
 * How many artifact bytes the server may hold in memory at once. Small artifacts (most Nx outputs) that fit are
 * verified and forwarded from memory, saving a temp file and a round trip; bigger ones, and any beyond the budget,
 * stream through a temp file or straight through. Keeps the server's memory bounded whatever the load.
 */
export class MemoryBudget {
  private held = 0;

  constructor(
    readonly totalBytes = DEFAULT_MEMORY_BUDGET.totalBytes,
    readonly perArtifactBytes = DEFAULT_MEMORY_BUDGET.perArtifactBytes,
  ) {}

  /** Reserves `bytes` and returns the function that gives them back (safe to call twice), or undefined if they do not fit. */
  reserve(bytes: number): (() => void) | undefined {
    if (!Number.isFinite(bytes) || bytes < 0 || bytes > this.perArtifactBytes || this.held + bytes > this.totalBytes) return undefined;
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }

  get heldBytes(): number {
    return this.held;
  }
}
