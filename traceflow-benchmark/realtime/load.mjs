// realtime-bench.sh's load generator: the same client code for TraceFlow's gateway (A) and the
// reference Socket.IO server (B). One process per (server, scenario, round), driven by the Java
// harness (RealtimeBenchmark) over stdin/stdout, one JSON object a line:
//
//   node load.mjs '<options JSON>'
//   -> {"stage":"connected", ...}   every subscriber is connected and subscribed (the harness reads memory)
//   <- go                           run the phases (or, for an idle scenario, nothing)
//   -> {"stage":"result", ...}      the figures; then every connection closes
//   -> {"stage":"closed"}
//
// Subscribers (Socket.IO namespace /realtime over a WebSocket, or the plain WebSocket /ws with transport
// "ws"; option `client` says with which client code, see connections.mjs) are spread round-robin over the
// topics and acknowledge
// cumulatively (every `ackEvery` events of a topic, else within `ackFlushMs`), as the reference client does
// (/realtime/client.js: every 20 events or 1 s).
// One publisher connection sends `publish` messages; its topics go round-robin.
//
// Phases: warmup (not reported), max (closed loop: at most `window` events in flight end to end, an
// event being done when every subscriber of its topic has it), fixed (open loop at `fixedFraction` of
// this session's max publishes/s; latency counted from when a publish was due, so a stall is not
// hidden). The payload carries the publish time (performance.now(), one clock: publisher and
// subscribers share this process); latency is receive time minus that. Repeats (a seq already seen
// on that connection and topic) are counted as duplicates, not deliveries. Per phase, the CPU this process
// used (clientCpu) and, with `serverPid`, the server's (serverCpu, from /proc): near 1 on its one CPU, that
// side is the limit.
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { readFileSync } from 'node:fs';
import { connect } from './connections.mjs';

const o = JSON.parse(process.argv[2]);
const PHASES = ['warmup', 'max', 'fixed'];
const STALL_MS = 2000;
const DRAIN_MS = 1500;
// On a loaded machine a publish's ack can come later than DRAIN_MS after its events: counted as expected only
// once acked, its events would show as negative loss. So a phase's count waits for its acks (and deliveries)
// this long at most.
const DRAIN_MAX_MS = 15000;
const runTag = Math.random().toString(36).slice(2, 8);

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const stats = Object.fromEntries(PHASES.map((p) => [p, {
  published: 0, acked: 0, publishErrors: 0, expected: 0, received: 0, receivedInWindow: 0,
  latencies: [], start: 0, end: 0, cpuStart: null, cpu: null, serverTicksStart: null, serverCpu: null, stalled: 0, rate: null,
}]));
const errors = {};
let duplicates = 0;
let unexpectedDisconnects = 0;
let closing = false;

// ---- connections (connections.mjs: the client, "raw" or "socket.io-client") -------------------

function onClose(reason) {
  if (!closing) {
    unexpectedDisconnects++;
    errors[reason] = (errors[reason] ?? 0) + 1;
  }
}

function countError(m) {
  errors[m.code] = (errors[m.code] ?? 0) + 1;
}

// ---- subscribers -----------------------------------------------------------------------------

const topicNames = Array.from({ length: o.topics }, (_, i) => `bench:${runTag}:${i}`);
const subscribersOf = new Array(o.topics).fill(0);
const inFlight = new Map(); // publish number -> deliveries still to come (max phase only)
let releaseSlot = () => {};

