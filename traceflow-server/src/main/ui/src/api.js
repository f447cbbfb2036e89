// The dashboard's only way to the server: the public API, with the signed-in user's access token.
// The access token lives in this module's memory only (never in storage a script could read later);
// the refresh token is the HttpOnly cookie that POST /auth/refresh rotates, so a reload or a new tab
// gets a fresh access token without asking for the password again.

let accessToken = null;
let refreshing = null;
const signedOutListeners = new Set();

/** An answer other than 2xx, in API.md's error shape: code, message, traceId. */
export class ApiError extends Error {
  constructor(status, body, traceId) {
    super(body?.message || `The server answered ${status}`);
    this.status = status;
    this.code = body?.code || `HTTP_${status}`;
    this.details = body?.details || [];
    this.traceId = body?.traceId || traceId || null;
  }
}

async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(res.status, body, res.headers.get('X-Trace-Id'));
}

/** Called when the session ends on its own (the refresh token expired or was revoked). */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export async function signIn(username, password) {
  const res = await fetch('/auth/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await errorOf(res);
  accessToken = (await res.json()).accessToken;
}

/**
 * @returns whether a new access token was had from the refresh cookie. One request at a time, also
 * across this browser's tabs (a Web Lock): each refresh rotates the cookie, and the server takes a
 * rotated token presented again for a stolen one and ends the whole login (README "Tokens").
 */
export function refresh() {
  if (!refreshing) {
    const exchange = () =>
      fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' }).then(async (res) => {
        if (!res.ok) {
          accessToken = null;
          return false;
        }
        accessToken = (await res.json()).accessToken;
        return true;
      });
    // Web Locks exist in secure contexts only (https, localhost); elsewhere tabs refresh unguarded
    refreshing = (navigator.locks ? navigator.locks.request('traceflow-refresh', exchange) : exchange())
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Seconds left before the access token expires (its JWT `exp`), or 0 when unknown. */
function secondsLeft(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.exp - Date.now() / 1000;
  } catch {
    return 0;
  }
}

/**
 * An access token good for at least another minute, for what cannot go through api() (the realtime
 * gateway's WebSocket, which takes it as ?token= at each connect).
 */
export async function freshToken() {
  if (!accessToken || secondsLeft(accessToken) < 60) await refresh();
  if (!accessToken) throw new Error('signed out');
  return accessToken;
}

export async function signOut() {
  accessToken = null;
  try {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
  } catch {
    // offline: the access token is forgotten anyway and the refresh token expires on its own
  }
}

const READ_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 5000;

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    });
  });
}

/**
 * Calls the API and answers its JSON (null for 204). An expired access token is refreshed once and
 * the call repeated; when that fails the session has ended and the listeners hear of it. A GET the
 * server shed (503, 429) is repeated up to twice after its Retry-After (at most 5 s each).
 */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const send = () =>
    fetch(path, {
      method,
      signal,
      credentials: 'same-origin',
      headers: {
        ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  if (!accessToken) await refresh();
  let res = await send();
  // a read the server shed (503 overloaded, 429 rate limited) is asked again after its Retry-After
  for (let retry = 0; method === 'GET' && retry < READ_RETRIES && (res.status === 503 || res.status === 429); retry++) {
    const seconds = Number(res.headers.get('Retry-After'));
    await pause(Math.min(MAX_RETRY_WAIT_MS, Math.max(500, Number.isFinite(seconds) ? seconds * 1000 : 1000)), signal);
    res = await send();
  }
  if (res.status === 401) {
    if (await refresh()) {
      res = await send();
    }
    if (res.status === 401) {
      signedOutListeners.forEach((l) => l());
    }
  }
  if (!res.ok) throw await errorOf(res);
  return res.status === 204 ? null : res.json();
}

// Answers asked for ahead of the page that needs them (the first paint: main.jsx asks for the
// overview's data together with the account and the apps instead of after them). A page takes an
// answer once; one older than this is asked for again.
const PREFETCH_TTL_MS = 10_000;
const prefetches = new Map();

/** Starts GET path now, for a page that will ask for the same path soon. */
export function prefetch(path) {
  if (prefetches.has(path)) return;
  const promise = api(path);
  promise.catch(() => {}); // a failure is the page's to show when it asks for the path
  prefetches.set(path, { promise, at: Date.now() });
}

/** @returns the prefetched answer's promise for path (taken: a second ask reads afresh), or null */
export function takePrefetched(path) {
  const entry = prefetches.get(path);
  if (!entry) return null;
  prefetches.delete(path);
  return Date.now() - entry.at < PREFETCH_TTL_MS ? entry.promise : null;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  return q.toString();
}
