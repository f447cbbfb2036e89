// A build's log, live over the realtime gateway's /ws (API.md "Builds"): subscribe with the buildId
// and the last cursor received; the server sends every line after it (stored lines first, then live
// ones, one loop on its side), then `end` with the final status. Cursors are gapless from 1, so after
// a reconnect the subscribe carries the last cursor shown and nothing is missed; a line at or below
// it (one in flight when the connection dropped) is dropped here, and a jump past cursor + 1 would be
// a gap: the follower subscribes again from its cursor rather than show a hole.
// The reference client (/realtime/client.js) speaks topics only, hence this small follower.
import { freshToken } from './api.js';

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
const PING_MS = 25_000;
/** errors that another attempt cannot fix */
const FINAL_CODES = new Set(['NOT_FOUND', 'FORBIDDEN', 'BAD_MESSAGE', 'TOO_MANY_SUBSCRIPTIONS', 'FORBIDDEN_TOPIC']);

export class BuildLogFollower {
  /**
   * @param {object} o
   * @param {string} o.appId the build's app (the connection is opened for it)
   * @param {string} o.buildId
   * @param {(lines: object[]) => void} o.onLines lines in cursor order, each shown once
   * @param {(status: string) => void} o.onEnd the build's log ended with this status
   * @param {(status: string, detail?: object) => void} o.onStatus connecting | open | reconnecting | problem | ended | failed
   * @param {object} [o.using] what a test replaces: getToken, WebSocket, url (of /ws), random (0..1, for the backoff)
   */
  constructor({ appId, buildId, onLines, onEnd, onStatus, using = {} }) {
    Object.assign(this, { appId, buildId, onLines, onEnd, onStatus });
    this.using = {
      getToken: freshToken,
      WebSocket: globalThis.WebSocket,
      url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
      random: Math.random,
      ...using,
    };
    this.cursor = 0;
    this.connects = 0;
    this.attempt = 0;
    this.stopped = false;
    this.socket = null;
    this.pending = [];
    this.flushTimer = null;
  }

  async start() {
    if (this.stopped) return;
    this.onStatus(this.connects === 0 ? 'connecting' : 'reconnecting');
    let token;
    try {
      token = await this.using.getToken();
    } catch (e) {
      this.#retry({ code: 'SIGNED_OUT', message: String(e.message || e) });
      return;
    }
    if (this.stopped) return;
    const q = new URLSearchParams({ token, app: this.appId });
    const socket = new this.using.WebSocket(`${this.using.url()}?${q}`);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.connects++;
      this.#send({ type: 'subscribe', buildId: this.buildId, cursor: this.cursor });
      this.onStatus('open', { connects: this.connects, from: this.cursor });
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.#send({ type: 'ping' }), PING_MS);
    };
    socket.onmessage = (e) => socket === this.socket && this.#receive(e.data);
    socket.onclose = (e) => {
      if (socket !== this.socket) return;
      this.socket = null;
      clearInterval(this.pinger);
      this.#retry({ code: 'DISCONNECTED', message: `closed ${e.code}${e.reason ? ` ${e.reason}` : ''}` });
    };
    socket.onerror = () => {}; // a close follows, and says more
  }

  /** Stops for good (the page was left, or the log ended). */
  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pinger);
    this.#flush();
    const s = this.socket;
    this.socket = null;
    if (s && s.readyState <= 1) s.close(1000);
  }

  #send(message) {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  #receive(data) {
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.type === 'pong' || (m.buildId != null && m.buildId !== this.buildId)) return;
    if (m.type === 'log') {
      if (m.cursor <= this.cursor) return; // sent again after a resubscribe: shown already
      if (m.cursor !== this.cursor + 1) {
        // a hole: ask again from the last line shown instead of showing it
        this.#send({ type: 'subscribe', buildId: this.buildId, cursor: this.cursor });
        return;
      }
      this.cursor = m.cursor;
      this.pending.push(m);
      // a burst of lines becomes one render
      if (!this.flushTimer) this.flushTimer = setTimeout(() => this.#flush(), 50);
    } else if (m.type === 'end') {
      this.#flush();
      this.stop();
      this.onStatus('ended', { status: m.status });
      this.onEnd(m.status);
    } else if (m.type === 'error') {
      if (FINAL_CODES.has(m.code)) {
        this.#flush();
        this.stop();
        this.onStatus('failed', { code: m.code, message: m.message });
      } else {
        // UNAVAILABLE, SLOW_CONSUMER, RATE_LIMITED...: the server closes or we do; the cursor resumes
        this.onStatus('problem', { code: m.code, message: m.message });
        this.socket?.close(4000, m.code);
      }
    }
  }

  #flush() {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.onLines(lines);
  }

  #retry(problem) {
    if (this.stopped) return;
    // full jitter, as the reference client: a random wait up to an exponentially growing cap
    const cap = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delay = Math.round(this.using.random() * cap);
    this.onStatus('reconnecting', { ...problem, delay });
    this.reconnectTimer = setTimeout(() => this.start(), delay);
  }
}
