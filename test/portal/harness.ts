// The portal's browser test harness: one real server (child process, as `apim-local start`) per test
// file and a browser context of its own in Debian's chromium (test/helpers/browser.ts: the test run's one
// browser; playwright-core, no browser download).
//   const h = await startPortal();          // server + browser + page at /portal/, not signed in
//   await h.signInWithLink();               // the one-time link `apim-local start` printed
//   await h.checkBlade('home');             // axe (no serious/critical) and screenshots at 1280×800 and 390×844
//   await h.close();
// Tests skip with a message when /usr/bin/chromium is missing (CI installs it: .ci/run).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, startTestServer, request, type TestServer } from '../helpers/server.js';
import { CHROMIUM, hasChromium, openBrowser } from '../helpers/browser.js';

/** Why the browser tests are skipped, or undefined when they run. */
export const SKIP: string | undefined = hasChromium()
  ? (fs.existsSync(path.join(ROOT, 'dist/portal/index.html')) ? undefined : 'the portal is not built (npm run build)')
  : `the portal's browser tests need ${CHROMIUM} (apt-get install -y chromium)`;
if (SKIP) process.stderr.write(`portal browser tests skipped: ${SKIP}\n`);

export const VIEWPORTS = [{ width: 1280, height: 800 }, { width: 390, height: 844 }] as const;
export const SCREENSHOTS = path.join(ROOT, 'test-results/portal');

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface PortalHarness {
  server: TestServer;
  context: BrowserContext;
  page: Page;
  portalUrl: string;
  /** Problems the page reported: uncaught errors and Content-Security-Policy violations. */
  pageProblems: string[];
  /** A Resource Manager token of the admin, for checking results through ARM. */
  adminToken(): Promise<string>;
  /** Opens the sign-in link the server printed at start (single use: the first call only). */
  signInWithLink(): Promise<void>;
  /**
   * Runs axe on the current page at both viewports (no serious or critical violations, no sideways scrolling)
   * and keeps screenshots. `dialog`: the page shows a modal dialog (which hides the blade's heading), checked as it is.
   */
  checkBlade(name: string, o?: { dialog?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startPortal(): Promise<PortalHarness> {
  const server = await startTestServer();
  let browser: Browser;
  let context: BrowserContext;
  try {
    browser = await openBrowser();
    // A context of this file's own: as a fresh profile, nothing shared with other files' contexts.
    // The server's certificate is issued by the test CA, which chromium does not trust.
    context = await browser.newContext({ viewport: VIEWPORTS[0], ignoreHTTPSErrors: true });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const page = await context.newPage();
  const pageProblems: string[] = [];
  page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) pageProblems.push(`console: ${m.text()}`); });
  const portalUrl = `${server.connection.managementEndpoint}/portal/`;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  let armToken: { token: string; expiresOnTimestamp: number } | undefined;

  return {
    server, context, page, portalUrl, pageProblems,
    async adminToken() {
      if (!armToken || armToken.expiresOnTimestamp < Date.now() + 60_000) armToken = (await server.credential().getToken('https://management.azure.com/.default'))!;
      return armToken.token;
    },
    async signInWithLink() {
      const m = /(https:\/\/\S+\/portal\/#code=\S+)/.exec(server.output());
      assert.ok(m, `apim-local start printed no sign-in link:\n${server.output()}`);
      await page.goto(m[1]);
      await page.getByRole('banner').getByText(/^Subscription: /).waitFor();
    },
    async checkBlade(name: string, o?: { dialog?: boolean }) {
      if (o?.dialog) await page.locator('[role="dialog"], [role="alertdialog"]').first().waitFor();
      else await page.getByRole('heading', { level: 1 }).first().waitFor();
      await waitForSpinners(page);
      for (const vp of VIEWPORTS) {
        await page.setViewportSize(vp);
        await waitForAnimations(page);
        // The screenshot first: a failing check below leaves it behind to look at.
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${vp.width}x${vp.height}.png`), fullPage: true });
        // axe once per document (it is 500 KB of script to compile): a blade reached in the page keeps it.
        if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; html: string; failureSummary?: string }[] }[] }> } }).axe;
          // Fluent's focus manager (Tabster) puts aria-hidden, focusable <i data-tabster-dummy> sentinels around
          // focus groups on purpose: they hand focus on and are never announced. Everything else is checked.
          const r = await axe.run({ exclude: [['[data-tabster-dummy]']] } as unknown as Document, { resultTypes: ['violations'] });
          // Each node with its markup and axe's reason: Griffel's class names alone do not say which element failed.
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.html.slice(0, 300)} ${n.failureSummary ?? ''}`) }));
        });
        const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious, [], `${name} at ${vp.width}×${vp.height}: axe violations`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${name} at ${vp.width}×${vp.height} scrolls sideways by ${overflow}px`);
      }
      await page.setViewportSize(VIEWPORTS[0]);
      assert.deepEqual(pageProblems, [], `${name}: the page reported problems`);
    },
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

/**
 * Waits until the page's finite animations and transitions are over: Fluent's dialogs and drawers fade
 * and slide in (Web Animations and CSS transitions), and axe measured a dialog half faded in as failing
 * colour contrast on a busy machine. Two frames first, so that what a resize or a click starts has
 * started; again until a check finds none running. Endless ones (none once spinners are gone) are not
 * waited for.
 */
export async function waitForAnimations(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    for (let i = 0; i < 20; i++) {
      await frame();
      await frame();
      const running = document.getAnimations().filter((a) => a.playState === 'running' && Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
      if (running.length === 0) return;
      await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
    }
  });
}

/** Waits until no Fluent spinner (a blade loading) is on the page. */
export async function waitForSpinners(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.fui-Spinner').length === 0, undefined, { timeout: 15_000 });
}

export { request };
