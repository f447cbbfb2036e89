// A small history router: the server answers every dashboard path with index.html
// (dev.traceflow.dashboard), and links inside the page move with pushState instead of reloading.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

export function currentLocation() {
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
  if (!replace) window.scrollTo(0, 0);
}

export function useLocation() {
  const [loc, setLoc] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLoc(currentLocation());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** Same-origin links without a target move inside the page; modified clicks keep the browser's way. */
export function interceptLinks() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest?.('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/apps') && url.pathname !== '/') return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}

/**
 * @returns the route's name and parameters for a path, or {name: 'notFound'}
 */
export function match(path) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'apps')) return { name: 'home' };
  if (parts[0] !== 'apps' || parts.length < 2) return { name: 'notFound' };
  const appId = parts[1];
  const rest = parts.slice(2);
  if (rest.length === 0) return { name: 'overview', appId };
  if (rest[0] === 'errors' && rest.length === 1) return { name: 'errors', appId };
  if (rest[0] === 'errors' && rest.length === 2) return { name: 'errorGroup', appId, groupId: rest[1] };
  if (rest[0] === 'performance' && rest.length === 1) return { name: 'performance', appId };
  if (rest[0] === 'ingest' && rest.length === 1) return { name: 'ingest', appId };
  if (rest[0] === 'sessions' && rest.length === 1) return { name: 'sessions', appId };
  if (rest[0] === 'sessions' && rest.length === 2) return { name: 'session', appId, sessionId: rest[1] };
  if (rest[0] === 'paths' && rest.length === 1) return { name: 'paths', appId };
  if (rest[0] === 'live' && rest.length === 1) return { name: 'live', appId };
  if (rest[0] === 'alerts' && rest.length === 1) return { name: 'alerts', appId };
  if (rest[0] === 'builds' && rest.length === 1) return { name: 'builds', appId };
  if (rest[0] === 'builds' && rest.length === 2) return { name: 'build', appId, buildId: rest[1] };
  if (rest[0] === 'releases' && rest.length === 1) return { name: 'releases', appId };
  if (rest[0] === 'admin' && rest.length === 1) return { name: 'admin', appId };
  return { name: 'notFound', appId };
}