function subscriber(index) {
  const topicIndex = index % o.topics;
  const topic = topicNames[topicIndex];
  subscribersOf[topicIndex]++;
  let lastSeq = 0;
  let unacked = 0;
  let conn;
  let subscribed;
  const ready = new Promise((r) => { subscribed = r; });
  const onEvent = (seq, phase, t, n) => {
    const now = performance.now();
    if (seq >= 0) {
      if (seq <= lastSeq) {
        duplicates++;
        return;
      }
      lastSeq = seq;
      if (++unacked >= o.ackEvery) {
        conn.send({ type: 'ack', topic, seq: lastSeq });
        unacked = 0;
      } else {
        dirty.add(ackState);
      }
    }
    const s = stats[phase];
    s.received++;
    if (now <= s.end || s.end === 0) {
      s.receivedInWindow++;
    }
    s.latencies.push(now - t);
    const left = inFlight.get(n);
    if (left !== undefined) {
      if (left <= 1) {
        inFlight.delete(n);
        inFlightSince.delete(n);
        releaseSlot();
      } else {
        inFlight.set(n, left - 1);
      }
    }
  };
  const onOther = (m) => {
    switch (m.type) {
      case 'subscribed':
        lastSeq = m.seq ?? 0;
        subscribed();
        break;
      case 'error':
        countError(m);
        break;
      default:
    }
  };
  const ackState = { flush: () => { if (unacked > 0) { conn.send({ type: 'ack', topic, seq: lastSeq }); unacked = 0; } } };
  return connect(o, o.subscriberToken, { onEvent, onOther, onClose }).then(async (c) => {
    conn = c;
    conn.send({ type: 'subscribe', topic });
    await ready;
    return conn;
  });
}

const dirty = new Set();
const ackTimer = setInterval(() => {
  for (const a of dirty) {
    a.flush();
  }
  dirty.clear();
}, o.ackFlushMs);

// ---- publisher -------------------------------------------------------------------------------

const pad = 'x'.repeat(Math.max(0, o.payloadBytes - 60)); // the payload's JSON is about payloadBytes
let publisher;
let publishNumber = 0;
const publishPhase = new Map(); // id -> phase, until its ack or error

function publish(phase, t) {
  const n = publishNumber++;
  const topicIndex = n % o.topics;
  const s = stats[phase];
  s.published++;
  const id = `${runTag}-${n}`;
  publishPhase.set(id, { phase, topicIndex });
  if (phase === 'max' || phase === 'warmup') {
    inFlight.set(n, subscribersOf[topicIndex]);
    inFlightSince.set(n, performance.now());
  }
  publisher.send({ type: 'publish', topic: topicNames[topicIndex], id, payload: { p: phase, t, n, pad } });
}

const inFlightSince = new Map();

function onPublisherMessage(m) {
  if (m.type === 'ack' && m.id) {
    const entry = publishPhase.get(m.id);
    if (entry) {
      publishPhase.delete(m.id);
      stats[entry.phase].acked++;
      stats[entry.phase].expected += subscribersOf[entry.topicIndex];
    }
  } else if (m.type === 'error') {
    countError(m);
    const entry = m.id && publishPhase.get(m.id);
    if (entry) {
      publishPhase.delete(m.id);
      stats[entry.phase].publishErrors++;
      const n = Number(m.id.split('-')[1]);
      if (inFlight.delete(n)) {
        inFlightSince.delete(n);
        releaseSlot();
      }
    }
  }
}

// ---- phases ----------------------------------------------------------------------------------

