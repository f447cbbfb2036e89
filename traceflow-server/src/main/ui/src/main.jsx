// The dashboard's shell: who is signed in, their apps, the range, and which page to show.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, refresh, signOut, onSignedOut, prefetch } from './api.js';
import { useLocation, navigate, match, interceptLinks } from './router.js';
import { PRESETS, customRange, localInputValue, rangeFromSearch, rangeNow, bootTime } from './range.js';
import { Loading, ErrorBox, Empty, Lazy } from './ui.jsx';
import { SignIn } from './pages/signin.jsx';
import { Overview, overviewPaths } from './pages/overview.jsx';
import { ErrorList, ErrorGroup } from './pages/errors.jsx';
import { Performance } from './pages/performance.jsx';
import { IngestHealth } from './pages/ingest.jsx';
import { SessionList, SessionDetail, Paths } from './pages/sessions.jsx';
import { Live } from './pages/live.jsx';
import { Alerts } from './pages/alerts.jsx';
import { Administration, canAdminister } from './pages/admin.jsx';
import './styles.css';

// pages most visits never open: their own chunks, fetched when first shown
const buildsPages = () => import('./pages/builds.jsx');
const releasesPage = () => import('./pages/releases.jsx');

const PAGES = [
  { name: 'overview', label: 'Overview', path: '' },
  { name: 'errors', label: 'Errors', path: '/errors' },
  { name: 'performance', label: 'Performance', path: '/performance' },
  { name: 'sessions', label: 'Sessions', path: '/sessions' },
  { name: 'live', label: 'Live', path: '/live' },
  { name: 'alerts', label: 'Alerts', path: '/alerts' },
  { name: 'builds', label: 'Builds', path: '/builds' },
  { name: 'releases', label: 'Releases', path: '/releases' },
  { name: 'ingest', label: 'Ingest', path: '/ingest' },
  { name: 'admin', label: 'Admin', path: '/admin', shown: canAdminister },
];

// pages under another page's tab
const SECTION_OF = { errorGroup: 'errors', session: 'sessions', paths: 'sessions', build: 'builds' };

const THEME_KEY = 'traceflow.theme';
// The app last shown, so that / opens it (and its data can be asked for before the app list arrives).
// Only an id: what the user may read is still the server's answer.
const LAST_APP_KEY = 'traceflow.lastApp';

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

/** @param theme 'light', 'dark', or '' for the system's (followed as it changes) */
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme || (systemDark.matches ? 'dark' : 'light');
}

function ThemeToggle() {
  const [theme, setTheme] = useState(() => localStorage.getItem(THEME_KEY) || '');
  useEffect(() => {
    applyTheme(theme);
    if (theme) localStorage.setItem(THEME_KEY, theme);
    else localStorage.removeItem(THEME_KEY);
  }, [theme]);
  return (
    <label class="theme">
      <span class="visually-hidden">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.currentTarget.value)}>
        <option value="">Auto theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

function appHref(appId, page, search) {
  const keep = new URLSearchParams();
  for (const name of ['range', 'from', 'to']) {
    if (search.get(name)) keep.set(name, search.get(name));
  }
  const q = keep.toString();
  return `/apps/${encodeURIComponent(appId)}${page}${q ? `?${q}` : ''}`;
}

