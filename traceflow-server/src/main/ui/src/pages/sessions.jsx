// Sessions and paths: the sessions that start in the range (GET /api/sessions), one session's timeline
// (GET /api/sessions/{id}), the most frequent page transitions (GET /api/user-behavior/paths) and a
// page's click heatmap (GET /api/user-behavior/heatmap) drawn over the page's proportions.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { useApi, Loaded, Empty, ErrorBox, Card, Table } from '../ui.jsx';
import { formatInteger, formatSeconds, formatDateTime, countOf } from '../format.js';

function rangeOnly(range) {
  return { from: range.from.toISOString(), to: range.to.toISOString() };
}

function SessionFlags({ s }) {
  return (
    <>
      {s.bounced && <span class="badge">bounced</span>}
      {s.engaged && <span class="badge status-resolved">engaged</span>}
    </>
  );
}

export function SessionList({ appId, range }) {
  const base = { appId, limit: 50, ...rangeOnly(range) };
  const first = useApi(`/api/sessions?${query(base)}`);
  const [pages, setPages] = useState([]);
  const [more, setMore] = useState({ loading: false, error: null });
  const items = first.data ? [first.data.items, ...pages.map((p) => p.items)].flat() : [];
  const next = pages.length ? pages[pages.length - 1].nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    setMore({ loading: true, error: null });
    try {
      const page = await api(`/api/sessions?${query({ ...base, cursor: next })}`);
      setPages((p) => [...p, page]);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };
  return (
    <>
      <div class="toolbar">
        <h2>Sessions</h2>
        {first.data && <span class="muted">{countOf(first.data.total, 'session', 'sessions')} in the range</span>}
        <a class="button" href={`/apps/${encodeURIComponent(appId)}/paths${location.search}`}>
          Paths and heatmap
        </a>
      </div>
      <Loaded result={first}>
        {() =>
          items.length === 0 ? (
            <Empty>No session started in this range.</Empty>
          ) : (
            <>
              <Table
                class="sessions-table"
                columns={['Started', 'Entry → exit', { label: 'Duration', num: true }, { label: 'Pages', num: true }, { label: 'Events', num: true }, 'User']}
              >
                {items.map((s) => (
                  <tr>
                    <td>
                      <a class="session-link" href={`/apps/${encodeURIComponent(appId)}/sessions/${encodeURIComponent(s.id)}${location.search}`}>
                        {formatDateTime(s.startTime)}
                      </a>
                      <SessionFlags s={s} />
                    </td>
                    <td class="url">
                      {s.entryPage ?? '–'} → {s.exitPage ?? '–'}
                    </td>
                    <td class="num">{formatSeconds(s.duration)}</td>
                    <td class="num">{formatInteger(s.pageViews)}</td>
                    <td class="num">{formatInteger(s.events)}</td>
                    <td class="url small">{s.userId ?? <span class="muted">anonymous</span>}</td>
                  </tr>
                ))}
              </Table>
              {more.error && <ErrorBox error={more.error} onRetry={loadMore} />}
              {next && (
                <button type="button" class="button" onClick={loadMore} disabled={more.loading}>
                  {more.loading ? 'Loading…' : 'More sessions'}
                </button>
              )}
            </>
          )
        }
      </Loaded>
    </>
  );
}

/** What an event of the timeline says beyond its type and path. */
function eventDetail(e) {
  switch (e.type) {
    case 'error':
      return `${e.errorType || 'Error'}: ${e.message || ''}`;
    case 'web-vital':
      return `${e.name} ${formatInteger(e.value)}${e.name === 'CLS' ? '' : ' ms'}`;
    case 'click':
      return e.selector ? `on ${e.selector}` : `at ${formatInteger(e.x)}, ${formatInteger(e.y)}`;
    case 'event':
    case 'conversion':
    case 'purchase':
      return e.name || '';
    case 'api':
      return `${e.method || ''} ${e.name || ''} ${e.status ?? ''}`.trim();
    case 'resource':
      return e.name || '';
    default:
      return e.title || '';
  }
}

