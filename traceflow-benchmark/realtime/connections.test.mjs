// load.mjs's two clients (connections.mjs) against the reference Node server (node-server.mjs): the raw
// Engine.IO client reads what socket.io-client reads, and a short load run with either detects no loss,
// duplicate or disorder. Run by LoadGeneratorScriptTest (node --test, after npm ci here).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, readEvent } from './connections.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

function read(text) {
  const seen = [];
  const handled = readEvent(text, 0, { onEvent: (...fields) => seen.push(fields) });
  return handled ? seen[0] : null;
}

test('readEvent takes seq and the payload fields in either key order, and leaves other messages alone', () => {
  // TraceFlow's order (WireFormat.event): seq after the payload, then ts
  assert.deepEqual(read('{"type":"event","topic":"bench:a:0","payload":{"p":"max","t":5.5,"n":8,"pad":"xx"},"id":"a-8","seq":31,"ts":1700000000000}'),
    [31, 'max', 5.5, 8]);
  // seq (and more) before the payload: a key order a server may choose
  assert.deepEqual(read('{"type":"event","topic":"bench:a:0","seq":12,"epoch":"e1","payload":{"p":"max","t":1234.5678,"n":42,"pad":"xx"},"id":"a-42","ts":1}'),
    [12, 'max', 1234.5678, 42]);
  // node-server.mjs --seq: seq last
  assert.deepEqual(read('{"type":"event","topic":"bench:a:0","payload":{"p":"fixed","t":7,"n":3,"pad":""},"id":"a-3","ts":1700000000000,"seq":9}'),
    [9, 'fixed', 7, 3]);
  // node-server.mjs without --seq
  assert.deepEqual(read('{"type":"event","topic":"b","payload":{"p":"warmup","t":0.25,"n":0,"pad":"x"},"id":"a-0","ts":1}'),
    [-1, 'warmup', 0.25, 0]);
  assert.equal(read('{"type":"ack","id":"a-1","topic":"b","seq":1}'), null);
  assert.equal(read('{"type":"subscribed","topic":"b","seq":0,"epoch":"node","recovered":false}'), null);
  assert.equal(read('{"type":"event","topic":"b","payload":{"other":1}}'), null);
});

let server;
let url;

before(async () => {
  server = spawn('node', [here('./node-server.mjs'), '--port', '0', '--seq'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: server.stdout }), 'line');
  url = `http://127.0.0.1:${JSON.parse(line).port}`;
});

after(() => server.kill());

/** Subscribes with `client`, publishes `count` events from a socket.io-client publisher, returns what arrived. */
async function receive(client, topic, count) {
  const o = { url, transport: 'sio', client };
  const events = [];
  const others = [];
  let done;
  const all = new Promise((r) => { done = r; });
  const subscriber = await connect(o, 'token', {
    onEvent: (...fields) => { events.push(fields); if (events.length === count) done(); },
    onOther: (m) => others.push(m),
    onClose: () => {},
  });
  subscriber.send({ type: 'subscribe', topic });
  while (!others.some((m) => m.type === 'subscribed')) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const publisher = await connect({ ...o, client: 'socket.io-client' }, 'token', { onEvent: () => {}, onOther: () => {}, onClose: () => {} });
  for (let n = 0; n < count; n++) {
    publisher.send({ type: 'publish', topic, id: `${client}-${n}`, payload: { p: 'max', t: n / 4, n, pad: 'xx' } });
  }
  await all;
  subscriber.close();
  publisher.close();
  return events;
}

test('the raw Engine.IO client receives what socket.io-client receives, in order', async () => {
  const expected = Array.from({ length: 50 }, (_, n) => [n + 1, 'max', n / 4, n]);
  assert.deepEqual(await receive('socket.io-client', 'same:1', 50), expected);
  assert.deepEqual(await receive('raw', 'same:2', 50), expected);
});

async function loadRun(client) {
  const options = {
    url, transport: 'sio', client, subscriberToken: 's', publisherToken: 'p', subscribers: 5, topics: 1, idle: false,
    warmupMs: 200, durationMs: 400, fixedFraction: 0.5, window: 10, payloadBytes: 100, ackEvery: 20, ackFlushMs: 100,
    connectConcurrency: 5, serverPid: server.pid,
  };
  const load = spawn('node', [here('./load.mjs'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: load.stdout });
  const result = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.stage === 'connected') load.stdin.write('go\n');
      if (m.stage === 'result') resolve(m);
      if (m.stage === 'failed') reject(new Error(m.message));
    });
  });
  const r = await result;
  await once(load, 'exit');
  return r;
}

for (const client of ['raw', 'socket.io-client']) {
  test(`a short load run with ${client}: deliveries counted, nothing lost, doubled or out of order, both CPUs read`, async () => {
    const r = await loadRun(client);
    assert.equal(r.client, client);
    for (const phase of [r.max, r.fixed]) {
      assert.ok(phase.deliveries > 0, JSON.stringify(phase));
      assert.equal(phase.deliveries, phase.expectedDeliveries);
      assert.equal(phase.lost, 0);
      assert.equal(phase.stalled, 0);
      assert.ok(phase.clientCpu > 0 && phase.serverCpu >= 0, JSON.stringify(phase));
    }
    assert.equal(r.duplicates, 0);
    assert.equal(r.unexpectedDisconnects, 0);
  });
}
