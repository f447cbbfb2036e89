// The web dashboard in Debian's headless Chromium, driven by playwright-core, against the real
// server that DashboardBrowserIT started and filled (its fixture arrives as TRACEFLOW_FIXTURE):
// sign in, the overview's numbers, an error group resolved, a viewer without write controls and
// refused a write, sign out; a screenshot of every page at 1280 x 800 and an axe-core check on each.
// Run: node --test --test-reporter=spec dashboard.e2e.mjs (the IT does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.TRACEFLOW_URL;
const F = JSON.parse(process.env.TRACEFLOW_FIXTURE);
const SHOTS = F.screenshotDir;
mkdirSync(SHOTS, { recursive: true });

let browser;
const problems = []; // console errors, CSP violations and page errors of every page

before(async () => {
  browser = await chromium.launch({
    executablePath: F.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'Europe/Berlin', ...options });
  const page = await context.newPage();
  page.on('console', (m) => {
    // a 401 the page expects (no session yet) is logged by Chromium as a failed resource
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  page.setDefaultTimeout(15_000);
  return { context, page };
}

async function signIn(page, user) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`/apps/${F.app}`));
}

/** axe-core on the page as it is: no serious or critical violation. */
async function accessible(page, name) {
  // Playwright's evaluate runs outside the page's CSP (which allows no inline script)
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `axe on ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

test('sign in, the overview shows what was sent, an error group is resolved, sign out', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').waitFor();
  await shot(page, '01-sign-in');
  await accessible(page, 'sign-in');

  // a wrong password is said in words, with the trace id
  await page.getByLabel('Username').fill(F.editor.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /trace id/);

  await signIn(page, F.editor);
  const pageViews = page.locator('[data-metric="pageViews"] .kpi-value');
  await pageViews.waitFor();
  assert.equal(await pageViews.innerText(), new Intl.NumberFormat('en-US').format(F.pageViews));
  assert.equal(await page.locator('[data-metric="sessions"] .kpi-value').innerText(), String(F.sessions));
  await page.locator('.chart canvas').first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 7);
  await shot(page, '02-overview');
  await accessible(page, 'overview');

  // a range preset and a dimension breakdown
  await page.getByLabel('Time range').selectOption('7d');
  await page.waitForURL(/range=7d/);
  await pageViews.waitFor();
  assert.equal(await pageViews.innerText(), String(F.pageViews));
  // a custom range, in the browser's zone: the last hour holds every page view, the last 5 minutes none
  const localTimes = (minutesBack) => page.evaluate((back) => {
    const pad = (n) => String(n).padStart(2, '0');
    const text = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return [text(new Date(Date.now() - back * 60_000)), text(new Date(Date.now() + 2 * 60_000))];
  }, minutesBack);
  await page.getByLabel('Time range').selectOption('custom');
  for (const [back, expected] of [[60, F.pageViews], [5, 0]]) {
    const [from, to] = await localTimes(back);
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('from') === from);
    await page.waitForFunction((want) => document.querySelector('[data-metric="pageViews"] .kpi-value')?.textContent === want, String(expected));
  }
  await page.getByLabel('Time range').selectOption('7d');
  await page.waitForURL((url) => url.searchParams.get('range') === '7d' && !url.searchParams.has('from'));
  await page.getByLabel('Break Page views down by').selectOption('path');
  await page.locator('#dim-page_views-title').locator('xpath=../..').locator('.u-legend').waitFor();

  // the errors list, then the group
  await page.getByRole('link', { name: 'Errors', exact: true }).click();
  const row = page.locator('.error-link', { hasText: F.errorMessage });
  await row.waitFor();
  await shot(page, '03-errors');
  await accessible(page, 'errors');
  await row.click();
  await page.getByRole('heading', { name: new RegExp(F.errorType) }).waitFor();
  const firstFrame = page.locator('.frames .frame.in-app').first();
  assert.match(await firstFrame.innerText(), new RegExp(F.inAppFunction));
  await shot(page, '04-error-group');
  await accessible(page, 'error group');
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.locator('h2 .badge.status-resolved').waitFor();
  // stored, not only shown: a reload reads it back
  await page.reload();
  await page.locator('h2 .badge.status-resolved').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Resolve' }).count(), 0);
  await page.getByRole('button', { name: 'Reopen' }).waitFor();

  await page.getByRole('link', { name: 'Performance' }).click();
  await page.locator('[data-vital="LCP"] .kpi-value').waitFor();
  assert.equal(await page.locator('[data-vital="LCP"] .kpi-rating').innerText(), 'Poor');
  await shot(page, '05-performance');
  await accessible(page, 'performance');

  await page.getByRole('link', { name: 'Ingest health' }).click();
  await page.getByRole('cell', { name: /Duplicates/ }).waitFor();
  await shot(page, '06-ingest');
  await accessible(page, 'ingest health');

  // sign out: the refresh cookie is revoked, so a reload asks for the password again
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').waitFor();
  await page.reload();
  await page.getByLabel('Username').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  await context.close();
});

test('a reload keeps the session through the refresh cookie, with no token in storage', async (t) => {
  const { context, page } = await newPage();
  await signIn(page, F.editor);
  await page.reload();
  await page.locator('[data-metric="pageViews"] .kpi-value').waitFor();
  // a figure for the note, not a limit: the machine's pace is not the behaviour under test
  t.diagnostic(`overview numbers shown ${Math.round(await page.evaluate(() => performance.now()))} ms after the reload began`);
  const requests = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => `${new URL(e.name).pathname} ${Math.round(e.startTime)}+${Math.round(e.duration)} ms`));
  t.diagnostic(`requests (start+duration): ${requests.join(', ')}`);
  // the first paint does not wait for the account and the apps: the overview's data is asked for
  // beside them, right after the refresh (and / opens the app shown last, its data asked for as early)
  const startedBeforeAppsEnded = () => page.evaluate(() => {
    const entries = performance.getEntriesByType('resource');
    const apps = entries.find((e) => new URL(e.name).pathname === '/api/apps');
    const overview = entries.find((e) => new URL(e.name).pathname === '/api/metrics/overview');
    return { apps: apps && apps.responseEnd, overview: overview && overview.startTime };
  });
  let timing = await startedBeforeAppsEnded();
  assert.ok(timing.overview < timing.apps, `the overview was asked for before /api/apps answered: ${JSON.stringify(timing)}`);
  await page.goto(`${BASE}/`);
  await page.waitForURL(new RegExp(`/apps/${F.app}$`));
  await page.locator('[data-metric="pageViews"] .kpi-value').waitFor();
  timing = await startedBeforeAppsEnded();
  assert.ok(timing.overview < timing.apps, `from /, the last app's overview was asked for early: ${JSON.stringify(timing)}`);
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => `${m.name} ${Math.round(m.startTime)} ms`));
  t.diagnostic(`marks: ${marks.join(', ')}`);
  // two tabs starting at once each refresh: one after the other (a Web Lock), or the second would
  // present the cookie the first just rotated and the server would end the login
  const kpi = (p) => p.locator('[data-metric="pageViews"] .kpi-value').waitFor();
  const second = await context.newPage();
  // each refresh waits (up to 1.5 s) for the other tab's to arrive, so unguarded tabs would overlap
  let arrived = 0;
  let bothArrived;
  const both = new Promise((resolve) => (bothArrived = resolve));
  const overlap = async (route) => {
    if (++arrived === 2) bothArrived();
    await Promise.race([both, new Promise((resolve) => setTimeout(resolve, 1500))]);
    await route.continue();
  };
  await context.route('**/auth/refresh', overlap);
  await Promise.all([page.reload(), second.goto(page.url())]);
  await Promise.all([kpi(page), kpi(second)]);
  await context.unroute('**/auth/refresh', overlap);
  assert.equal(arrived, 2);
  await second.reload();
  await kpi(second);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(stored, /eyJ/, 'no access token in web storage');
  const cookies = await context.cookies();
  assert.ok(cookies.every((c) => c.httpOnly || !/refresh/.test(c.name)), 'the refresh cookie is HttpOnly');
  await context.close();
});