export function SessionDetail({ appId, range, sessionId }) {
  // the session is looked for among those starting in [from, to): the range's end, 7 days back
  const result = useApi(`/api/sessions/${encodeURIComponent(sessionId)}?${query({ appId, to: range.to.toISOString() })}`);
  return (
    <>
      <p>
        <a href={`/apps/${encodeURIComponent(appId)}/sessions${location.search}`}>← Sessions</a>
      </p>
      <Loaded result={result}>
        {({ session: s, events }) => {
          const start = Date.parse(s.startTime);
          return (
            <>
              <h2>
                Session <code class="small">{s.id}</code> <SessionFlags s={s} />
              </h2>
              <dl class="facts card">
                <div>
                  <dt>Started</dt>
                  <dd>{formatDateTime(s.startTime)}</dd>
                </div>
                <div>
                  <dt>Duration</dt>
                  <dd>{formatSeconds(s.duration)}</dd>
                </div>
                <div>
                  <dt>Page views</dt>
                  <dd>{formatInteger(s.pageViews)}</dd>
                </div>
                <div>
                  <dt>Events</dt>
                  <dd>{formatInteger(s.events)}</dd>
                </div>
                <div>
                  <dt>User</dt>
                  <dd>{s.userId ?? 'anonymous'}</dd>
                </div>
              </dl>
              <h3>Timeline</h3>
              <ol class="timeline">
                {events.map((e) => (
                  <li class={`timeline-event type-${e.type}`}>
                    <span class="offset num">+{formatSeconds((new Date(e.timestamp).getTime() - start) / 1000)}</span>
                    <span class="badge">{e.type}</span> <span class="url">{e.path ?? ''}</span>{' '}
                    <span class="muted">{eventDetail(e)}</span>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Loaded>
    </>
  );
}

const VIEWPORTS = [
  { id: 'desktop', label: 'Desktop (16:10)', ratio: 10 / 16 },
  { id: 'laptop', label: 'Laptop (16:9)', ratio: 9 / 16 },
  { id: 'phone', label: 'Phone (9:19.5)', ratio: 19.5 / 9 },
];

/**
 * The heatmap's 100 x 100 cells (x / viewport width, y / viewport height) over a box of the page's
 * proportions: a cell's opacity is its clicks against the busiest cell's.
 */
function HeatmapCanvas({ cells, ratio, label }) {
  const canvas = useRef(null);
  useEffect(() => {
    const el = canvas.current;
    const width = el.clientWidth;
    const height = Math.round(width * ratio);
    const scale = window.devicePixelRatio || 1;
    el.width = Math.round(width * scale);
    el.height = Math.round(height * scale);
    el.style.height = `${height}px`;
    const g = el.getContext('2d');
    g.scale(scale, scale);
    g.clearRect(0, 0, width, height);
    const max = Math.max(1, ...cells.map((c) => c.count));
    const cw = width / 100;
    const ch = height / 100;
    for (const c of cells) {
      const heat = c.count / max;
      // cold to hot: blue to red, and more opaque as it gets hotter
      g.fillStyle = `hsla(${Math.round(220 - 220 * heat)}, 90%, 50%, ${0.25 + 0.75 * heat})`;
      g.fillRect(c.x * cw - cw, c.y * ch - ch, cw * 3, ch * 3);
    }
  }, [cells, ratio]);
  return <canvas ref={canvas} class="heatmap" role="img" aria-label={label} />;
}

export function Paths({ appId, range, search }) {
  const paths = useApi(`/api/user-behavior/paths?${query({ appId, limit: 50, ...rangeOnly(range) })}`);
  const pages = useMemo(() => {
    const seen = new Map();
    for (const t of paths.data?.transitions || []) seen.set(t.to, (seen.get(t.to) || 0) + t.count);
    return [...seen].sort((a, b) => b[1] - a[1]).map(([p]) => p);
  }, [paths.data]);
  const [page, setPage] = useState(search.get('page') || '');
  const chosen = page || pages[0] || '';
  const [viewport, setViewport] = useState('desktop');
  const heatmap = useApi(chosen ? `/api/user-behavior/heatmap?${query({ appId, path: chosen, ...rangeOnly(range) })}` : null);
  const max = Math.max(1, ...(paths.data?.transitions || []).map((t) => t.count));
  return (
    <>
      <div class="toolbar">
        <h2>Paths</h2>
        <a href={`/apps/${encodeURIComponent(appId)}/sessions${location.search}`}>Sessions</a>
      </div>
      <div class="two-columns">
        <Card id="transitions-title" title="Most frequent page transitions">
          <Loaded result={paths}>
            {(p) =>
              p.transitions.length === 0 ? (
                <p class="muted">No page views in this range.</p>
              ) : (
                <Table class="transitions" columns={['From', 'To', { label: 'Times', num: true }]}>
                  {p.transitions.map((t) => (
                    <tr>
                      <td class="url">{t.from === '(entry)' ? <span class="muted">(entry)</span> : t.from}</td>
                      <td class="url">{t.to}</td>
                      <td class="num">
                        {formatInteger(t.count)}
                        <span class="bar" aria-hidden="true">
                          <span style={{ width: `${(100 * t.count) / max}%` }} />
                        </span>
                      </td>
                    </tr>
                  ))}
                </Table>
              )
            }
          </Loaded>
        </Card>
        <section class="card" aria-labelledby="heatmap-title">
          <header class="card-head">
            <h3 id="heatmap-title">Clicks on {chosen || 'a page'}</h3>
          </header>
          <form
            class="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              setPage(new FormData(e.currentTarget).get('page').trim());
            }}
          >
            <label>
              Page{' '}
              <input name="page" list="heatmap-pages" defaultValue={chosen} key={chosen} placeholder="/pricing" required />
            </label>
            <datalist id="heatmap-pages">
              {pages.map((p) => (
                <option value={p} />
              ))}
            </datalist>
            <button type="submit" class="button">
              Show
            </button>
            <label>
              <span class="visually-hidden">Proportions</span>
              <select value={viewport} onChange={(e) => setViewport(e.currentTarget.value)}>
                {VIEWPORTS.map((v) => (
                  <option value={v.id}>{v.label}</option>
                ))}
              </select>
            </label>
          </form>
          {chosen ? (
            <Loaded result={heatmap}>
              {(h) => (
                <>
                  <p class="muted" data-testid="heatmap-clicks">
                    {countOf(h.clicks, 'click', 'clicks')} with a viewport size, in {countOf(h.cells.length, 'cell', 'cells')} of 100 × 100
                  </p>
                  <div class={`heatmap-frame viewport-${viewport}`}>
                    <HeatmapCanvas
                      cells={h.cells}
                      ratio={VIEWPORTS.find((v) => v.id === viewport).ratio}
                      label={`Click heatmap of ${h.path}: ${h.clicks} clicks`}
                    />
                  </div>
                </>
              )}
            </Loaded>
          ) : (
            <p class="muted">Choose a page.</p>
          )}
        </section>
      </div>
    </>
  );
}
