// The dashboard's shell: who is signed in, their apps, the range, and which page to show.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, refresh, signOut, onSignedOut } from './api.js';
import { useLocation, navigate, match, interceptLinks } from './router.js';
import { PRESETS, DEFAULT_RANGE, resolveRange, customRange, localInputValue } from './range.js';
import { Loading, ErrorBox, Empty } from './ui.jsx';
import { SignIn } from './pages/signin.jsx';
import { Overview } from './pages/overview.jsx';
import { ErrorList, ErrorGroup } from './pages/errors.jsx';
import { Performance } from './pages/performance.jsx';
import { IngestHealth } from './pages/ingest.jsx';
import './styles.css';

const PAGES = [
  { name: 'overview', label: 'Overview', path: '' },
  { name: 'errors', label: 'Errors', path: '/errors' },
  { name: 'performance', label: 'Performance', path: '/performance' },
  { name: 'ingest', label: 'Ingest health', path: '/ingest' },
];

const THEME_KEY = 'traceflow.theme';

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

function Shell({ me, apps, onSignOut }) {
  const { path, search } = useLocation();
  const route = match(path);
  const rangeId = search.get('range') || DEFAULT_RANGE;
  // resolved again on every navigation, so "Last hour" means the hour before the click
  const custom = rangeId === 'custom' ? customRange(search.get('from'), search.get('to')) : null;
  const range = custom || resolveRange(rangeId === 'custom' ? DEFAULT_RANGE : rangeId);

  useEffect(() => {
    if (route.name === 'home' && apps.length > 0) navigate(appHref(apps[0].id, '', search), { replace: true });
  }, [route.name, apps]);

  const app = apps.find((a) => a.id === route.appId);
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
    }[route.name] || <Empty>No such page. <a href={appHref(app.id, '', search)}>Overview</a></Empty>;
  }
  const section = route.name === 'errorGroup' ? 'errors' : route.name;

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
            {PAGES.map((p) => (
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
    refresh().then((ok) => (ok ? load() : setSession({ state: 'out' })));
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
      return <Shell me={session.me} apps={session.apps} onSignOut={out} />;
  }
}

applyTheme(localStorage.getItem(THEME_KEY));
systemDark.addEventListener('change', () => applyTheme(localStorage.getItem(THEME_KEY)));
interceptLinks();
render(<App />, document.getElementById('app'));
