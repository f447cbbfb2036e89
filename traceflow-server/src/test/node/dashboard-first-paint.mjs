// The overview's first meaningful paint (issue 24: under 1 s with 1M stored events), measured in
// Debian's headless Chromium against a running server: a measuring script, not a test (the machine's
// pace is not a behaviour). The server must hold the data already (README "Dashboard" says how the
// 1M-event figures were made; traceflow-benchmark/dashboard-paint-bench.sh loads the events, starts the
// server on them and runs this script).
//
//   TRACEFLOW_URL=http://localhost:8080 TRACEFLOW_USER=admin TRACEFLOW_PASSWORD=... TRACEFLOW_APP=shop-1 \
//     node dashboard-first-paint.mjs [--runs 10] [--ranges 24h,30d] [--cold]
//
// Each run opens the overview in a new tab of a signed-in browser (the refresh cookie is there, as
// for a returning user; --cold also empties the HTTP cache first, so the script is downloaded again),
// and reads when the seven numbers and the seventh chart appeared in the DOM (a MutationObserver put in
// before the page's own code), from the start of the navigation, beside the page's own performance
// marks `traceflow:overview-numbers` and `traceflow:overview-charts` (null in builds without them),
// First Contentful Paint, and when each request leading there started and ended.
import { chromium } from 'playwright-core';

const BASE = process.env.TRACEFLOW_URL || 'http://localhost:8080';
const USER = process.env.TRACEFLOW_USER || 'admin';
const PASSWORD = process.env.TRACEFLOW_PASSWORD;
const APP = process.env.TRACEFLOW_APP;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '10'));
const RANGES = arg('ranges', '24h').split(',');
const COLD = process.argv.includes('--cold');
if (!PASSWORD || !APP) {
  console.error('TRACEFLOW_PASSWORD and TRACEFLOW_APP are required');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
// The same moments seen from outside the page's code, so that a build without the marks (the one
// before them, for a comparison) is measured the same way: when the numbers appear in the DOM and
// when the seventh chart's canvas does.
await context.addInitScript(() => {
  const seen = {};
  window.__firstPaint = seen;
  new MutationObserver(() => {
    if (seen.numbers == null && document.querySelector('[data-metric="pageViews"] .kpi-value')) seen.numbers = performance.now();
    if (seen.charts == null && document.querySelectorAll('.chart canvas').length >= 7) seen.charts = performance.now();
  }).observe(document, { childList: true, subtree: true });
});
const signIn = await context.newPage();
await signIn.goto(`${BASE}/`);
await signIn.getByLabel('Username').fill(USER);
await signIn.getByLabel('Password').fill(PASSWORD);
await signIn.getByRole('button', { name: 'Sign in' }).click();
await signIn.waitForURL(/\/apps\//);
await signIn.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = {};
for (const range of RANGES) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    if (COLD) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
    }
    await page.goto(`${BASE}/apps/${encodeURIComponent(APP)}?range=${range}`);
    await page.waitForFunction(() => window.__firstPaint.numbers != null && window.__firstPaint.charts != null, null,
      { timeout: 60_000, polling: 50 });
    const run = await page.evaluate(() => {
      const mark = (name) => Math.round(performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN);
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const request = (path) => {
        const e = performance.getEntriesByType('resource').find((r) => new URL(r.name).pathname === path);
        return e ? `${Math.round(e.startTime)}-${Math.round(e.responseEnd)}` : null;
      };
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        numbers: Math.round(window.__firstPaint.numbers),
        charts: Math.round(window.__firstPaint.charts),
        numbersMark: mark('traceflow:overview-numbers'),
        chartsMark: mark('traceflow:overview-charts'),
        fcp: fcp ? Math.round(fcp.startTime) : null,
        document: Math.round(nav.responseEnd),
        refresh: request('/auth/refresh'),
        me: request('/api/users/me'),
        apps: request('/api/apps'),
        overview: request('/api/metrics/overview'),
      };
    });
    runs.push(run);
    console.log(`${range} run ${i + 1}: ${JSON.stringify(run)}`);
    await page.close();
  }
  results[range] = {
    runs: runs.length,
    medianNumbersMs: median(runs.map((r) => r.numbers)),
    medianChartsMs: median(runs.map((r) => r.charts)),
    maxNumbersMs: Math.max(...runs.map((r) => r.numbers)),
    maxChartsMs: Math.max(...runs.map((r) => r.charts)),
    medianFcpMs: median(runs.map((r) => r.fcp)),
    maxFcpMs: Math.max(...runs.map((r) => r.fcp)),
  };
}
console.log(JSON.stringify({ url: BASE, app: APP, cold: COLD, results }, null, 2));
await browser.close();