test('a viewer sees no write controls, and a write by hand is refused', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.viewer);
  await page.goto(`${BASE}/apps/${F.app}/errors/${F.errorGroupId}`);
  await page.getByRole('heading', { name: new RegExp(F.errorType) }).waitFor();
  assert.equal(await page.getByRole('button', { name: /Resolve|Ignore|Reopen/ }).count(), 0);
  await shot(page, '07-error-group-viewer');

  const login = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: F.viewer.username, password: F.viewer.password }),
  });
  const { accessToken } = await login.json();
  const write = await fetch(`${BASE}/api/errors/${F.errorGroupId}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ status: 'ignored' }),
  });
  assert.equal(write.status, 403);
  assert.equal((await write.json()).code, 'FORBIDDEN');
  await context.close();
});

test('dark theme and a phone-sized screen', async () => {
  const { context, page } = await newPage({ colorScheme: 'dark' });
  await signIn(page, F.editor);
  await page.locator('[data-metric="pageViews"] .kpi-value').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 7);
  await shot(page, '08-overview-dark');
  await accessible(page, 'overview (dark)');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE}/apps/${F.app}/errors`);
  await page.locator('.error-link').first().waitFor();
  await page.screenshot({ path: `${SHOTS}/09-errors-phone.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  await context.close();
});

test('unknown pages are answered by the page, and nothing broke the policy or threw', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.editor);
  await page.goto(`${BASE}/apps/${F.app}/no-such-page`);
  await page.getByText('No such page').waitFor();
  await context.close();
  assert.deepEqual(problems, [], 'console errors, CSP violations or exceptions in the pages');
});
