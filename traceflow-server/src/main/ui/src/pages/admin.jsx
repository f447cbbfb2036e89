// Administration, for the app's owners and for admins: the app's settings (PATCH /api/apps/{id}), its
// ingest keys (a new key is shown once), members and roles, the users (admins only) and the audit
// trail. What is shown follows the role the server gave; the server checks every write again, so a
// page opened by URL without the role shows nothing to change and a hand-made write is refused.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { useApi, Loaded, Empty, ErrorBox, Card, Table, useAction } from '../ui.jsx';
import { formatDateTime } from '../format.js';

/** Runs a write (ui.jsx's useAction), keeping its error to show beside the control; reload() after it succeeded. */
function useWrite(reload) {
  const action = useAction();
  const run = async (fn) => {
    const result = await action.run('write', fn);
    if (result !== undefined) reload?.();
    return result;
  };
  return [{ busy: action.busy != null, error: action.error }, run];
}

function AppSettings({ app, reloadApps }) {
  const [state, run] = useWrite(reloadApps);
  const [saved, setSaved] = useState(false);
  const save = (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setSaved(false);
    run(async () => {
      await api(`/api/apps/${encodeURIComponent(app.id)}`, {
        method: 'PATCH',
        body: {
          name: f.get('name'),
          retentionDays: Number(f.get('retentionDays')),
          ingestRateLimit: Number(f.get('ingestRateLimit')),
          allowedOrigins: String(f.get('allowedOrigins'))
            .split(/[\s,]+/)
            .filter(Boolean),
        },
      });
      setSaved(true);
    });
  };
  return (
    <Card id="settings-title" title="App">
      <form class="form-grid" onSubmit={save}>
        <label>
          Name
          <input name="name" defaultValue={app.name || ''} maxLength={200} />
        </label>
        <label>
          Retention (days)
          <input name="retentionDays" type="number" min="1" max="3650" defaultValue={app.retentionDays} required />
        </label>
        <label>
          Ingest rate limit (events/s, 0 = none)
          <input name="ingestRateLimit" type="number" min="0" max="10000000" defaultValue={app.ingestRateLimit} required />
        </label>
        <label class="wide">
          Allowed origins (pages that may send events; space or comma separated, * = any)
          <input name="allowedOrigins" defaultValue={(app.allowedOrigins || []).join(' ')} />
        </label>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={state.busy}>
            Save
          </button>
          {saved && <span role="status">Saved.</span>}
        </div>
      </form>
      {state.error && <ErrorBox error={state.error} />}
    </Card>
  );
}

