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
    // a 401 the page expects (no session yet) is logged by Chromium as a failed resource; so is a read
    // the server shed under this machine's load (503 with Retry-After), which the page asks again
    if (m.type() === 'error' && !/status of (401|503)/.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
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

  await page.getByRole('link', { name: 'Ingest', exact: true }).click();
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

/** Sends events through the ingest API with the app's key, as a site would. */
async function ingest(events) {
  const res = await fetch(`${BASE}/api/collect/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-TraceFlow-Key': F.ingestKey },
    body: JSON.stringify({ events: events.map((e) => ({ appId: F.app, timestamp: Date.now(), eventId: crypto.randomUUID(),
      url: `https://shop.test${e.path || '/'}`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0.0.0 Safari/537.36', ...e })) }),
  });
  assert.equal(res.status, 202, await res.text());
}

async function tokenOf(user) {
  const login = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.equal(login.status, 200);
  return (await login.json()).accessToken;
}

async function send(method, path, token, body) {
  return fetch(`${BASE}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('sessions, a session timeline, the page transitions and a click heatmap', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.editor);
  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  const rows = page.locator('.sessions-table tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), F.sessions);
  await shot(page, '10-sessions');
  await accessible(page, 'sessions');

  // newest first: s3 looked at /docs, /pricing, clicked, went to /checkout and hit the error
  await page.locator('.session-link').first().click();
  await page.getByRole('heading', { name: /Session/ }).waitFor();
  const timeline = page.locator('.timeline-event');
  await timeline.first().waitFor();
  assert.equal(await timeline.count(), 6);
  assert.match(await timeline.first().innerText(), /pageview[\s\S]*\/docs/);
  assert.match(await timeline.last().innerText(), /error[\s\S]*basket\.total is not a function/);
  await shot(page, '11-session');
  await accessible(page, 'session');

  await page.goto(`${BASE}/apps/${F.app}/paths`);
  const transition = page.locator('.transitions tbody tr', { hasText: '/docs' }).filter({ hasText: '/pricing' });
  await transition.waitFor();
  assert.match(await transition.innerText(), /\/docs\s+\/pricing\s+1/);
  await page.getByLabel('Page', { exact: true }).fill('/pricing');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('heading', { name: 'Clicks on /pricing' }).waitFor();
  // the first page's heatmap stays shown until /pricing's arrives
  await page.waitForFunction((n) => document.querySelector('[data-testid="heatmap-clicks"]')?.textContent.startsWith(`${n} clicks`),
    F.clicksOnPricing);
  assert.match(await page.getByTestId('heatmap-clicks').innerText(), new RegExp(`^${F.clicksOnPricing} clicks .* in 2 cells`));
  // drawn: the busiest cell (x 50, y 25 of 100) is painted, a corner is not. The canvas is drawn in
  // an effect, which runs after the count's text is shown: wait for the paint, then check it.
  await page.waitForFunction(() => {
    const c = document.querySelector('canvas.heatmap');
    return c && c.width > 0 && c.getContext('2d').getImageData(Math.floor(c.width * 0.505), Math.floor(c.height * 0.255), 1, 1).data[3] > 0;
  }).catch(() => {});
  const painted = await page.evaluate(() => {
    const c = document.querySelector('canvas.heatmap');
    const g = c.getContext('2d');
    const alpha = (fx, fy) => g.getImageData(Math.floor(c.width * fx), Math.floor(c.height * fy), 1, 1).data[3];
    return { hot: alpha(0.505, 0.255), corner: alpha(0.99, 0.01), ratio: c.height / c.width };
  });
  assert.ok(painted.hot > 200 && painted.corner === 0, JSON.stringify(painted));
  assert.ok(Math.abs(painted.ratio - 10 / 16) < 0.02, `the desktop proportions: ${painted.ratio}`);
  await shot(page, '12-paths-heatmap');
  await accessible(page, 'paths');
  await context.close();
});

test('alerts: a rule made in the page, its incident acknowledged; a viewer reads only', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.editor);
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await page.getByRole('heading', { name: 'New rule' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('New errors (e2e)');
  await page.getByLabel('When').selectOption('new_error_group');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.locator('.rules tbody tr', { hasText: 'New errors (e2e)' }).waitFor();

  // a new kind of error: the rule opens an incident within a second or two
  await ingest([{ type: 'error', sessionId: 'alerting', path: '/checkout', errorType: 'RangeError',
    message: `e2e alert ${Date.now()}`, stack: 'RangeError: e2e\n    at pay (https://shop.test/static/pay.js:3:9)' }]);
  const incident = page.locator('.incidents tbody tr');
  for (let i = 0; i < 30 && (await incident.count()) === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.reload();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.locator('.incidents, .card p.muted').first().waitFor();
  }
  await incident.first().waitFor();
  await incident.first().getByRole('link', { name: /^Error group / }).waitFor();
  await incident.first().getByRole('button', { name: 'Acknowledge' }).click();
  await incident.first().getByRole('button', { name: 'Acknowledge' }).waitFor({ state: 'detached' });

  // a channel: a webhook (the tests' outbound networks allow loopback), its generated secret shown once
  await page.getByRole('textbox', { name: 'Channel name' }).fill('On-call hook (e2e)');
  await page.getByRole('textbox', { name: 'URL' }).fill('http://127.0.0.1:9/traceflow-e2e');
  await page.getByRole('button', { name: 'Add channel' }).click();
  const secret = page.locator('.channel-secret input');
  await secret.waitFor();
  assert.ok((await secret.inputValue()).length >= 16, 'the generated secret is shown');
  await page.locator('.channels tbody tr', { hasText: 'On-call hook (e2e)' }).waitFor();
  // a silence of every rule for an hour
  await page.getByRole('textbox', { name: 'Reason' }).fill('deploying (e2e)');
  await page.getByRole('button', { name: 'Silence', exact: true }).click();
  const silence = page.locator('.silences tbody tr', { hasText: 'deploying (e2e)' });
  await silence.waitFor();
  assert.match(await silence.innerText(), /Every rule of the app/);
  await shot(page, '13-alerts');
  await accessible(page, 'alerts');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  // stored, not only shown; the secret is not shown again
  await page.reload();
  await page.locator('.channels tbody tr', { hasText: 'On-call hook (e2e)' }).waitFor();
  await silence.waitFor();
  assert.equal(await page.locator('.channel-secret').count(), 0);

  // the rule edited in the page: renamed, made a threshold on LCP, notifying the new channel (PUT)
  await page.getByRole('button', { name: 'Edit New errors (e2e)' }).click();
  const edit = page.locator('form[data-rule-form]').filter({ has: page.getByRole('heading', { name: /^Edit rule/ }) });
  await edit.waitFor();
  assert.equal(await edit.getByLabel('Name', { exact: true }).inputValue(), 'New errors (e2e)', 'the form starts from the rule');
  await edit.getByLabel('Name', { exact: true }).fill('Slow LCP (e2e)');
  // the fields by name: a select's label takes in its options' text ("When … A metric crosses a threshold")
  await edit.locator('select[name="kind"]').selectOption('threshold');
  await edit.locator('select[name="metric"]').selectOption('lcp_p75');
  await edit.locator('select[name="comparison"]').selectOption('gt');
  await edit.locator('input[name="threshold"]').fill('4000');
  await edit.locator('input[name="windowMinutes"]').fill('15');
  await edit.getByRole('checkbox', { name: /On-call hook \(e2e\)|traceflow-e2e/ }).check();
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await edit.waitFor({ state: 'detached' });
  const edited = page.locator('.rules tbody tr', { hasText: 'Slow LCP (e2e)' });
  await edited.waitFor();
  assert.match(await edited.innerText(), /lcp_p75 above 4,000 over PT15M/);
  const editorToken = await tokenOf(F.editor);
  const rules = (await (await send('GET', `/api/alerts/rules?appId=${F.app}`, editorToken)).json()).items;
  const stored = rules.find((r) => r.name === 'Slow LCP (e2e)');
  const channels = (await (await send('GET', `/api/alerts/channels?appId=${F.app}`, editorToken)).json()).items;
  assert.deepEqual([stored.kind, stored.metric, stored.comparison, stored.threshold, stored.window, stored.channelIds],
    ['threshold', 'lcp_p75', 'gt', 4000, 'PT15M', [channels.find((c) => c.name === 'On-call hook (e2e)').id]]);
  // opened again, the form shows what was saved; a second change keeps the rest
  await edited.getByRole('button', { name: 'Edit Slow LCP (e2e)' }).click();
  await edit.waitFor();
  assert.equal(await edit.locator('input[name="threshold"]').inputValue(), '4000');
  assert.equal(await edit.locator('input[name="windowMinutes"]').inputValue(), '15');
  assert.equal(await edit.locator('select[name="metric"]').inputValue(), 'lcp_p75');
  assert.equal(await edit.locator('select[name="comparison"]').inputValue(), 'gt');
  await edit.locator('input[name="threshold"]').fill('4500');
  await shot(page, '13b-alerts-edit-rule');
  await accessible(page, 'alerts (editing a rule)');
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await edit.waitFor({ state: 'detached' });
  await page.locator('.rules tbody tr', { hasText: 'lcp_p75 above 4,500 over PT15M' }).waitFor();
  const saved = await (await send('GET', `/api/alerts/rules/${stored.id}`, editorToken)).json();
  assert.deepEqual([saved.threshold, saved.window, saved.channelIds], [4500, 'PT15M', stored.channelIds]);
  await context.close();

  const viewer = await newPage();
  await signIn(viewer.page, F.viewer);
  await viewer.page.goto(`${BASE}/apps/${F.app}/alerts`);
  await viewer.page.locator('.rules tbody tr', { hasText: 'Slow LCP (e2e)' }).waitFor();
  await viewer.page.locator('.channels tbody tr', { hasText: 'On-call hook (e2e)' }).waitFor();
  await viewer.page.locator('.silences tbody tr', { hasText: 'deploying (e2e)' }).waitFor();
  assert.equal(await viewer.page.getByRole('button',
    { name: /Create rule|Acknowledge|Add channel|Delete|End now|^Silence$|^Edit|Save rule/ }).count(), 0);
  await shot(viewer.page, '14-alerts-viewer');
  await accessible(viewer.page, 'alerts (viewer)');
  const token = await tokenOf(F.viewer);
  const rule = await send('POST', '/api/alerts/rules', token, { appId: F.app, name: 'by hand', kind: 'new_error_group', channelIds: [] });
  assert.equal(rule.status, 403);
  const channel = await send('POST', '/api/alerts/channels', token, { appId: F.app, type: 'webhook', url: 'http://127.0.0.1:9/x' });
  assert.equal(channel.status, 403);
  const viewersRules = (await (await send('GET', `/api/alerts/rules?appId=${F.app}`, token)).json()).items;
  const put = await send('PUT', `/api/alerts/rules/${viewersRules.find((r) => r.name === 'Slow LCP (e2e)').id}`, token,
    { appId: F.app, name: 'by hand', kind: 'new_error_group', channelIds: [] });
  assert.equal(put.status, 403);
  await viewer.context.close();

  // the editor ends the silence: it leaves the list
  const again = await newPage();
  await signIn(again.page, F.editor);
  await again.page.goto(`${BASE}/apps/${F.app}/alerts`);
  const row = again.page.locator('.silences tbody tr', { hasText: 'deploying (e2e)' });
  await row.getByRole('button', { name: 'End now' }).click();
  await row.waitFor({ state: 'detached' });
  await again.page.getByText('Nothing is silenced').waitFor();
  await again.context.close();
});

test('administration: an owner makes a key (shown once) and reads members and the audit trail', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.owner);
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('heading', { name: 'Ingest keys' }).waitFor();
  await page.getByRole('button', { name: 'New key' }).click();
  const secret = page.locator('.secret input').first();
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^tfk_/);
  await page.locator('table.members', { hasText: F.viewer.username }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Users' }).count(), 0, 'users are for admins');
  await shot(page, '15-admin');
  await accessible(page, 'administration');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  assert.equal(await page.locator('.secret').count(), 0);
  // shown once: a reload lists the key by its prefix only, and the trail has its creation
  await page.reload();
  await page.locator('.audit tbody tr', { hasText: 'key.create' }).first().waitFor();
  assert.equal(await page.locator('.secret').count(), 0);
  await context.close();
});

test('a viewer sees no administration, and writes by hand are refused', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.viewer);
  await page.locator('[data-metric="pageViews"] .kpi-value').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0);
  await page.goto(`${BASE}/apps/${F.app}/admin`);
  await page.getByText('Administration is for the app').waitFor();
  assert.equal(await page.getByRole('button').filter({ hasText: /New key|Save|Add member|Remove|Revoke/ }).count(), 0);
  await shot(page, '16-admin-viewer');
  await accessible(page, 'administration (viewer)');
  const token = await tokenOf(F.viewer);
  for (const [method, path, body] of [
    ['POST', `/api/apps/${F.app}/keys`, undefined],
    ['PUT', `/api/apps/${F.app}/members/${F.viewer.username}`, { role: 'owner' }],
    ['PATCH', `/api/apps/${F.app}`, { name: 'taken over' }],
  ]) {
    const res = await send(method, path, token, body);
    assert.equal(res.status, 403, `${method} ${path}`);
  }
  const members = await send('GET', `/api/apps/${F.app}/members`, await tokenOf(F.owner));
  const viewerRow = (await members.json()).items.find((m) => m.username === F.viewer.username);
  assert.equal(viewerRow.role, 'viewer', 'still a viewer');
  await context.close();
});

test('the live page shows events arriving and stored now, through the realtime gateway', async () => {
  const { context, page } = await newPage();
  // every connection to the gateway passes through the test, which can drop it as a network would
  const connections = [];
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    ws.connectToServer();
    connections.push(ws);
  });
  await signIn(page, F.editor);
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  await page.locator('.live-status', { hasText: 'Connected' }).waitFor();
  await page.getByTestId('live-position').filter({ hasText: /seq/ }).waitFor();
  await ingest([
    { type: 'pageview', sessionId: 'live-1', path: '/' },
    { type: 'pageview', sessionId: 'live-1', path: '/pricing' },
    { type: 'error', sessionId: 'live-1', path: '/pricing', message: 'price is undefined', errorType: 'TypeError' },
  ]);
  // each arrives on traceflow:events at once, newest first, with what it was
  const arrived = page.locator('.live-events tbody tr');
  await arrived.nth(2).waitFor();
  assert.deepEqual(await page.locator('.live-events tbody tr td:nth-child(3)').allInnerTexts(), ['/pricing', '/pricing', '/']);
  assert.match(await arrived.first().innerText(), /error[\s\S]*TypeError: price is undefined[\s\S]*Chrome/);
  // the next 5-second round of metrics_updated counts them
  const pageViewsAtLeast = (n) => page.waitForFunction((want) =>
    Number(document.querySelector('[data-live="page_views"] .kpi-value')?.textContent) >= want, n, { timeout: 20_000 });
  await pageViewsAtLeast(2);
  assert.ok(Number(await page.locator('[data-live="events"] .kpi-value').innerText()) >= 2);
  await page.locator('.live-table tbody tr').first().waitFor();
  await shot(page, '17-live');
  await accessible(page, 'live');

  // the line drops: the reference client reconnects and resumes from its last seq, and says so
  assert.equal(connections.length, 1);
  await connections[0].close({ code: 4000, reason: 'dropped by the test' });
  await page.getByTestId('live-connects').filter({ hasText: '2' }).waitFor();
  await page.getByTestId('live-resume').filter({ hasText: /^resumed after seq \d+/ }).waitFor();
  await page.locator('.live-status', { hasText: 'Connected' }).waitFor();
  await ingest([{ type: 'pageview', sessionId: 'live-2', path: '/docs' }]);
  await page.locator('.live-events tbody tr td:nth-child(3)', { hasText: '/docs' }).waitFor();
  assert.equal(await arrived.count(), 4, 'each event once, also across the reconnect');
  await pageViewsAtLeast(3);
  const seqs = await page.locator('.live-table tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal(new Set(seqs).size, seqs.length, `no round shown twice: ${seqs}`);
  await context.close();
});

/** Every line of a build's log through REST, page by page (GET /builds/{id}/logs?after=). */
async function restLog(token, buildId) {
  const lines = [];
  let after = 0;
  for (;;) {
    const res = await send('GET', `/builds/${buildId}/logs?after=${after}`, token);
    assert.equal(res.status, 200);
    const page = await res.json();
    if (page.lines.length === 0) return { lines, done: page.done, status: page.status };
    lines.push(...page.lines);
    after = page.next;
  }
}

test('builds: one triggered in the page, its log live while it runs, resumed after a drop, whole after the end', async (t) => {
  const B = F.builds;
  const { context, page } = await newPage();
  // a failure part-way leaves no page following the gateway behind for the next tests
  t.after(() => context.close().catch(() => {}));
  // every connection to the gateway passes through the test, which can drop it as a network would
  const connections = [];
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    ws.connectToServer();
    connections.push(ws);
  });
  await signIn(page, F.editor);
  await page.getByRole('link', { name: 'Builds', exact: true }).click();
  await page.getByRole('heading', { name: 'Trigger a build' }).waitFor();
  await page.getByText('No builds yet.').waitFor();
  await page.getByLabel('Config').selectOption(B.configId);
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await page.waitForURL(/\/builds\/[^/?]+$/);
  const buildId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  // the same snapshot again while it is queued or running: refused in words, with a link to that build
  await page.goBack();
  await page.getByLabel('Config').selectOption(B.configId);
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  assert.match(await page.getByRole('alert').innerText(), /queued or running[\s\S]*BUILD_IN_PROGRESS[\s\S]*trace id/);
  // Chromium logs the refused request as a failed resource: expected here, and only here
  for (let i = 0; i < 50 && !problems.some((p) => /status of 409/.test(p)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(problems.filter((p) => /status of 409/.test(p)).length, 1, JSON.stringify(problems));
  problems.splice(problems.findIndex((p) => /status of 409/.test(p)), 1);
  await page.getByRole('link', { name: 'The build already queued or running' }).click();
  await page.waitForURL((url) => url.pathname.endsWith(`/builds/${encodeURIComponent(buildId)}`));

  // while it runs: lines arrive one by one, the log says Live and has not ended
  const lines = page.locator('.build-log .log-line');
  await page.waitForFunction(() => document.querySelectorAll('.build-log .log-line').length >= 3, null, { timeout: 60_000 });
  const whileRunning = { status: await page.getByTestId('log-status').innerText(), shown: await lines.count() };
  assert.equal(whileRunning.status, 'Live', JSON.stringify(whileRunning));
  assert.ok(whileRunning.shown < B.steps, `the log is shown while the build runs: ${JSON.stringify(whileRunning)}`);
  await page.locator('h2 [data-status="running"]').waitFor();
  await shot(page, '18-build-running');
  await accessible(page, 'build (running)');

  // the line drops mid-build: the page subscribes again from its last cursor
  const before = await lines.count();
  connections.at(-1).close({ code: 4000, reason: 'dropped by the test' });
  await page.getByTestId('log-position').filter({ hasText: 'connects 2' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('log-status').filter({ hasText: 'Ended: success' }).waitFor({ timeout: 90_000 });
  const cursors = await lines.evaluateAll((els) => els.map((e) => Number(e.dataset.cursor)));
  assert.ok(cursors.length > before, 'lines kept coming after the reconnect');
  assert.deepEqual(cursors, cursors.map((_, i) => i + 1), 'every cursor once, in order: no gap, no repeat');
  const texts = await page.locator('.build-log .log-text').allInnerTexts();
  for (let i = 1; i <= B.steps; i++) {
    assert.equal(texts.filter((t) => t === `building step ${i} of ${B.steps}`).length, 1, `step ${i} shown once`);
  }
  // the page shows the whole stored log, as REST reads it
  const editorToken = await tokenOf(F.editor);
  const stored = await restLog(editorToken, buildId);
  assert.equal(stored.done, true);
  assert.equal(stored.status, 'success');
  assert.deepEqual(texts, stored.lines.map((l) => l.line));

  // ended: the status, the stages, who triggered it, the artifact
  await page.locator('h2 [data-status="success"]').waitFor();
  await page.locator('.stages-table tbody tr').first().waitFor();
  assert.equal(await page.getByTestId('build-triggered-by').innerText(), F.editor.username);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download artifact' }).click()]);
  assert.match(download.suggestedFilename(), /\.tar\.gz$/);
  await shot(page, '19-build-ended');
  await accessible(page, 'build (ended)');

  // a rollback to it: a new build of the same snapshot, linked to the one it rolls back to
  await page.getByRole('button', { name: 'Roll back to this build' }).click();
  await page.waitForURL((url) => /\/builds\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(`/${buildId}`));
  const rollbackId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  // the rollback's own page (the one left may linger for a render), linking to the build it rolls back to
  await page.locator('h2 code', { hasText: rollbackId.slice(0, 8) }).waitFor();
  await page.getByRole('link', { name: buildId.slice(0, 8), exact: true }).waitFor();
  await page.getByTestId('log-status').filter({ hasText: 'Ended: success' }).waitFor({ timeout: 90_000 });

  // the list of every project's builds: both builds, their project, status, stages (from the list itself: the
  // page reads no build on its own for them) and who triggered them, the rollback's origin, filtered by status
  const perBuildReads = [];
  const countReads = (request) => {
    if (new URL(request.url()).pathname === `/builds/${buildId}`) perBuildReads.push(request.url());
  };
  page.on('request', countReads);
  await page.getByRole('link', { name: 'All builds' }).click();
  await page.getByRole('heading', { name: 'Builds of every project' }).waitFor();
  const row = page.locator(`.builds tbody tr[data-build="${buildId}"]`);
  await row.locator('[data-status="success"]').waitFor();
  await row.locator('.stage').first().waitFor();
  assert.equal(await row.locator('.stage').count(), 6);
  assert.equal(await row.locator('.build-project').innerText(), 'shop-web');
  assert.equal(await row.locator('.triggered-by').innerText(), F.editor.username);
  const rollbackRow = page.locator(`.builds tbody tr[data-build="${rollbackId}"]`);
  await rollbackRow.getByRole('link', { name: `rollback of ${buildId.slice(0, 8)}` }).waitFor();
  // the list reads it again every 2 s while it is queued or running
  await rollbackRow.locator('[data-status="success"]').waitFor({ timeout: 60_000 });
  await page.getByLabel('Build status').selectOption('fail');
  await page.getByText('No builds with status fail yet.').waitFor();
  await page.getByLabel('Build status').selectOption('');
  await row.waitFor();
  await shot(page, '20-builds');
  await accessible(page, 'builds');
  page.off('request', countReads);
  assert.deepEqual(perBuildReads, [], 'the list carries the stages of its builds');
  // one project's builds: the other project of the app has none, the project column goes
  await page.getByLabel('Builds of project').selectOption(B.otherProjectId);
  await page.getByRole('heading', { name: 'Builds of shop-web-staging' }).waitFor();
  await page.getByText('No builds yet.').waitFor();
  await page.getByLabel('Builds of project').selectOption('');
  await row.waitFor();

  // the release it made, and what it did to the app's users: events and a new error group sent with it
  const build = await (await send('GET', `/builds/${buildId}`, editorToken)).json();
  assert.ok(build.release, JSON.stringify(build));
  const message = `release e2e ${Date.now()}`;
  const sent = Date.now();
  await ingest([
    { type: 'pageview', sessionId: 'release-1', path: '/', release: build.release },
    { type: 'error', sessionId: 'release-1', path: '/', release: build.release, errorType: 'SyntaxError', message,
      stack: 'SyntaxError: e2e\n    at boot (https://shop.test/static/boot.js:1:1)' },
    // its web vitals: the LCP reported twice under one id (the last value, 1800 ms, counts), a CLS the
    // client calls good that the server rates poor
    { type: 'web-vital', sessionId: 'release-1', path: '/', release: build.release, timestamp: sent - 2000, name: 'LCP',
      value: 5200, rating: 'poor', id: 'release-lcp' },
    { type: 'web-vital', sessionId: 'release-1', path: '/', release: build.release, timestamp: sent - 1000, name: 'LCP',
      value: 1800, rating: 'good', id: 'release-lcp' },
    { type: 'web-vital', sessionId: 'release-1', path: '/', release: build.release, timestamp: sent - 1000, name: 'CLS',
      value: 0.3, rating: 'good', id: 'release-cls' },
  ]);
  // stored asynchronously: wait through the API (cheaper than reloading the page), then open the page once
  const telemetryStored = async () => {
    const res = await send('GET', `/api/apps/${F.app}/releases`, editorToken);
    const item = (await res.json()).items.find((r) => r.release === build.release);
    return item && item.telemetry.events >= 5 && item.telemetry.newErrorGroupCount >= 1 && item.telemetry.vitals.length === 2;
  };
  for (let i = 0; i < 60 && !(await telemetryStored()); i++) await new Promise((resolve) => setTimeout(resolve, 1000));
  // and its error group, which the page links to by id (fresh=true: once every acknowledged event is counted)
  const groups = await send('GET', `/api/errors?appId=${F.app}&release=${encodeURIComponent(build.release)}&fresh=true`, editorToken);
  assert.ok((await groups.json()).items.some((g) => g.message === message), 'the release\'s error group is listed');
  await page.getByRole('link', { name: 'Releases', exact: true }).first().click();
  const release = page.locator('.releases tbody tr', { has: page.locator('.release-name', { hasText: build.release }) });
  await release.waitFor();
  await release.getByRole('link', { name: buildId.slice(0, 8) }).waitFor();
  await release.locator('.new-group').waitFor();
  assert.equal(await release.locator('[data-cell="events"]').innerText(), '5');
  assert.equal(await release.locator('[data-cell="error-rate"]').innerText(), '20%');
  // the release's vitals at p75, rated by the server in Google's colours
  const vitals = page.locator('.release-vitals tbody tr', { has: page.getByText(build.release, { exact: true }) });
  const lcp = vitals.locator('td[data-vital="LCP"]');
  assert.equal(await lcp.locator('.vital-p75').innerText(), '1.8 s');
  assert.match(await lcp.getAttribute('class'), /rating-good/);
  assert.match(await lcp.innerText(), /1 sample/);
  const cls = vitals.locator('td[data-vital="CLS"]');
  assert.equal(await cls.locator('.vital-p75').innerText(), '0.3');
  assert.match(await cls.getAttribute('class'), /rating-poor/);
  assert.equal(await vitals.locator('td[data-vital="INP"]').count(), 0, 'no INP sample: no INP cell');
  await shot(page, '21-releases');
  await accessible(page, 'releases');
  await release.locator('.new-group', { hasText: message }).click();
  await page.getByRole('heading', { name: /SyntaxError/ }).waitFor();
  await context.close();

  // a viewer reads builds but has no trigger, cancel, retry or rollback, and a write by hand is refused
  const viewer = await newPage();
  t.after(() => viewer.context.close().catch(() => {}));
  await signIn(viewer.page, F.viewer);
  await viewer.page.goto(`${BASE}/apps/${F.app}/builds`);
  await viewer.page.locator(`.builds tbody tr[data-build="${buildId}"]`).waitFor();
  assert.equal(await viewer.page.getByRole('heading', { name: 'Trigger a build' }).count(), 0);
  await viewer.page.goto(`${BASE}/apps/${F.app}/builds/${buildId}`);
  await viewer.page.getByTestId('log-status').filter({ hasText: 'Ended: success' }).waitFor();
  await viewer.page.getByRole('button', { name: 'Download artifact' }).waitFor();
  assert.equal(await viewer.page.getByRole('button', { name: /^(Build|Cancel|Retry|Roll back)/ }).count(), 0);
  await shot(viewer.page, '22-build-viewer');
  await accessible(viewer.page, 'build (viewer)');
  // readable on a phone: the log wraps, nothing scrolls sideways
  await viewer.page.setViewportSize({ width: 390, height: 844 });
  await viewer.page.getByTestId('log-status').waitFor();
  const overflow = await viewer.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
  await viewer.page.screenshot({ path: `${SHOTS}/23-build-phone.png` });
  const token = await tokenOf(F.viewer);
  assert.equal((await send('POST', '/builds', token, { projectId: B.projectId, configId: B.configId })).status, 403);
  assert.equal((await send('POST', `/builds/${buildId}/rollback`, token)).status, 403);
  await viewer.context.close();
});

test('unknown pages are answered by the page, and nothing broke the policy or threw', async () => {
  const { context, page } = await newPage();
  await signIn(page, F.editor);
  await page.goto(`${BASE}/apps/${F.app}/no-such-page`);
  await page.getByText('No such page').waitFor();
  await context.close();
  assert.deepEqual(problems, [], 'console errors, CSP violations or exceptions in the pages');
});
