// TraceFlow realtime: the reference client of the /ws gateway (README "Realtime"), a plain ES module
// with no dependencies, served by the server at /realtime/client.js.
//
//   import { RealtimeClient } from '/realtime/client.js';
//   const rt = new RealtimeClient('wss://traceflow.example/ws', { app: 'shop', getToken: () => accessToken });
//   const orders = rt.subscribe('orders:42', {
//     onEvent: (payload, { seq }) => show(payload),
//     onReset: () => reloadOrders(),      // first subscribe, or too far behind to replay: load the state
//   });
//   await rt.publish('cursor:7', { x: 10, y: 20 });
//
// What it does for you, so that a page sees every event of a topic once and in order:
// - reconnects after any drop with exponential backoff and full jitter (so a restarted server is
//   not hit by every page at once), with a fresh token from getToken() each time;
// - re-subscribes every topic with the last seq and epoch it saw, so the server replays what was
//   missed (recovered: true), or says it cannot (recovered: false: onReset);
// - drops repeats by (topic, seq): redelivery sends an event again when its ack was late;
// - acknowledges cumulatively, every `ackEvery` events or `ackDelayMs` after the first unacked one;
// - publishes with an id, resolved by the server's ack; a publish not yet acked when the connection
//   drops is sent again with the same id after the reconnect (the server sequences an id once);
// - pings when the line is quiet and reconnects when no answer comes (a half-open TCP connection
//   otherwise looks alive for minutes).

const CLOSE_BY_CLIENT = 1000;

export class RealtimeClient {
  /**
   * @param {string} url the gateway, e.g. wss://traceflow.example/ws
   * @param {object} options
   * @param {string} [options.token] a user's access token, an API token or a browser key (trb_...)
   * @param {() => (string|Promise<string>)} [options.getToken] asked before every connect instead of `token`
   * @param {string} [options.app] the app, with a user's token (a key names its own app)
   * @param {typeof WebSocket} [options.WebSocket] the WebSocket class (the browser's by default; `ws` under Node)
   */
  constructor(url, options = {}) {
    this.url = url;
    this.options = {
      minDelayMs: 500,
      maxDelayMs: 30_000,
      ackEvery: 20,
      ackDelayMs: 1000,
      pingIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      random: Math.random,
      onStatus: () => {},
      onError: () => {},
      ...options,
    };
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    if (!this.WebSocket) {
      throw new Error('no WebSocket class: pass options.WebSocket (e.g. the ws package under Node)');
    }
    /** topic -> { lastSeq, epoch, handlers, unackedCount, ackTimer } */
    this.topics = new Map();
    /** publish id -> { topic, payload, resolve, reject } */
    this.pending = new Map();
    this.attempt = 0;
    this.closed = false;
    this.socket = null;
    this.status = 'idle';
    this.connect();
  }

  /** Subscribes; `from` ({seq, epoch}, e.g. kept in localStorage) resumes an earlier visit. */
  subscribe(topic, { onEvent = () => {}, onReset = () => {}, onError = () => {}, from } = {}) {
    if (this.topics.has(topic)) {
      throw new Error(`already subscribed to ${topic}`);
    }
    const state = {
      lastSeq: from ? from.seq : null,
      epoch: from ? from.epoch : null,
      handlers: { onEvent, onReset, onError },
      unackedCount: 0,
      ackTimer: null,
    };
    this.topics.set(topic, state);
    this.#sendSubscribe(topic, state);
    return {
      unsubscribe: () => this.unsubscribe(topic),
      /** Where the page is in the topic: keep it to resume after a reload. */
      position: () => ({ seq: state.lastSeq, epoch: state.epoch }),
    };
  }

  unsubscribe(topic) {
    const state = this.topics.get(topic);
    if (!state) {
      return;
    }
    this.#flushAck(topic, state);
    this.topics.delete(topic);
    this.#send({ type: 'unsubscribe', topic });
  }