function Keys({ appId }) {
  const keys = useApi(`/api/apps/${encodeURIComponent(appId)}/keys`);
  const [state, run] = useWrite(keys.reload);
  const [created, setCreated] = useState(null);
  return (
    <section class="card" aria-labelledby="keys-title">
      <header class="card-head">
        <h3 id="keys-title">Ingest keys</h3>
        <button
          type="button"
          class="button"
          disabled={state.busy}
          onClick={() => run(() => api(`/api/apps/${encodeURIComponent(appId)}/keys`, { method: 'POST' })).then((k) => k && setCreated(k))}
        >
          New key
        </button>
      </header>
      {created && (
        <div class="secret" role="alert">
          <strong>Copy the new key now: it is not shown again.</strong>
          <label>
            Key <input readOnly value={created.key} class="mono" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <label>
            Sentry DSN <input readOnly value={created.dsn} class="mono" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" class="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      {state.error && <ErrorBox error={state.error} />}
      <Loaded result={keys}>
        {(k) =>
          k.items.length === 0 ? (
            <p class="muted">No keys: events cannot be sent until there is one.</p>
          ) : (
            <Table columns={['Prefix', 'Created', 'State', { label: 'Actions', hidden: true }]}>
              {k.items.map((key) => (
                <tr class={key.revokedAt ? 'muted' : ''}>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{formatDateTime(key.createdAt)}</td>
                  <td>
                    {key.revokedAt
                      ? `revoked ${formatDateTime(key.revokedAt)}`
                      : key.expiresAt
                        ? `expires ${formatDateTime(key.expiresAt)}`
                        : 'active'}
                  </td>
                  <td class="num">
                    {!key.revokedAt && (
                      <button
                        type="button"
                        class="button danger"
                        disabled={state.busy}
                        onClick={() =>
                          confirm(`Revoke the key ${key.prefix}…? Clients sending with it are refused at once.`) &&
                          run(() => api(`/api/apps/${encodeURIComponent(appId)}/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' }))
                        }
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
    </section>
  );
}

const ROLES = ['viewer', 'editor', 'owner'];

function Members({ appId }) {
  const members = useApi(`/api/apps/${encodeURIComponent(appId)}/members`);
  const [state, run] = useWrite(members.reload);
  const setRole = (username, role) =>
    run(() => api(`/api/apps/${encodeURIComponent(appId)}/members/${encodeURIComponent(username)}`, { method: 'PUT', body: { role } }));
  const add = (e) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form = e.currentTarget;
    setRole(String(f.get('username')).trim(), f.get('role')).then(() => form.reset());
  };
  return (
    <Card id="members-title" title="Members and roles">
      {state.error && <ErrorBox error={state.error} />}
      <Loaded result={members}>
        {(m) => (
          <Table class="members" columns={['User', 'Role', 'Since', { label: 'Actions', hidden: true }]}>
            {m.items.map((member) => (
              <tr>
                <td>{member.username}</td>
                <td>
                  <label>
                    <span class="visually-hidden">Role of {member.username}</span>
                    <select value={member.role} disabled={state.busy} onChange={(e) => setRole(member.username, e.currentTarget.value)}>
                      {ROLES.map((r) => (
                        <option value={r}>{r}</option>
                      ))}
                    </select>
                  </label>
                </td>
                <td>{formatDateTime(member.since)}</td>
                <td class="num">
                  <button
                    type="button"
                    class="button danger"
                    disabled={state.busy}
                    onClick={() =>
                      confirm(`Remove ${member.username} from the app?`) &&
                      run(() => api(`/api/apps/${encodeURIComponent(appId)}/members/${encodeURIComponent(member.username)}`, { method: 'DELETE' }))
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
      <form class="inline-form" onSubmit={add}>
        <label>
          Username <input name="username" required autoComplete="off" />
        </label>
        <label>
          Role{' '}
          <select name="role">
            {ROLES.map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="button" disabled={state.busy}>
          Add member
        </button>
      </form>
    </Card>
  );
}

function NewApp({ reloadApps }) {
  const [state, run] = useWrite(null);
  const [made, setMade] = useState(null);
  const create = (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    run(() => api('/api/apps', { method: 'POST', body: { id: f.get('id'), name: f.get('name') || undefined } })).then((a) => {
      if (!a) return;
      form.reset();
      setMade(a);
      reloadApps();
    });
  };
  return (
    <Card id="new-app-title" title="New app">
      {state.error && <ErrorBox error={state.error} />}
      {made && (
        <p role="status">
          Made <a href={`/apps/${encodeURIComponent(made.id)}/admin`}>{made.name || made.id}</a>: give it a key there.
        </p>
      )}
      <form class="inline-form" onSubmit={create}>
        <label>
          Id <input name="id" required pattern="[a-z0-9_\-]{1,64}" title="1-64 of a-z, 0-9, - and _" autoComplete="off" />
        </label>
        <label>
          Name <input name="name" maxLength={200} autoComplete="off" />
        </label>
        <button type="submit" class="button" disabled={state.busy}>
          Create app
        </button>
      </form>
    </Card>
  );
}

function Users({ me }) {
  const users = useApi('/api/users');
  const [state, run] = useWrite(users.reload);
  const create = (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    run(() =>
      api('/api/users', { method: 'POST', body: { username: f.get('username'), password: f.get('password'), admin: f.get('admin') === 'on' } }),
    ).then((u) => u && form.reset());
  };
  return (
    <Card id="users-title" title="Users">
      {state.error && <ErrorBox error={state.error} />}
      <Loaded result={users}>
        {(u) => (
          <Table columns={['Username', 'Admin', 'Last sign-in', 'State', { label: 'Actions', hidden: true }]}>
            {u.items.map((user) => (
              <tr class={user.enabled ? '' : 'muted'}>
                <td>{user.username}</td>
                <td>{user.admin ? 'admin' : ''}</td>
                <td>{formatDateTime(user.lastLoginAt)}</td>
                <td>{user.enabled ? 'enabled' : 'disabled'}</td>
                <td class="num">
                  {user.id !== me.id && (
                    <button
                      type="button"
                      class="button"
                      disabled={state.busy}
                      onClick={() => run(() => api(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: { enabled: !user.enabled } }))}
                    >
                      {user.enabled ? 'Disable' : 'Enable'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
      <form class="inline-form" onSubmit={create}>
        <label>
          Username <input name="username" required minLength={3} maxLength={64} autoComplete="off" />
        </label>
        <label>
          Password <input name="password" type="password" required minLength={10} autoComplete="new-password" />
        </label>
        <label class="check">
          <input name="admin" type="checkbox" /> Admin
        </label>
        <button type="submit" class="button" disabled={state.busy}>
          Create user
        </button>
      </form>
    </Card>
  );
}

function Audit({ appId }) {
  const first = useApi(`/audits?${query({ appId, limit: 50 })}`);
  const [pages, setPages] = useState([]);
  const [more, setMore] = useState({ loading: false, error: null });
  const rows = first.data ? [first.data.items, ...pages.map((p) => p.items)].flat() : [];
  const next = pages.length ? pages[pages.length - 1].nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    setMore({ loading: true, error: null });
    try {
      const page = await api(`/audits?${query({ appId, limit: 50, cursor: next })}`);
      setPages((p) => [...p, page]);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };
  return (
    <Card id="audit-title" title="Audit trail">
      <Loaded result={first}>
        {() =>
          rows.length === 0 ? (
            <p class="muted">Nothing recorded for this app yet.</p>
          ) : (
            <Table class="audit" columns={['When', 'Who', 'Action', 'On', 'Details']}>
              {rows.map((r) => (
                <tr>
                  <td>{formatDateTime(r.time)}</td>
                  <td>{r.actorName ?? <span class="muted">system</span>}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td class="url small">
                    {r.resourceType} {r.resourceId}
                  </td>
                  <td class="url small">{r.details && Object.keys(r.details).length ? JSON.stringify(r.details) : ''}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {more.error && <ErrorBox error={more.error} onRetry={loadMore} />}
      {next && (
        <button type="button" class="button" onClick={loadMore} disabled={more.loading}>
          {more.loading ? 'Loading…' : 'Older entries'}
        </button>
      )}
    </Card>
  );
}

/** Who may see the page: the app's owners and admins; the server decides each read and write again. */
export function canAdminister(app, me) {
  return Boolean(me.admin || app?.role === 'owner');
}

export function Administration({ app, me, reloadApps }) {
  if (!canAdminister(app, me)) {
    return (
      <Empty>
        Administration is for the app's owners and for admins; your role on {app.name || app.id} is {app.role}.
      </Empty>
    );
  }
  return (
    <>
      <h2>Administration</h2>
      <AppSettings app={app} reloadApps={reloadApps} />
      <Keys appId={app.id} />
      <Members appId={app.id} />
      {me.admin && <NewApp reloadApps={reloadApps} />}
      {me.admin && <Users me={me} />}
      <Audit appId={app.id} />
    </>
  );
}
