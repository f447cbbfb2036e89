// The npm `socket.io-client` 4.x against TraceFlow's Socket.IO transport (namespace /realtime, API.md's
// messages as the `message` event), as RealtimeNodeIT starts it: TRACEFLOW_URL is the server,
// TRACEFLOW_FIXTURE the apps, keys and people it set up. Every scenario runs three ways: the client's
// default options (long-polling, then the upgrade to WebSocket), `transports: ['polling']` (no upgrade)
// and `transports: ['websocket']`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { io } from 'socket.io-client';

const BASE = process.env.TRACEFLOW_URL;
const F = JSON.parse(process.env.TRACEFLOW_FIXTURE);
const WAIT_MS = 30_000;

const topic = (name) => `${name}:${Date.now().toString(36)}${randomInt(1000)}`;

async function publishHttp(key, t, id, payload) {
  const r = await fetch(`${BASE}/api/realtime/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ topic: t, id, payload }),
  });
  return { status: r.status, body: await r.json() };
}

async function login(user) {
  const r = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(250)}` },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).accessToken;
}

/** A Socket.IO client of /realtime: every `message` it received, and a way to wait for one (already received or to come). */
const sockets = [];
// a socket a failed test left open (a polling one keeps the process alive) ends with the file
after(() => sockets.forEach((s) => s.disconnect()));

