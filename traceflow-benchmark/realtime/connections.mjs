// load.mjs's connections: one interface, two client implementations, the same for every server.
//
//   client "raw" (the default): the npm `ws` package and a few lines of Engine.IO v4 / Socket.IO v5 framing
//     written here (open packet, namespace CONNECT with the auth payload, ping -> pong, EVENT packets
//     `42/realtime,["message",{...}]` both ways), and for the plain WebSocket `/ws` the same `ws` socket
//     without framing. An event is read by `readEvent` below: only its type, seq and our payload's fields,
//     without building the object; anything else (subscribed, ack, error) is JSON.parse'd as usual.
//   client "socket.io-client": npm socket.io-client 4 (transports ['websocket']) for Socket.IO, `ws` and
//     JSON.parse for `/ws`: what a Node user would write, at several times the CPU per message.
//
// Why "raw" exists: with socket.io-client one Node process on one CPU ran out of CPU before either server
// did (clientCpu 0.97-0.99), so the ratio measured the client. The raw client does less per delivery, and
// does the same less for TraceFlow and the Node server alike, so the servers are the limit again.
//
// connect(options, token, { onEvent(seq, phase, t, n), onOther(message), onClose(reason) }) resolves to
// { send(message), close() } once the connection is open (Socket.IO: the namespace is connected).
// seq is -1 when an event has none (the Node server without --seq).
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const NAMESPACE = '/realtime';
const EVENT_PREFIX = `42${NAMESPACE},["message",`;

export function connect(o, token, handlers) {
  if (o.client === 'socket.io-client') {
    return o.transport === 'ws' ? plainWebSocket(o, token, handlers, false) : socketIoClient(o, token, handlers);
  }
  if (o.client !== 'raw') {
    return Promise.reject(new Error(`unknown client ${o.client} (raw, socket.io-client)`));
  }
  return o.transport === 'ws' ? plainWebSocket(o, token, handlers, true) : rawSocketIo(o, token, handlers);
}

function socketIoClient(o, token, handlers) {
  return new Promise((resolve, reject) => {
    const socket = io(`${o.url}${NAMESPACE}`, {
      transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: 30000,
    });
    socket.on('connect', () => resolve({ send: (m) => socket.emit('message', m), close: () => socket.disconnect() }));
    socket.on('connect_error', (e) => reject(new Error(`connect_error ${JSON.stringify(e.data ?? e.message)}`)));
    socket.on('message', (m) => dispatchObject(m, handlers));
    socket.on('disconnect', (reason) => handlers.onClose(`disconnect_${reason}`));
  });
}

function plainWebSocket(o, token, handlers, lean) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase(o.url)}/ws?token=${encodeURIComponent(token)}`, socketOptions(lean));
    ws.on('open', () => resolve({ send: (m) => ws.send(JSON.stringify(m)), close: () => ws.close() }));
    ws.on('message', lean
      ? (data) => {
        const text = data.toString();
        dispatchText(text, 0, text.length, handlers);
      }
      : (data) => dispatchObject(JSON.parse(data), handlers));
    ws.on('error', (e) => reject(e));
    ws.on('close', (code) => handlers.onClose(`close_${code}`));
  });
}

/** Engine.IO v4 over a WebSocket from the start (no polling, so no upgrade), Socket.IO v5 packets in text frames. */
function rawSocketIo(o, token, handlers) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase(o.url)}/socket.io/?EIO=4&transport=websocket`, socketOptions(true));
    const send = (m) => ws.send(EVENT_PREFIX + JSON.stringify(m) + ']');
    let connected = false;
    ws.on('message', (data) => {
      const text = data.toString();
      switch (text.charCodeAt(0)) {
        case 52: // '4' Engine.IO message: a Socket.IO packet
          if (text.startsWith(EVENT_PREFIX)) {
            dispatchText(text, EVENT_PREFIX.length, text.length - 1, handlers);
          } else if (text.startsWith(`40${NAMESPACE},`)) {
            connected = true;
            resolve({ send, close: () => ws.close() });
          } else if (text.startsWith(`44${NAMESPACE},`)) {
            reject(new Error(`connect_error ${text.slice(NAMESPACE.length + 3)}`));
            ws.close();
          } else if (text.startsWith(`41${NAMESPACE}`)) {
            handlers.onClose('disconnect_io server disconnect');
            ws.close();
          }
          break;
        case 50: // '2' ping: the server closes a connection that does not answer within its pingTimeout
          ws.send('3');
          break;
        case 48: // '0' open: join the namespace with the auth payload, as socket.io-client's `auth` does
          ws.send(`40${NAMESPACE},${JSON.stringify({ token })}`);
          break;
        case 49: // '1' close
          ws.close();
          break;
        default:
      }
    });
    ws.on('error', (e) => reject(e));
    ws.on('close', (code) => {
      if (!connected) {
        reject(new Error(`closed with ${code} before the namespace connected`));
      }
      handlers.onClose(`close_${code}`);
    });
  });
}

function wsBase(url) {
  return url.replace(/^http/, 'ws');
}

// skipUTF8Validation: the servers are ours and the Node reference, on 127.0.0.1; a bad byte would fail the
// JSON or the seq check anyway.
function socketOptions(lean) {
  return lean ? { perMessageDeflate: false, skipUTF8Validation: true } : { perMessageDeflate: false };
}

function dispatchObject(m, handlers) {
  if (m.type === 'event') {
    handlers.onEvent(m.seq ?? -1, m.payload.p, m.payload.t, m.payload.n);
  } else {
    handlers.onOther(m);
  }
}

function dispatchText(text, from, to, handlers) {
  if (!readEvent(text, from, handlers)) {
    handlers.onOther(JSON.parse(text.slice(from, to)));
  }
}

/**
 * Reads an `event` message's seq and our payload's p (phase), t (publish time) and n (publish number) from
 * its JSON text without parsing the rest, and hands them to handlers.onEvent; false (nothing handed) when
 * the text is not an event or does not have those fields, so the caller parses it whole. Keys are found
 * by their quoted names: inside a JSON string a quote is escaped, so `"seq":` can only be a key. Both
 * servers put `payload` as the publisher sent it, and its keys are only the publisher's (p, t, n, pad).
 */
export function readEvent(text, from, handlers) {
  const type = text.indexOf('"type":"', from);
  if (type < 0 || !text.startsWith('event"', type + 8)) {
    return false;
  }
  const payload = text.indexOf('"payload":{', from);
  if (payload < 0) {
    return false;
  }
  const p = text.indexOf('"p":"', payload);
  const t = text.indexOf('"t":', payload);
  const n = text.indexOf('"n":', payload);
  if (p < 0 || t < 0 || n < 0) {
    return false;
  }
  // seq is outside the payload: look before it, then after it (servers order keys differently)
  let seq = text.lastIndexOf('"seq":', payload);
  if (seq < from) {
    seq = text.indexOf('"seq":', text.indexOf('}', Math.max(p, t, n)));
  }
  const phase = text.slice(p + 5, text.indexOf('"', p + 5));
  handlers.onEvent(seq < 0 ? -1 : integerAt(text, seq + 6), phase, parseFloat(text.slice(t + 4, t + 30)), integerAt(text, n + 4));
  return true;
}

function integerAt(text, at) {
  let value = 0;
  for (let c = text.charCodeAt(at); c >= 48 && c <= 57; c = text.charCodeAt(++at)) {
    value = value * 10 + (c - 48);
  }
  return value;
}
