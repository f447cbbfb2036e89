// The reference browser client (/realtime/client.js, served by the server under test) under Node, with
// the npm `ws` package as its WebSocket, against the real server RealtimeNodeIT starts: TRACEFLOW_URL
// is the server, TRACEFLOW_FIXTURE the apps, keys and people it set up (ack timeout 1 s, history 200).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const BASE = process.env.TRACEFLOW_URL;
const WS_URL = BASE.replace(/^http/, 'ws') + '/ws';
const F = JSON.parse(process.env.TRACEFLOW_FIXTURE);
const WAIT_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The client as the server serves it: fetched over HTTP, then imported like a page would. */
async function loadClient() {
  const r = await fetch(`${BASE}/realtime/client.js`);
  assert.equal(r.status, 200);
  const dir = await mkdtemp(join(tmpdir(), 'traceflow-client-'));
  const file = join(dir, 'client.mjs');
  await writeFile(file, await r.text());
  return (await import(pathToFileURL(file).href)).RealtimeClient;
}
const RealtimeClient = await loadClient();

/** The `ws` WebSocket, remembering what every instance sent, so tests can see acks and resumes. */
const sent = [];
class RecordingWebSocket extends WebSocket {
  constructor(url) {
    super(url, { origin: F.origin });
  }

  send(data) {
    sent.push(JSON.parse(data));
    super.send(data);
  }
}