function client(auth, options = {}) {
  const socket = io(`${BASE}/realtime`, { reconnection: false, forceNew: true, auth, ...options });
  sockets.push(socket);
  const messages = [];
  const waiters = [];
  socket.on('message', (m) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.matches(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const next = (matches) => {
    const seen = messages.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message; got ' + JSON.stringify(messages.slice(-5)))), WAIT_MS);
      waiters.push({ matches, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  };
  const connected = new Promise((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', (e) => reject(e));
  });
  const send = (m) => socket.emit('message', m);
  /** As a client does: acknowledge each event as it comes, and keep only new ones (a redelivery repeats a seq). */
  const fresh = [];
  const acking = (topic) => socket.on('message', (m) => {
    if (m.type !== 'event' || m.topic !== topic) return;
    send({ type: 'ack', topic, seq: m.seq });
    if (fresh.length === 0 || m.seq > fresh[fresh.length - 1]) fresh.push(m.seq);
  });
  return { socket, messages, next, connected, send, acking, fresh };
}

const MODES = [
  ['default options (polling, then upgrade)', {}],
  ['polling only', { transports: ['polling'] }],
  ['websocket', { transports: ['websocket'] }],
];

for (const [mode, transport] of MODES) {

  test(`socket.io-client (${mode}): a backend key connects, subscribes, gets a published event with its seq, and acks`, async () => {
    const c = client({ token: F.serverKey }, transport);
    await c.connected;
    const t = topic('orders');
    c.send({ type: 'subscribe', topic: t });
    const subscribed = await c.next((m) => m.type === 'subscribed');
    assert.equal(subscribed.recovered, false);
    const published = await publishHttp(F.serverKey, t, 'o-1', { total: 12.5 });
    assert.equal(published.status, 200);

    const event = await c.next((m) => m.type === 'event');
    assert.deepEqual([event.topic, event.seq, event.id, event.payload], [t, 1, 'o-1', { total: 12.5 }]);
    c.send({ type: 'ack', topic: t, seq: 1 });
    c.send({ type: 'ping' });
    await c.next((m) => m.type === 'pong');
    c.socket.disconnect();
  });

  test(`socket.io-client (${mode}): a user token with its app publishes, and a reconnecting client resumes from its lastSeq`, async () => {
    const token = await login(F.editor);
    const user = client({ token, app: F.app }, transport);
    await user.connected;
    const t = topic('stream');
    user.send({ type: 'subscribe', topic: t });
    const { epoch } = await user.next((m) => m.type === 'subscribed');
    for (let i = 1; i <= 3; i++) user.send({ type: 'publish', topic: t, id: `u${i}`, payload: i });
    await user.next((m) => m.type === 'event' && m.seq === 3);
    user.socket.disconnect();
    for (let i = 4; i <= 6; i++) assert.equal((await publishHttp(F.serverKey, t, `b${i}`, i)).status, 200);

    const again = client({ token, app: F.app }, transport);
    await again.connected;
    again.send({ type: 'subscribe', topic: t, lastSeq: 3, epoch });
    const resumed = await again.next((m) => m.type === 'subscribed');
    await again.next((m) => m.type === 'event' && m.seq === 6);
    assert.equal(resumed.recovered, true);
    assert.deepEqual(again.messages.filter((m) => m.type === 'event').map((m) => m.seq), [4, 5, 6]);
    again.socket.disconnect();
  });

  test(`socket.io-client (${mode}): bad credentials, a foreign Origin and another app are refused with connect_error and the code`, async () => {
    const refused = async (auth, options) => {
      const c = client(auth, { ...transport, ...options });
      const error = await c.connected.then(() => assert.fail('connected'), (e) => e);
      c.socket.disconnect();
      return error;
    };
    assert.equal((await refused({ token: 'not-a-token', app: F.app })).data.code, 'UNAUTHORIZED');
    assert.equal((await refused({})).data.status, 401);
    assert.equal((await refused({ token: F.ingestKey, app: F.app })).data.status, 401);
    const foreign = await refused({ token: F.browserKey }, { extraHeaders: { Origin: F.foreignOrigin } });
    assert.equal(foreign.data.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal((await refused({ token: F.otherBrowserKey, app: F.app })).data.status, 403);

    const page = client({ token: F.browserKey }, { ...transport, extraHeaders: { Origin: F.origin } });
    await page.connected;
    page.socket.disconnect();

    // a user's token from a page of the server itself (its web dashboard) is let in whatever the app
    // allows; from another site it is not, and a browser key keeps to allowedOrigins
    const token = await login(F.viewer);
    const own = client({ token, app: F.app }, { ...transport, extraHeaders: { Origin: new URL(BASE).origin } });
    await own.connected;
    own.socket.disconnect();
    assert.equal((await refused({ token, app: F.app }, { extraHeaders: { Origin: F.foreignOrigin } })).data.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal((await refused({ token: F.browserKey }, { extraHeaders: { Origin: new URL(BASE).origin } })).data.code,
      'ORIGIN_NOT_ALLOWED');
  });

  test(`socket.io-client (${mode}): other events and junk are BAD_MESSAGE, and the socket stays`, async () => {
    const c = client({ token: F.serverKey }, transport);
    await c.connected;
    c.socket.emit('hello', { type: 'ping' });
    c.send('{"type": "subscribe", "topic": ');
    c.send({ type: 'teleport' });
    await c.next((m) => m.type === 'error' && c.messages.filter((x) => x.type === 'error').length >= 3);
    assert.deepEqual([...new Set(c.messages.filter((m) => m.type === 'error').map((m) => m.code))], ['BAD_MESSAGE']);
    c.send({ type: 'ping' });
    await c.next((m) => m.type === 'pong');
    assert.equal(c.socket.connected, true);
    c.socket.disconnect();
  });

  test(`socket.io-client (${mode}): an emit with a callback gets the message's answer, a binary one BAD_MESSAGE`, async () => {
    const c = client({ token: F.serverKey }, transport);
    await c.connected;
    const t = topic('acked');
    const ask = (m) => c.socket.timeout(WAIT_MS).emitWithAck('message', m);
    const subscribed = await ask({ type: 'subscribe', topic: t });
    assert.deepEqual([subscribed.type, subscribed.topic, subscribed.seq, subscribed.recovered], ['subscribed', t, 0, false]);
    assert.deepEqual(await ask({ type: 'publish', topic: t, id: 'p-1', payload: { n: 1 } }), { type: 'ack', id: 'p-1', topic: t, seq: 1 });
    assert.deepEqual(await ask({ type: 'publish', topic: t, id: 'p-1', payload: { n: 1 } }), { type: 'ack', id: 'p-1', topic: t, seq: 1 });
    assert.deepEqual(await ask({ type: 'publish', topic: t, id: 'p-2', payload: { n: 2 } }), { type: 'ack', id: 'p-2', topic: t, seq: 2 });
    const refused = await ask({ type: 'publish', topic: 'traceflow:metrics', id: 'p-3', payload: 1 });
    assert.deepEqual([refused.type, refused.code, refused.id], ['error', 'FORBIDDEN_TOPIC', 'p-3']);
    assert.deepEqual(await ask({ type: 'ping' }), { type: 'pong' });
    assert.equal(await ask({ type: 'ack', topic: t, seq: 2 }), undefined); // no answer in API.md: the callback gets none
    assert.equal((await ask({ type: 'teleport' })).code, 'BAD_MESSAGE');
    const binary = await c.socket.timeout(WAIT_MS).emitWithAck('message', Buffer.from([1, 2, 3]));
    assert.equal(binary.code, 'BAD_MESSAGE');
    // the answers came as messages too, and the events once each, in order
    await c.next((m) => m.type === 'event' && m.seq === 2);
    assert.deepEqual(c.messages.filter((m) => m.type === 'event').map((m) => [m.seq, m.id]), [[1, 'p-1'], [2, 'p-2']]);
    assert.equal(c.messages.filter((m) => m.type === 'ack').length, 3);
    assert.deepEqual(await ask({ type: 'ping' }), { type: 'pong' });
    assert.equal(c.socket.connected, true);
    c.socket.disconnect();
  });
}

test('socket.io-client (default options): connects by long-polling, upgrades to WebSocket, and events around the switch come once each, in order', async () => {
  const c = client({ token: F.serverKey });
  // the transport it opened with, read when it opens: on a quiet machine the upgrade may be done before `connect`
  let opened;
  const upgraded = new Promise((resolve) => c.socket.io.on('open', () => {
    opened = c.socket.io.engine.transport.name;
    c.socket.io.engine.once('upgrade', (t) => resolve(t.name));
  }));
  await c.connected;
  assert.equal(opened, 'polling');
  const t = topic('switch');
  c.acking(t);
  c.send({ type: 'subscribe', topic: t });
  await c.next((m) => m.type === 'subscribed');
  const publishing = (async () => {
    for (let i = 1; i <= 30; i++) assert.equal((await publishHttp(F.serverKey, t, `s${i}`, i)).status, 200);
  })();
  assert.equal(await upgraded, 'websocket');
  await publishing;
  await c.next((m) => m.type === 'event' && m.seq === 30);
  assert.deepEqual(c.fresh, Array.from({ length: 30 }, (_, i) => i + 1), 'in order, none missing');
  assert.deepEqual(await c.socket.timeout(WAIT_MS).emitWithAck('message', { type: 'ping' }), { type: 'pong' });
  assert.equal(c.socket.io.engine.transport.name, 'websocket');
  c.socket.disconnect();
});

test('socket.io-client (polling only): a burst larger than one poll arrives whole and in order, and the socket never upgrades', async () => {
  const c = client({ token: F.serverKey }, { transports: ['polling'] });
  await c.connected;
  const t = topic('burst');
  c.acking(t);
  c.send({ type: 'subscribe', topic: t });
  await c.next((m) => m.type === 'subscribed');
  const payload = 'x'.repeat(2000); // 150 events of 2 kB: more than one 128 KiB poll
  for (let i = 1; i <= 150; i++) assert.equal((await publishHttp(F.serverKey, t, `b${i}`, { i, payload })).status, 200);
  await c.next((m) => m.type === 'event' && m.seq === 150);
  assert.deepEqual(c.fresh, Array.from({ length: 150 }, (_, i) => i + 1), 'in order, none missing');
  assert.ok(c.messages.filter((m) => m.type === 'event').every((m) => m.payload.payload === payload));
  assert.deepEqual(await c.socket.timeout(WAIT_MS).emitWithAck('message', { type: 'ping' }), { type: 'pong' });
  assert.equal(c.socket.io.engine.transport.name, 'polling');
  c.socket.disconnect();
});
