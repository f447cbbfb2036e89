// Errors: the groups with events in the range (GET /api/errors), and one group's page
// (GET /api/errors/{id}) with its latest stack, breakdowns, series and status (PATCH, editors).
import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { useApi, Loaded, Empty, ErrorBox, Table } from '../ui.jsx';
import { TimeChart } from '../chart.jsx';
import { rangeParams } from '../range.js';
import { formatInteger, formatAgo, formatDateTime, countOf } from '../format.js';

const STATUSES = ['unresolved', 'resolved', 'ignored'];

function StatusBadge({ status }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}

export function ErrorList({ appId, range, search }) {
  const sort = search.get('sort') || 'lastSeen';
  const status = search.get('status') || '';
  const [filter, setFilter] = useState('');
  const [pages, setPages] = useState([]);
  const base = { appId, sort, status, limit: 50, from: range.from.toISOString(), to: range.to.toISOString() };
  const first = useApi(`/api/errors?${query(base)}`);
  const [more, setMore] = useState({ loading: false, error: null });

  const items = useMemo(() => {
    const all = first.data ? [first.data.items, ...pages.map((p) => p.items)].flat() : [];
    const needle = filter.trim().toLowerCase();
    // the API has no text search: this filters the groups loaded so far
    return needle ? all.filter((g) => `${g.type} ${g.message}`.toLowerCase().includes(needle)) : all;
  }, [first.data, pages, filter]);
  const next = pages.length ? pages[pages.length - 1].nextCursor : first.data?.nextCursor;

  const setParam = (name, value) => {
    const q = new URLSearchParams(location.search);
    if (value) q.set(name, value);
    else q.delete(name);
    setPages([]);
    history.replaceState(null, '', `${location.pathname}?${q}`);
    dispatchEvent(new PopStateEvent('popstate'));
  };

  const loadMore = async () => {
    setMore({ loading: true, error: null });
    try {
      const page = await api(`/api/errors?${query({ ...base, cursor: next })}`);
      setPages((p) => [...p, page]);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };

  return (
    <section aria-labelledby="errors-title">
      <div class="toolbar">
        <h2 id="errors-title">Errors</h2>
        <label>
          Sort{' '}
          <select value={sort} onChange={(e) => setParam('sort', e.currentTarget.value)}>
            <option value="lastSeen">Last seen</option>
            <option value="count">Events</option>
            <option value="firstSeen">First seen</option>
          </select>
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setParam('status', e.currentTarget.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Search{' '}
          <input type="search" value={filter} placeholder="type or message" onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
      </div>
      <Loaded result={first}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No errors in this range{status ? ` with status ${status}` : ''}.</Empty>
          ) : (
            <>
              <p class="muted">
                {countOf(data.total, 'group', 'groups')}{filter && `, ${formatInteger(items.length)} shown`}
              </p>
              <Table class="errors-table" columns={['Error', { label: 'Events', num: true }, { label: 'Users', num: true }, 'Last seen', 'Status']}>
                {items.map((g) => (
                  <tr key={g.id}>
                    <td>
                      <a class="error-link" href={`/apps/${encodeURIComponent(appId)}/errors/${g.id}${location.search}`}>
                        <strong>{g.type}</strong> <span class="message">{g.message}</span>
                      </a>
                      {g.regressions > 0 && <span class="badge regressed">regressed</span>}
                    </td>
                    <td class="num">{formatInteger(g.count)}</td>
                    <td class="num">{formatInteger(g.users)}</td>
                    <td title={formatDateTime(g.lastSeen)}>{formatAgo(g.lastSeen)}</td>
                    <td>
                      <StatusBadge status={g.status} />
                    </td>
                  </tr>
                ))}
              </Table>
              {more.error && <ErrorBox error={more.error} />}
              {next && (
                <button type="button" class="button" disabled={more.loading} onClick={loadMore}>
                  {more.loading ? 'Loading…' : 'Load more'}
                </button>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function Frames({ frames }) {
  const inApp = frames.filter((f) => f.inApp);
  const other = frames.filter((f) => !f.inApp);
  const line = (f) => (
    <li class={f.inApp ? 'frame in-app' : 'frame'}>
      <code>{f.function || '<anonymous>'}</code>
      <span class="muted">
        {' '}
        {f.file}
        {f.line != null && `:${f.line}`}
        {f.column != null && `:${f.column}`}
      </span>
    </li>
  );
  return (
    <>
      <ol class="frames">{(inApp.length ? inApp : other).map(line)}</ol>
      {inApp.length > 0 && other.length > 0 && (
        <details>
          <summary>{countOf(other.length, 'other frame', 'other frames')} (libraries, the browser)</summary>
          <ol class="frames">{other.map(line)}</ol>
        </details>
      )}
    </>
  );
}

function Breakdown({ title, rows }) {
  const total = rows.reduce((s, r) => s + r.count, 0);
  return (
    <div class="breakdown">
      <h4>{title}</h4>
      {rows.length === 0 ? (
        <p class="muted">–</p>
      ) : (
        <ul>
          {rows.slice(0, 6).map((r) => (
            <li>
              <span>{r.value ?? '(none)'}</span>
              <span class="num">{formatInteger(r.count)}</span>
              <span class="bar" aria-hidden="true">
                <span style={{ width: `${(100 * r.count) / total}%` }} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ErrorGroup({ appId, groupId, range, canEdit }) {
  const result = useApi(`/api/errors/${encodeURIComponent(groupId)}?${query({ appId, ...rangeParams(range) })}`);
  const [change, setChange] = useState({ busy: false, error: null, status: null });

  const setStatus = async (status) => {
    setChange({ busy: true, error: null, status: null });
    try {
      const g = await api(`/api/errors/${encodeURIComponent(groupId)}`, { method: 'PATCH', body: { status } });
      setChange({ busy: false, error: null, status: g?.status || status });
    } catch (error) {
      setChange({ busy: false, error, status: null });
    }
  };

  return (
    <Loaded result={result}>
      {(g) => {
        const status = change.status || g.status;
        const series = { timestamps: g.series.map((p) => Date.parse(p.ts)), series: [{ label: 'Events', values: g.series.map((p) => p.count) }] };
        const e = g.latestEvent;
        return (
          <article class="error-group" aria-labelledby="group-title">
            <p>
              <a href={`/apps/${encodeURIComponent(appId)}/errors${location.search}`}>← All errors</a>
            </p>
            <header class="group-head">
              <div>
                <h2 id="group-title">
                  {g.type} <StatusBadge status={status} />
                </h2>
                <p class="message">{g.message}</p>
                <p class="muted">
                  {countOf(g.count, 'event', 'events')} and {countOf(g.users, 'user', 'users')} in this range · {formatInteger(g.timesSeen)} ever · first seen{' '}
                  {formatDateTime(g.firstSeen)} · last seen {formatDateTime(g.lastSeen)}
                  {g.regressions > 0 && ` · regressed ${formatInteger(g.regressions)}×`}
                </p>
              </div>
              {canEdit && (
                <div class="actions" role="group" aria-label="Status">
                  {status !== 'resolved' && (
                    <button type="button" class="button primary" disabled={change.busy} onClick={() => setStatus('resolved')}>
                      Resolve
                    </button>
                  )}
                  {status !== 'ignored' && (
                    <button type="button" class="button" disabled={change.busy} onClick={() => setStatus('ignored')}>
                      Ignore
                    </button>
                  )}
                  {status !== 'unresolved' && (
                    <button type="button" class="button" disabled={change.busy} onClick={() => setStatus('unresolved')}>
                      Reopen
                    </button>
                  )}
                </div>
              )}
            </header>
            {change.error && <ErrorBox error={change.error} />}
            <section class="card">
              <h3>Events</h3>
              <TimeChart timestamps={series.timestamps} series={series.series} format={formatInteger} label="Events of this error over time" />
            </section>
            <section class="card breakdowns">
              <Breakdown title="Browser" rows={g.breakdowns.browser || []} />
              <Breakdown title="OS" rows={g.breakdowns.os || []} />
              <Breakdown title="Release" rows={g.breakdowns.release || []} />
            </section>
            <section class="card">
              <h3>Latest event</h3>
              {!e ? (
                <p class="muted">No event of this group is kept any more.</p>
              ) : (
                <>
                  <p class="muted">
                    {formatDateTime(e.timestamp)}
                    {e.url && ` · ${e.url}`}
                    {e.browser && ` · ${e.browser}`}
                    {e.os && ` · ${e.os}`}
                    {e.release && ` · ${e.release}`}
                  </p>
                  {e.frames?.length ? <Frames frames={e.frames} /> : <p class="muted">No stack was sent.</p>}
                  {e.stack && (
                    <details>
                      <summary>Raw stack</summary>
                      <pre class="stack">{e.stack}</pre>
                    </details>
                  )}
                </>
              )}
            </section>
          </article>
        );
      }}
    </Loaded>
  );
}
