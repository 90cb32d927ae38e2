/** The part of puppeteer-core's Browser and Page these tests use (puppeteer-core's own types are ESM-only). */
export interface Page {
  goto(url: string, options: { waitUntil: 'load'; timeout: number }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
  screenshot(options: { path: string }): Promise<unknown>;
}
export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium driven by puppeteer-core (headless, as root: --no-sandbox; nothing downloaded): for pages whose data
 * lives in script variables that `--dump-dom` cannot see, such as `nx graph --file=<page>.html`.
 */
export async function openBrowser(): Promise<Browser> {
  // puppeteer-core is ESM-only: a real dynamic import (node16 module mode keeps it one).
  const puppeteer = (await import('puppeteer-core')).default as unknown as { launch(options: object): Promise<Browser> };
  try {
    return await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--allow-file-access-from-files',
      ],
    });
  } catch (error) {
    throw new Error(`Chromium could not be started (${(error as Error).message}): run tools/env/setup-machine.sh, which installs it`);
  }
}
