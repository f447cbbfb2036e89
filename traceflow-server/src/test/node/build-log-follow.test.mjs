// Following a real build's log over /ws with the npm `ws` client, as README "Running builds" shows it,
// against the server BuildLogNodeIT starts: TRACEFLOW_URL is the server, TRACEFLOW_FIXTURE the app, a
// token with read access, and a project + validated config whose build prints "line 1".."line 300".
// The follower is cut off several times while the build writes and resumes from its last cursor each
// time: it must end with exactly the cursors 1..N, each once and in order, then `end`, and see the
// same N lines as the REST reader of GET /builds/{id}/logs?after=.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';

const BASE = process.env.TRACEFLOW_URL;
const WS_BASE = BASE.replace(/^http/, 'ws') + '/ws';
const F = JSON.parse(process.env.TRACEFLOW_FIXTURE);
const WAIT_MS = 60_000;
const auth = { Authorization: `Bearer ${F.token}` };

async function api(method, path, body) {
  const r = await fetch(BASE + path, {
    method,
    headers: body === undefined ? auth : { ...auth, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) };
}

/**
 * One connection that follows the build from `cursor`, handing each log message to `onLog`. Resolves
 * with 'end' (and the end message) when the build's end arrives, or 'cut' when `cutAfter` lines came
 * and the socket was terminated (no close handshake: as a dropped network would).
 */
function follow(buildId, cursor, cutAfter, onLog) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${WS_BASE}?app=${encodeURIComponent(F.app)}&token=${encodeURIComponent(F.token)}`);
    let received = 0;
    let cut = false; // messages already parsed from the socket's last chunk still arrive after terminate(): ignored
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no end within ${WAIT_MS} ms`)); }, WAIT_MS);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', buildId, cursor })));
    ws.on('message', (data) => {
      if (cut) return;
      const m = JSON.parse(data.toString());
      if (m.type === 'log') {
        onLog(m);
        received++;
        if (cutAfter && received >= cutAfter) {
          cut = true;
          clearTimeout(timer);
          ws.terminate();
          resolve({ how: 'cut' });
        }
      } else if (m.type === 'end') {
        clearTimeout(timer);
        ws.close();
        resolve({ how: 'end', end: m });
      } else {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`unexpected message ${data}`));
      }
    });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

test('a follower cut off while the build writes resumes from its cursor and ends with exactly lines 1..N, then end', async () => {
  const trigger = await api('POST', '/builds', { projectId: F.projectId, configId: F.configId });
  assert.equal(trigger.status, 202, trigger.text);
  const buildId = trigger.json().id;

  const seen = [];
  let cursor = 0;
  const onLog = (m) => {
    assert.equal(m.buildId, buildId);
    assert.equal(typeof m.line, 'string');
    assert.ok(m.ts && m.level && m.stage, JSON.stringify(m));
    seen.push(m);
    cursor = m.cursor;
  };
  let cuts = 0;
  let result;
  // cut after a few lines each time: the first cuts land while the build still writes
  for (;;) {
    result = await follow(buildId, cursor, cuts < 6 ? 7 + cuts * 11 : 0, onLog);
    if (result.how === 'end') break;
    cuts++;
  }
  assert.equal(cuts, 6);
  assert.equal(result.end.buildId, buildId);
  assert.equal(result.end.status, 'success');

  const cursors = seen.map((m) => m.cursor);
  assert.deepEqual(cursors, Array.from({ length: cursors.length }, (_, i) => i + 1), 'every cursor once, in order, from 1');
  const printed = seen.filter((m) => m.stage === 'build' && /^line \d+$/.test(m.line)).map((m) => m.line);
  assert.deepEqual(printed, Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));

  // the REST reader pages through the same lines
  const rest = [];
  for (let after = 0; ;) {
    const page = await api('GET', `/builds/${buildId}/logs?after=${after}`);
    assert.equal(page.status, 200, page.text);
    const body = page.json();
    rest.push(...body.lines);
    if (body.done) {
      assert.equal(body.status, 'success');
      break;
    }
    after = body.next;
  }
  assert.deepEqual(rest.map((l) => [l.cursor, l.line]), seen.map((m) => [m.cursor, m.line]));

  // then the artifact, a range of it, and the release the build defined
  const build = (await api('GET', `/builds/${buildId}`)).json();
  assert.equal(build.status, 'success');
  const part = await fetch(`${BASE}/builds/${buildId}/artifact`, { headers: { ...auth, Range: 'bytes=0-1' } });
  assert.equal(part.status, 206);
  assert.deepEqual([...new Uint8Array(await part.arrayBuffer())], [0x1f, 0x8b], 'a gzip stream');
  const releases = (await api('GET', `/api/apps/${encodeURIComponent(F.app)}/releases`)).json();
  assert.ok(releases.items.some((r) => r.release === build.release), JSON.stringify(releases));
});
