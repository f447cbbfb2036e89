// The reference server (B) of realtime-bench.sh: a plain Socket.IO 4 server relaying TraceFlow's
// realtime messages (API.md "Realtime") on namespace /realtime, so the load generator drives both
// servers with the same client code. It does the equivalent of what the benchmark needs and nothing
// more: a subscribe joins the room of the topic, a publish emits an event to the room and answers the
// publisher's ack. It does NOT do what TraceFlow does besides: no auth (the token is not checked), no
// history or resume, no redelivery (client acks are read and dropped), no idempotent publish ids, no
// rate or size limits beyond Socket.IO's own, no backpressure (a slow client buffers without bound),
// no metrics or audit. With --seq it numbers each topic's events (a Map lookup per publish), the
// cheapest part of TraceFlow's ordering; without it `seq` is absent.
//
//   node --expose-gc node-server.mjs --port 0 [--seq]
//
// Prints one line `{"port":N}` when it listens. GET /bench/memory answers process.memoryUsage() after
// a full GC (the side channel for the heap per connection; needs --expose-gc).
import http from 'node:http';
import { Server } from 'socket.io';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0);
const withSeq = args.includes('--seq');

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/bench/memory') {
    if (global.gc) {
      global.gc();
    }
    const usage = process.memoryUsage();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ...usage, gc: Boolean(global.gc) }));
    return;
  }
  if (req.url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  // socket.io answers its own paths before this handler; anything else is not ours
  if (!req.url.startsWith('/socket.io/')) {
    res.writeHead(404);
    res.end();
  }
});

// Socket.IO's defaults (long-polling and WebSocket, no per-message compression), as a Node user gets them.
const io = new Server(httpServer, { serveClient: false });
const seqs = new Map();

io.of('/realtime').on('connection', (socket) => {
  socket.on('message', (m, callback) => {
    const reply = (answer) => {
      if (typeof callback === 'function') {
        callback(answer);
      }
      socket.emit('message', answer);
    };
    if (!m || typeof m !== 'object') {
      reply({ type: 'error', code: 'BAD_MESSAGE', message: 'not an object' });
      return;
    }
    switch (m.type) {
      case 'subscribe':
        socket.join(m.topic);
        reply({ type: 'subscribed', topic: m.topic, seq: seqs.get(m.topic) ?? 0, epoch: 'node', recovered: false });
        break;
      case 'unsubscribe':
        socket.leave(m.topic);
        break;
      case 'publish': {
        const event = { type: 'event', topic: m.topic, payload: m.payload, id: m.id, ts: Date.now() };
        if (withSeq) {
          event.seq = (seqs.get(m.topic) ?? 0) + 1;
          seqs.set(m.topic, event.seq);
        }
        io.of('/realtime').to(m.topic).emit('message', event);
        reply(withSeq ? { type: 'ack', id: m.id, topic: m.topic, seq: event.seq } : { type: 'ack', id: m.id, topic: m.topic });
        break;
      }
      case 'ack':
        break; // no redelivery here: an ack has nothing to settle
      case 'ping':
        reply({ type: 'pong' });
        break;
      default:
        reply({ type: 'error', code: 'BAD_MESSAGE', message: `unknown type ${m.type}` });
    }
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: httpServer.address().port }) + '\n');
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