function Shell({ me, apps, onSignOut, reloadApps }) {
  const { path, search } = useLocation();
  const route = match(path);
  // resolved again on every navigation, so "Last hour" means the hour before the click
  const { id: rangeId, range } = useMemo(() => rangeFromSearch(search, route.appId ? rangeNow() : new Date()), [path, search.toString()]);

  useEffect(() => {
    if (route.name !== 'home' || apps.length === 0) return;
    const last = localStorage.getItem(LAST_APP_KEY);
    const first = apps.find((a) => a.id === last) || apps[0];
    navigate(appHref(first.id, '', search), { replace: true });
  }, [route.name, apps]);

  const app = apps.find((a) => a.id === route.appId);
  useEffect(() => {
    if (app) localStorage.setItem(LAST_APP_KEY, app.id);
  }, [app?.id]);
  const canEdit = app && (app.role === 'editor' || app.role === 'owner');
  const setRange = (id, from, to) => {
    const q = new URLSearchParams(location.search);
    q.set('range', id);
    q.delete('from');
    q.delete('to');
    if (id === 'custom') {
      q.set('from', localInputValue(from || range.from));
      q.set('to', localInputValue(to || range.to));
    }
    navigate(`${location.pathname}?${q}`, { replace: true });
  };
  const applyCustom = (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const chosen = customRange(form.get('from'), form.get('to'));
    if (chosen) setRange('custom', chosen.from, chosen.to);
  };

  let page;
  if (apps.length === 0) {
    page = <Empty>You have no role on any app yet: ask an app's owner or an admin to add you.</Empty>;
  } else if (route.name === 'home') {
    page = <Loading />;
  } else if (!app) {
    page = (
      <Empty>
        No such page or app. <a href={appHref(apps[0].id, '', search)}>Go to {apps[0].name || apps[0].id}</a>
      </Empty>
    );
  } else {
    const props = { key: `${app.id}:${rangeId}:${path}`, appId: app.id, range, search };
    page = {
      overview: <Overview {...props} />,
      errors: <ErrorList {...props} key={`${props.key}:${search}`} />,
      errorGroup: <ErrorGroup {...props} groupId={route.groupId} canEdit={canEdit} />,
      performance: <Performance {...props} />,
      ingest: <IngestHealth {...props} />,
      sessions: <SessionList {...props} />,
      session: <SessionDetail {...props} sessionId={route.sessionId} />,
      paths: <Paths {...props} />,
      live: <Live key={app.id} appId={app.id} />,
      alerts: <Alerts {...props} canEdit={canEdit} />,
      builds: <Lazy load={buildsPages} name="Builds" {...props} canEdit={canEdit} />,
      build: <Lazy load={buildsPages} name="BuildPage" {...props} buildId={route.buildId} canEdit={canEdit} />,
      releases: <Lazy load={releasesPage} name="Releases" {...props} />,
      admin: <Administration key={app.id} app={app} me={me} reloadApps={reloadApps} />,
    }[route.name] || <Empty>No such page. <a href={appHref(app.id, '', search)}>Overview</a></Empty>;
  }
  const section = SECTION_OF[route.name] || route.name;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">
          <span class="logo" aria-hidden="true" /> TraceFlow
        </span>
        {apps.length > 0 && (
          <label class="app-switcher">
            <span class="visually-hidden">App</span>
            <select
              value={app?.id || ''}
              onChange={(e) => navigate(appHref(e.currentTarget.value, PAGES.find((p) => p.name === section)?.path || '', search))}
            >
              {!app && <option value="">Choose an app</option>}
              {apps.map((a) => (
                <option value={a.id}>{a.name || a.id}</option>
              ))}
            </select>
          </label>
        )}
        {app && <span class="badge role">{app.role}</span>}
        {app && (
          <nav aria-label="Pages">
            {PAGES.filter((p) => !p.shown || p.shown(app, me)).map((p) => (
              <a href={appHref(app.id, p.path, search)} aria-current={section === p.name ? 'page' : undefined}>
                {p.label}
              </a>
            ))}
          </nav>
        )}
        <span class="spacer" />
        {app && (
          <label class="range">
            <span class="visually-hidden">Time range</span>
            <select value={rangeId} onChange={(e) => setRange(e.currentTarget.value)}>
              {PRESETS.map((p) => (
                <option value={p.id}>{p.label}</option>
              ))}
            </select>
          </label>
        )}
        {app && rangeId === 'custom' && (
          <form class="custom-range" onSubmit={applyCustom} key={`${range.from.getTime()}-${range.to.getTime()}`}>
            <label>
              <span class="visually-hidden">From</span>
              <input type="datetime-local" name="from" defaultValue={localInputValue(range.from)} required />
            </label>
            <span aria-hidden="true">–</span>
            <label>
              <span class="visually-hidden">To</span>
              <input type="datetime-local" name="to" defaultValue={localInputValue(range.to)} required />
            </label>
            <button type="submit" class="button">
              Apply
            </button>
          </form>
        )}
        <ThemeToggle />
        <span class="user" title={me.admin ? 'admin' : undefined}>
          {me.username}
        </span>
        <button type="button" class="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

/**
 * Asks for the first page's data together with the account and the apps, not after them: the overview
 * of the app in the URL, or of the app last shown when the URL is /. A guess the app list then
 * refutes costs one wasted answer; the page itself reads only what the server allowed.
 */
function prefetchFirstPage() {
  const route = match(location.pathname);
  const appId = route.name === 'overview' ? route.appId : route.name === 'home' ? localStorage.getItem(LAST_APP_KEY) : null;
  if (!appId) return;
  // / becomes /apps/{app} with the same query, so the range is the one the overview will ask for
  const { range } = rangeFromSearch(new URLSearchParams(location.search), bootTime());
  overviewPaths(appId, range).forEach(prefetch);
}

// started before the first render: the refresh cookie's exchange is the one step nothing can skip
const restored = refresh();

function App() {
  const [session, setSession] = useState({ state: 'starting' });

  const load = async () => {
    try {
      const [me, apps] = await Promise.all([api('/api/users/me'), api('/api/apps')]);
      setSession({ state: 'in', me: me.user, apps: apps.items });
    } catch (error) {
      setSession(error.status === 401 ? { state: 'out' } : { state: 'failed', error });
    }
  };

  useEffect(() => {
    restored.then((ok) => {
      if (!ok) {
        setSession({ state: 'out' });
        return;
      }
      prefetchFirstPage();
      load();
    });
    return onSignedOut(() => setSession({ state: 'out', notice: 'Your session has ended: please sign in again.' }));
  }, []);

  const out = async () => {
    await signOut();
    setSession({ state: 'out', notice: 'You are signed out.' });
  };

  switch (session.state) {
    case 'starting':
      return <Loading />;
    case 'failed':
      return <ErrorBox error={session.error} onRetry={load} />;
    case 'out':
      return <SignIn onSignedIn={load} notice={session.notice} />;
    default:
      return <Shell me={session.me} apps={session.apps} onSignOut={out} reloadApps={load} />;
  }
}

applyTheme(localStorage.getItem(THEME_KEY));
systemDark.addEventListener('change', () => applyTheme(localStorage.getItem(THEME_KEY)));
interceptLinks();
render(<App />, document.getElementById('app'));
