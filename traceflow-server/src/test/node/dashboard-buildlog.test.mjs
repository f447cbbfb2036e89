// The dashboard's build log follower (src/main/ui/src/buildlog.js) against a scripted /ws: what it
// subscribes with, that a line at or below its cursor is not shown twice, that a jump past cursor + 1
// is asked for again instead of shown as a hole, that a dropped connection resumes from the last
// cursor, and that `end` stops it. Run by BuildLogFollowerScriptTest: node --test dashboard-buildlog.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildLogFollower } from '../../main/ui/src/buildlog.js';

/** A WebSocket the test drives: it records what the follower sends and delivers what the test says. */
class ScriptedSocket {
  static opened = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    ScriptedSocket.opened.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  deliver(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

const line = (cursor) => ({ type: 'log', buildId: 'b1', ts: '2026-12-05T03:00:00Z', level: 'info', stage: 'build', line: `line ${cursor}`, cursor });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function follower() {
  ScriptedSocket.opened = [];
  const shown = [];
  const statuses = [];
  let ended = null;
  const f = new BuildLogFollower({
    appId: 'shop',
    buildId: 'b1',
    onLines: (lines) => shown.push(...lines.map((l) => l.cursor)),
    onEnd: (status) => (ended = status),
    onStatus: (status) => statuses.push(status),
    using: { getToken: async () => 'token-1', WebSocket: ScriptedSocket, url: () => 'ws://test/ws', random: () => 0 },
  });
  return { f, shown, statuses, ended: () => ended };
}

test('subscribes from cursor 0, shows each line once, in order, and stops at end', async () => {
  const { f, shown, statuses, ended } = follower();
  await f.start();
  const socket = ScriptedSocket.opened[0];
  assert.match(socket.url, /^ws:\/\/test\/ws\?token=token-1&app=shop$/);
  socket.open();
  assert.deepEqual(socket.sent, [{ type: 'subscribe', buildId: 'b1', cursor: 0 }]);
  [1, 2, 3, 2, 3, 4].forEach((c) => socket.deliver(line(c)));
  socket.deliver({ type: 'log', ...line(5), buildId: 'another build' });
  socket.deliver({ type: 'end', buildId: 'b1', status: 'success' });
  assert.deepEqual(shown, [1, 2, 3, 4]);
  assert.equal(ended(), 'success');
  assert.equal(statuses.at(-1), 'ended');
  assert.equal(socket.readyState, 3);
  await tick(10);
  assert.equal(ScriptedSocket.opened.length, 1, 'no reconnect after the end');
});

test('a line past cursor + 1 is not shown: the follower subscribes again from its cursor', async () => {
  const { f, shown } = follower();
  await f.start();
  const socket = ScriptedSocket.opened[0];
  socket.open();
  socket.deliver(line(1));
  socket.deliver(line(2));
  socket.deliver(line(4));
  assert.deepEqual(socket.sent.at(-1), { type: 'subscribe', buildId: 'b1', cursor: 2 });
  socket.deliver(line(3));
  socket.deliver(line(4));
  f.stop();
  assert.deepEqual(shown, [1, 2, 3, 4]);
});

test('a dropped connection resumes from the last cursor shown, and a repeat after it is dropped', async () => {
  const { f, shown, statuses } = follower();
  await f.start();
  const first = ScriptedSocket.opened[0];
  first.open();
  [1, 2, 3].forEach((c) => first.deliver(line(c)));
  first.close(1006);
  assert.equal(statuses.at(-1), 'reconnecting');
  await tick(20); // random() is 0: the next attempt is immediate
  const second = ScriptedSocket.opened[1];
  assert.ok(second, 'connected again');
  second.open();
  assert.deepEqual(second.sent, [{ type: 'subscribe', buildId: 'b1', cursor: 3 }]);
  [3, 4].forEach((c) => second.deliver(line(c)));
  second.deliver({ type: 'end', buildId: 'b1', status: 'fail' });
  assert.deepEqual(shown, [1, 2, 3, 4]);
});

test('NOT_FOUND ends the follower with the error; UNAVAILABLE reconnects', async () => {
  const gone = follower();
  await gone.f.start();
  ScriptedSocket.opened[0].open();
  ScriptedSocket.opened[0].deliver({ type: 'error', buildId: 'b1', code: 'NOT_FOUND', message: 'no build' });
  assert.equal(gone.statuses.at(-1), 'failed');
  await tick(10);
  assert.equal(ScriptedSocket.opened.length, 1);

  const flaky = follower();
  await flaky.f.start();
  ScriptedSocket.opened[0].open();
  ScriptedSocket.opened[0].deliver(line(1));
  ScriptedSocket.opened[0].deliver({ type: 'error', buildId: 'b1', code: 'UNAVAILABLE', message: 'database down' });
  await tick(20);
  const again = ScriptedSocket.opened[1];
  again.open();
  assert.deepEqual(again.sent, [{ type: 'subscribe', buildId: 'b1', cursor: 1 }]);
  flaky.f.stop();
});
