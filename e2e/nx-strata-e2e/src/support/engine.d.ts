/** The machine set-up's recorded values (`/var/lib/nx-strata-dev/env`: KEY=value lines). */
export function machineEnv(): Record<string, string>;
/** Points this process (and so every child) at the engine STRATA_E2E_ENGINE names and checks it is that engine. */
export function useEngine(): { engine: 'classic' | 'containerd'; version: string };