// The server's CPU time so far in clock ticks (USER_HZ, 100 a second on Linux): utime + stime of
// /proc/PID/stat, fields 14 and 15, counted after the command name's closing parenthesis. null without /proc.
function serverTicks() {
  if (!o.serverPid) return null;
  try {
    const stat = readFileSync(`/proc/${o.serverPid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function begin(phase) {
  const s = stats[phase];
  s.serverTicksStart = serverTicks();
  s.start = performance.now();
  s.end = 0;
  s.cpuStart = process.cpuUsage();
}

function finish(phase) {
  const s = stats[phase];
  s.end = performance.now();
  const cpu = process.cpuUsage(s.cpuStart);
  s.cpu = (cpu.user + cpu.system) / 1000 / (s.end - s.start); // the load generator's CPUs busy
  const ticks = serverTicks();
  if (ticks != null && s.serverTicksStart != null) {
    s.serverCpu = (ticks - s.serverTicksStart) * 10 / (s.end - s.start); // the server's CPUs busy
  }
}

async function closedLoop(phase, ms) {
  begin(phase);
  const until = performance.now() + ms;
  let running = true;
  releaseSlot = () => {
    if (running && performance.now() < until) {
      publish(phase, performance.now());
    }
  };
  for (let i = 0; i < o.window; i++) {
    publish(phase, performance.now());
  }
  // An event that never completes (a lost delivery) would hold its slot forever: give it up after STALL_MS.
  while (performance.now() < until) {
    await sleep(Math.min(200, Math.max(1, until - performance.now())));
    const now = performance.now();
    for (const [n, since] of inFlightSince) {
      if (now - since > STALL_MS && inFlight.delete(n)) {
        inFlightSince.delete(n);
        stats[phase].stalled++;
        releaseSlot();
      }
    }
  }
  running = false;
  finish(phase);
  releaseSlot = () => {};
}

async function openLoop(phase, ms, perSecond) {
  begin(phase);
  const s = stats[phase];
  s.rate = perSecond;
  const start = s.start;
  const total = Math.floor((perSecond * ms) / 1000);
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) * perSecond) / 1000) + 1);
    while (sent < due) {
      publish(phase, start + (sent * 1000) / perSecond); // latency from when it was due
      sent++;
    }
    await sleep(2);
  }
  const left = start + ms - performance.now();
  if (left > 0) {
    await sleep(left);
  }
  finish(phase);
}

/** Waits DRAIN_MS, then until every publish of the phase is answered and its deliveries are in, DRAIN_MAX_MS at most. */
async function drain(phase) {
  const s = stats[phase];
  const until = performance.now() + DRAIN_MAX_MS;
  await sleep(DRAIN_MS);
  const unanswered = () => [...publishPhase.values()].some((entry) => entry.phase === phase);
  while (performance.now() < until && (unanswered() || s.received < s.expected)) {
    await sleep(50);
  }
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(phase) {
  const s = stats[phase];
  const seconds = (s.end - s.start) / 1000;
  const sorted = Float64Array.from(s.latencies).sort();
  const round = (v) => (v == null ? null : Math.round(v * 1000) / 1000);
  return {
    seconds: round(seconds),
    publishRate: s.rate == null ? null : round(s.rate),
    published: s.published,
    acked: s.acked,
    publishErrors: s.publishErrors,
    publishesPerSecond: round(s.acked / seconds),
    expectedDeliveries: s.expected,
    deliveries: s.received,
    deliveriesPerSecond: round(s.receivedInWindow / seconds),
    lost: s.expected - s.received,
    stalled: s.stalled,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : null),
    clientCpu: round(s.cpu),
    serverCpu: round(s.serverCpu),
  };
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const connectStart = performance.now();
  const subscribers = [];
  for (let i = 0; i < o.subscribers; i += o.connectConcurrency) {
    const batch = [];
    for (let j = i; j < Math.min(o.subscribers, i + o.connectConcurrency); j++) {
      batch.push(subscriber(j));
    }
    subscribers.push(...(await Promise.all(batch)));
  }
  const connectMs = performance.now() - connectStart;
  if (!o.idle) {
    publisher = await connect(o, o.publisherToken, {
      onEvent: () => {}, onOther: onPublisherMessage, onClose,
    });
  }
  out({ stage: 'connected', subscribers: subscribers.length, connectMs: Math.round(connectMs) });

  const lines = readline.createInterface({ input: process.stdin });
  const it = lines[Symbol.asyncIterator]();
  await it.next(); // "go"
  const result = { stage: 'result', transport: o.transport, client: o.client, subscribers: subscribers.length, topics: o.topics,
    connectMs: Math.round(connectMs) };
  if (!o.idle) {
    await closedLoop('warmup', o.warmupMs);
    await drain('warmup');
    await closedLoop('max', o.durationMs);
    await drain('max');
    const maxRate = stats.max.acked / ((stats.max.end - stats.max.start) / 1000);
    await openLoop('fixed', o.durationMs, Math.max(1, maxRate * o.fixedFraction));
    await drain('fixed');
    result.max = summary('max');
    result.fixed = summary('fixed');
  }
  result.duplicates = duplicates;
  result.unexpectedDisconnects = unexpectedDisconnects;
  result.errors = errors;
  out(result);
  closing = true;
  clearInterval(ackTimer);
  for (const c of subscribers) c.close();
  if (publisher) publisher.close();
  await sleep(500);
  out({ stage: 'closed' });
  lines.close();
  process.exit(0);
}

main().catch((e) => {
  out({ stage: 'failed', message: String(e && e.stack ? e.stack : e) });
  process.exit(1);
});
