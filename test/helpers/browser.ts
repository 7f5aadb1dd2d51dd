// Debian's chromium for the browser tests (playwright-core; no browser download). scripts/run-tests.mjs
// launches one browser server for the whole run and names it in APIM_LOCAL_TEST_BROWSER_WS: each test
// file connects and works in a context of its own (as isolated as a fresh profile: cookies, storage,
// cache), instead of starting a browser of its own, which costs seconds of CPU before it does anything.
// A file run on its own, without the server, launches its own browser.
import fs from 'node:fs';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BROWSER_WS_ENV = 'APIM_LOCAL_TEST_BROWSER_WS';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Whether chromium is installed. */
export const hasChromium = (): boolean => fs.existsSync(CHROMIUM);

/** The browser server of a test run (scripts/run-tests.mjs). */
export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** The run's browser, or one of this process's own; close() disconnects from the first, ends the second. */
export async function openBrowser(): Promise<Browser> {
  const ws = process.env[BROWSER_WS_ENV];
  return ws ? chromium.connect(ws) : chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}
