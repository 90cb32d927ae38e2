import { spawnSync } from 'node:child_process';

/**
 * Opens a local page in headless Chromium (Debian's package, as root: --no-sandbox; no background networking) and
 * returns the DOM after its scripts ran, or throws with Chromium's own output.
 */
export function renderedDom(file: string, marker: string): string {
  for (let attempt = 1; ; attempt++) {
    const run = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-sync',
        '--disable-extensions',
        '--virtual-time-budget=10000',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.error)
      throw new Error(`chromium could not be started (${run.error.message}): run tools/env/setup-machine.sh, which installs it`);
    if (run.stdout.includes(marker)) return run.stdout;
    if (attempt === 3) throw new Error(`chromium rendered ${file} without ${marker} (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  }
}

/** The `data-value`s of the shapes of one chart series, in document order. */
export function seriesValues(dom: string, chartId: string, series: string): string[] {
  const chart = dom.slice(dom.indexOf(`<div id="${chartId}">`));
  const start = chart.indexOf(`<g class="series" data-series="${series}"`);
  if (start < 0) return [];
  const group = chart.slice(start, chart.indexOf('</g>', start));
  return [...group.matchAll(/<(?:rect|circle) [^>]*data-value="([^"]*)"/g)].map((match) => match[1]);
}