async function login(user) {
  const r = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(250)}` },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return JSON.parse(text).accessToken;
}

async function publishHttp(topic, id, payload) {
  const r = await fetch(`${BASE}/api/realtime/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${F.serverKey}` },
    body: JSON.stringify({ topic, id, payload }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
}

async function until(condition, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await sleep(10);
  }
}

function client(options) {
  return new RealtimeClient(WS_URL, { WebSocket: RecordingWebSocket, app: F.app, minDelayMs: 50, maxDelayMs: 400, ...options });
}

const topicName = (name) => `${name}:${Date.now().toString(36)}${randomInt(1e6)}`;

test('the server serves the client as a cacheable, cross-origin ES module', async () => {
  const r = await fetch(`${BASE}/realtime/client.js`, { headers: { Origin: 'https://elsewhere.example' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.match(r.headers.get('cache-control'), /max-age=300/);
  assert.match(await r.text(), /export class RealtimeClient/);
  const again = await fetch(`${BASE}/realtime/client.js`, { headers: { 'If-None-Match': r.headers.get('etag') } });
  assert.equal(again.status, 304);
});

test('the gateway\'s AsyncAPI document is served beside it, public', async () => {
  const r = await fetch(`${BASE}/asyncapi.yaml`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/yaml/);
  assert.match(await r.text(), /^asyncapi: 3\.1\.0$/m);
});

test('events arrive once, in order, and are acknowledged cumulatively', async () => {
  const token = await login(F.viewer);
  const topic = topicName('orders');
  const got = [];
  let resets = 0;
  const rt = client({ token, ackEvery: 10 });
  try {
    rt.subscribe(topic, { onEvent: (payload, meta) => got.push([meta.seq, payload.n]), onReset: () => resets++ });
    await until(() => resets === 1, 'the first subscribe to say there is nothing to replay');
    for (let n = 1; n <= 35; n++) {
      await publishHttp(topic, `o-${n}`, { n });
    }
    await until(() => got.length === 35, '35 events');
    assert.deepEqual(got, Array.from({ length: 35 }, (_, i) => [i + 1, i + 1]));
    // every 10 events, then the rest after ackDelayMs
    await until(() => sent.some((m) => m.type === 'ack' && m.topic === topic && m.seq === 35), 'the ack of the last event');
    const acks = sent.filter((m) => m.type === 'ack' && m.topic === topic).map((m) => m.seq);
    assert.deepEqual(acks, [10, 20, 30, 35]);
    // acknowledged, so the server (ack timeout 1 s) sends nothing again
    await sleep(2500);
    assert.equal(got.length, 35);
    assert.equal(resets, 1);
  } finally {
    rt.close();
  }
});

test('a dropped connection reconnects and resumes: what was published meanwhile arrives, nothing twice', async () => {
  const token = await login(F.viewer);
  const topic = topicName('booking');
  const got = [];
  let resets = 0;
  const statuses = [];
  const rt = client({ token, onStatus: (s) => statuses.push(s) });
  try {
    rt.subscribe(topic, { onEvent: (payload, meta) => got.push(meta.seq), onReset: () => resets++ });
    await until(() => resets === 1, 'subscribed');
    for (let n = 1; n <= 20; n++) {
      await publishHttp(topic, `b-${n}`, { n });
    }
    await until(() => got.length === 20, 'the first 20 events');
    rt.socket.terminate(); // the network goes away: no close handshake
    for (let n = 21; n <= 40; n++) {
      await publishHttp(topic, `b-${n}`, { n });
    }
    await until(() => got.length >= 40, 'the events published while disconnected');
    await sleep(1500); // anything doubled would come now
    assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(resets, 1, 'resumed, not reset');
    const resume = sent.filter((m) => m.type === 'subscribe' && m.topic === topic).at(-1);
    assert.equal(resume.lastSeq, 20);
    assert.equal(typeof resume.epoch, 'string');
    assert.ok(statuses.includes('reconnecting') && statuses.at(-1) === 'open', statuses.join(','));
  } finally {
    rt.close();
  }
});

test('an event sent again because its ack was late reaches the page once', async () => {
  const token = await login(F.viewer);
  const topic = topicName('notice');
  const got = [];
  let resets = 0;
  // acks held back past the server's 1-s ack timeout: the server sends the events again
  const rt = client({ token, ackEvery: 1000, ackDelayMs: 3500 });
  try {
    rt.subscribe(topic, { onEvent: (payload, meta) => got.push(meta.seq), onReset: () => resets++ });
    await until(() => resets === 1, 'subscribed');
    for (let n = 1; n <= 5; n++) {
      await publishHttp(topic, `n-${n}`, { n });
    }
    await until(() => sent.some((m) => m.type === 'ack' && m.topic === topic && m.seq === 5), 'the late ack');
    await sleep(1500);
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
  } finally {
    rt.close();
  }
});

test('a position from another epoch or beyond the history resets: the page reloads its state', async () => {
  const token = await login(F.viewer);
  const topic = topicName('orders');
  await publishHttp(topic, 'x-1', { n: 1 });
  const resets = [];
  const rt = client({ token });
  try {
    rt.subscribe(topic, { from: { seq: 1, epoch: 'an-old-epoch' }, onReset: (at) => resets.push(at) });
    await until(() => resets.length === 1, 'the reset');
    assert.equal(resets[0].seq, 1);
    assert.notEqual(resets[0].epoch, 'an-old-epoch');
  } finally {
    rt.close();
  }
});

test('publish resolves with the seq, a repeated id with the same one, and a refusal rejects', async () => {
  const topic = topicName('cursor');
  const editor = client({ token: await login(F.editor) });
  const viewer = client({ token: await login(F.viewer) });
  try {
    const first = await editor.publish(topic, { x: 1 }, 'same-id');
    assert.equal(first.topic, topic);
    assert.equal(first.seq, 1);
    const repeat = await editor.publish(topic, { x: 1 }, 'same-id');
    assert.equal(repeat.seq, 1);
    await assert.rejects(viewer.publish(topic, { x: 2 }), (e) => e.code === 'FORBIDDEN_TOPIC');
  } finally {
    editor.close();
    viewer.close();
  }
});

test('a refused connection is retried with growing, jittered waits, with a fresh token each time', async () => {
  const errors = [];
  const delays = [];
  let asked = 0;
  const rt = client({
    getToken: () => {
      asked++;
      return 'not-a-token';
    },
    random: () => 1, // the top of each jitter range, so the caps show
    onError: (e) => {
      errors.push(e.code);
      delays.push(rt.nextDelayMs);
    },
  });
  try {
    await until(() => errors.length >= 4, 'four refusals');
    assert.deepEqual(delays.slice(0, 4), [50, 100, 200, 400]);
    assert.ok(errors.every((c) => c === 'DISCONNECTED'));
    assert.ok(asked >= 4, `the token was asked for ${asked} times`);
  } finally {
    rt.close();
  }
});