  /** Publishes; resolves with the server's ack ({id, topic, seq}), rejects with its error. */
  publish(topic, payload, id = randomId()) {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { topic, payload, resolve, reject });
      this.#send({ type: 'publish', topic, payload, id });
    });
  }

  /** Closes for good: no reconnect; publishes not yet acknowledged are rejected. */
  close() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.#stopPings();
    for (const [topic, state] of this.topics) {
      this.#flushAck(topic, state);
    }
    if (this.socket) {
      this.socket.close(CLOSE_BY_CLIENT);
    }
    for (const p of this.pending.values()) {
      p.reject(new Error('the client was closed'));
    }
    this.pending.clear();
    this.#setStatus('closed');
  }

  async connect() {
    if (this.closed) {
      return;
    }
    this.#setStatus('connecting');
    let token;
    try {
      token = this.options.getToken ? await this.options.getToken() : this.options.token;
    } catch (e) {
      this.#scheduleReconnect();
      this.options.onError({ code: 'TOKEN_UNAVAILABLE', message: String(e) });
      return;
    }
    const query = new URLSearchParams();
    if (token) {
      query.set('token', token);
    }
    if (this.options.app) {
      query.set('app', this.options.app);
    }
    const socket = new this.WebSocket(query.toString() ? `${this.url}?${query}` : this.url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) {
        return;
      }
      this.attempt = 0;
      this.#setStatus('open');
      for (const [topic, state] of this.topics) {
        this.#sendSubscribe(topic, state);
      }
      for (const [id, p] of this.pending) {
        this.#send({ type: 'publish', topic: p.topic, payload: p.payload, id });
      }
      this.#startPings();
    };
    socket.onmessage = (e) => {
      if (socket === this.socket) {
        this.#receive(e.data);
      }
    };
    socket.onclose = (e) => this.#dropped(socket, `closed ${e.code}${e.reason ? ` ${e.reason}` : ''}`);
    socket.onerror = () => {}; // a close follows, and says more
  }

  /** The connection is gone (closed, or silent past the ping timeout): reconnect unless closed on purpose. */
  #dropped(socket, why) {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    this.#stopPings();
    for (const state of this.topics.values()) {
      clearTimeout(state.ackTimer);
      state.ackTimer = null;
      state.unackedCount = 0;
    }
    if (!this.closed) {
      this.#scheduleReconnect(); // first, so that onError can read nextDelayMs
      this.options.onError({ code: 'DISCONNECTED', message: why });
    }
  }

  /** Sends now when connected; otherwise the reconnect sends subscriptions and pending publishes again. */
  #send(message) {
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  #sendSubscribe(topic, state) {
    const resume = state.lastSeq !== null && state.epoch !== null ? { lastSeq: state.lastSeq, epoch: state.epoch } : {};
    this.#send({ type: 'subscribe', topic, ...resume });
  }

  #receive(data) {
    let m;
    try {
      m = JSON.parse(typeof data === 'string' ? data : data.toString());
    } catch {
      return;
    }
    this.lastHeard = Date.now();
    switch (m.type) {
      case 'subscribed': {
        const state = this.topics.get(m.topic);
        if (!state) {
          return;
        }
        if (!m.recovered) {
          // nothing was replayed: what the page shows may be missing events, so it loads the state
          // now, and events after m.seq come live
          state.lastSeq = m.seq;
          state.epoch = m.epoch;
          state.handlers.onReset({ seq: m.seq, epoch: m.epoch });
        } else {
          state.epoch = m.epoch;
        }
        return;
      }
      case 'event': {
        const state = this.topics.get(m.topic);
        if (!state) {
          return;
        }
        if (state.lastSeq !== null && m.seq <= state.lastSeq) {
          this.#ackSoon(m.topic, state); // a repeat: its ack was late or lost; say again how far we are
          return;
        }
        state.lastSeq = m.seq;
        try {
          state.handlers.onEvent(m.payload, { topic: m.topic, seq: m.seq, id: m.id, ts: m.ts, epoch: state.epoch });
        } finally {
          this.#ackSoon(m.topic, state);
        }
        return;
      }
      case 'ack': {
        const p = this.pending.get(m.id);
        if (p) {
          this.pending.delete(m.id);
          p.resolve({ id: m.id, topic: m.topic, seq: m.seq });
        }
        return;
      }
      case 'error': {
        const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
        if (p) {
          this.pending.delete(m.id);
          p.reject(Object.assign(new Error(m.message), { code: m.code }));
          return;
        }
        const state = m.topic !== undefined ? this.topics.get(m.topic) : undefined;
        if (state && m.code === 'FORBIDDEN_TOPIC') {
          this.topics.delete(m.topic); // the server ended the subscription
          clearTimeout(state.ackTimer);
        }
        (state ? state.handlers.onError : this.options.onError)({ code: m.code, message: m.message, topic: m.topic });
        return;
      }
      default:
        return; // pong, authenticated, and types of later versions
    }
  }

  #ackSoon(topic, state) {
    state.unackedCount++;
    if (state.unackedCount >= this.options.ackEvery) {
      this.#flushAck(topic, state);
    } else if (!state.ackTimer) {
      state.ackTimer = setTimeout(() => this.#flushAck(topic, state), this.options.ackDelayMs);
    }
  }

  #flushAck(topic, state) {
    clearTimeout(state.ackTimer);
    state.ackTimer = null;
    if (state.unackedCount > 0 && state.lastSeq !== null && this.#send({ type: 'ack', topic, seq: state.lastSeq })) {
      state.unackedCount = 0;
    }
  }

  #scheduleReconnect() {
    this.#setStatus('reconnecting');
    // full jitter: a random wait up to an exponentially growing cap
    const cap = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delay = Math.round(this.options.random() * cap);
    this.nextDelayMs = delay;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  #startPings() {
    this.#stopPings();
    this.lastHeard = Date.now();
    this.pingTimer = setInterval(() => {
      const quiet = Date.now() - this.lastHeard;
      if (quiet >= this.options.pingIntervalMs + this.options.pongTimeoutMs && this.socket) {
        // a half-open connection may take minutes to close: give up on it now
        const silent = this.socket;
        this.#dropped(silent, `no answer to a ping within ${this.options.pongTimeoutMs} ms`);
        silent.close(4000, 'no answer to ping');
      } else if (quiet >= this.options.pingIntervalMs) {
        this.#send({ type: 'ping' });
      }
    }, Math.max(100, Math.min(this.options.pingIntervalMs, this.options.pongTimeoutMs) / 2));
  }

  #stopPings() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  #setStatus(status) {
    if (this.status !== status) {
      this.status = status;
      this.options.onStatus(status);
    }
  }
}

function randomId() {
  return globalThis.crypto && globalThis.crypto.randomUUID
    ? globalThis.crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
