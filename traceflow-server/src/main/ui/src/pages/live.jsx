// Live: events arriving now and what the server stores, through the realtime gateway (README
// "Realtime") with the reference client the server serves at /realtime/client.js (reconnects with
// backoff, resumes from the last seq, drops repeats, acknowledges). Two of the app's server topics:
// traceflow:events (each accepted event as a summary, at most 20 a second per app; `skipped` counts
// what was left out) and traceflow:metrics (every 5 s, a `metrics_updated` with the events stored in
// that round, by type).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { freshToken } from '../api.js';
import { ErrorBox, Loading } from '../ui.jsx';
import { TimeChart } from '../chart.jsx';
import { formatInteger, formatDateTime, formatTime, formatVital, formatMoney, formatDecimal } from '../format.js';

const TOPIC = 'traceflow:metrics';
const EVENTS_TOPIC = 'traceflow:events';
const KEPT_UPDATES = 120; // ten minutes of rounds
const KEPT_EVENTS = 100;
const COUNTED = [
  { type: 'events', label: 'Events' },
  { type: 'page_views', label: 'Page views' },
  { type: 'errors', label: 'Errors' },
  { type: 'conversions', label: 'Conversions' },
];

const STATUS_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Closed',
};

/** What an event summary's detail says, in a few words. */
function describe(e) {
  const d = e.detail || {};
  switch (e.eventType) {
    case 'error':
      return [d.errorType, d.message].filter(Boolean).join(': ');
    case 'web-vital':
      return d.name ? `${d.name} ${formatVital(d.name, d.value)}${d.rating ? ` (${d.rating})` : ''}` : '';
    case 'api':
      return [d.method, d.url, d.status, d.duration != null ? `${formatInteger(d.duration)} ms` : null].filter((x) => x != null).join(' ');
    case 'click':
      return d.selector || '';
    case 'resource':
      return [d.name, d.duration != null ? `${formatInteger(d.duration)} ms` : null].filter(Boolean).join(' · ');
    case 'purchase':
    case 'conversion':
      return [d.conversionType, d.revenue != null ? formatMoney(d.revenue) : null].filter(Boolean).join(' · ');
    case 'performance':
      return d.metrics ? Object.entries(d.metrics).slice(0, 3).map(([k, v]) => `${k} ${formatDecimal(v)}`).join(' · ') : '';
    default:
      return d.name || e.title || '';
  }
}

/** One metrics_updated as {at, seq, totals: {events, page_views, ...}, byType: {pageview: n, ...}}. */
function summarise(payload, meta) {
  const totals = {};
  const byType = {};
  for (const m of payload.metrics || []) {
    if (m.dimension === 'event_type') byType[m.dimensionValue] = (byType[m.dimensionValue] || 0) + m.value;
    else if (!m.dimension) totals[m.metricType] = (totals[m.metricType] || 0) + m.value;
  }
  return { at: payload.timestamp || new Date(meta.ts).toISOString(), seq: meta.seq, totals, byType };
}

export function Live({ appId }) {
  const [status, setStatus] = useState('idle');
  const [position, setPosition] = useState(null); // {seq, epoch}
  const [connection, setConnection] = useState({ connects: 0, lastProblem: null, nextDelayMs: null, resume: null });
  const [updates, setUpdates] = useState([]);
  const [events, setEvents] = useState([]); // newest first, each {seq, ...summary}
  const [skipped, setSkipped] = useState(0);
  const [failed, setFailed] = useState(null);

  useEffect(() => {
    let client = null;
    let gone = false;
    let wasOpen = false;
    // the server's own file, as every page of an app would import it: not bundled, so the page
    // always runs the client this server's gateway was tested with
    import(/* @vite-ignore */ '/realtime/client.js')
      .then(({ RealtimeClient }) => {
        if (gone) return;
        const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
        let subscription = null;
        client = new RealtimeClient(url, {
          app: appId,
          getToken: freshToken,
          onStatus: (s) => {
            setStatus(s);
            if (s === 'open') {
              const from = subscription?.position();
              // a reconnect subscribes again from the last seq: the gateway replays what was missed,
              // unless that is no longer in its history (then onReset below says so)
              setConnection((c) => ({
                ...c,
                connects: c.connects + 1,
                nextDelayMs: null,
                resume: wasOpen && from?.seq != null ? { kind: 'resumed', seq: from.seq } : c.resume,
              }));
              wasOpen = true;
            }
          },
          onError: (e) => setConnection((c) => ({ ...c, lastProblem: `${e.code}: ${e.message}`, nextDelayMs: client?.nextDelayMs ?? null })),
        });
        subscription = client.subscribe(TOPIC, {
          onReset: ({ seq, epoch }) => {
            setPosition({ seq, epoch });
            setConnection((c) => ({ ...c, resume: { kind: wasOpen && c.connects > 1 ? 'lost' : 'fresh', seq } }));
          },
          onEvent: (payload, meta) => {
            setPosition({ seq: meta.seq, epoch: meta.epoch });
            if (payload?.type !== 'metrics_updated') return;
            setUpdates((list) => [summarise(payload, meta), ...list].slice(0, KEPT_UPDATES));
          },
          onError: (e) => setFailed({ message: e.message, code: e.code }),
        });
        client.subscribe(EVENTS_TOPIC, {
          onEvent: (payload, meta) => {
            if (payload?.type !== 'event') return;
            if (payload.skipped) setSkipped((n) => n + payload.skipped);
            setEvents((list) => [{ ...payload, seq: meta.seq }, ...list].slice(0, KEPT_EVENTS));
          },
          onError: (e) => setFailed({ message: e.message, code: e.code }),
        });
      })
      .catch((error) => setFailed({ message: `The realtime client could not be loaded: ${error.message}`, code: 'CLIENT_UNAVAILABLE' }));
    return () => {
      gone = true;
      client?.close();
    };
  }, [appId]);

  const sums = useMemo(() => {
    const s = {};
    for (const u of updates) for (const [k, v] of Object.entries(u.totals)) s[k] = (s[k] || 0) + v;
    return s;
  }, [updates]);
  const chart = useMemo(() => {
    if (updates.length < 2) return null;
    const ordered = [...updates].reverse();
    return {
      timestamps: ordered.map((u) => Date.parse(u.at)),
      series: [{ label: 'Events stored', values: ordered.map((u) => u.totals.events || 0) }],
    };
  }, [updates]);

  return (
    <>
      <div class="toolbar">
        <h2>Live</h2>
        <span class={`badge live-status live-${status}`} role="status" aria-live="polite">
          {STATUS_TEXT[status] || status}
        </span>
      </div>
      <p class="muted">
        Events as the server accepts them, from the realtime topic <code>{EVENTS_TOPIC}</code>, and the events stored in each
        5-second round, from <code>metrics_updated</code> on <code>{TOPIC}</code>.
      </p>
      {failed && <ErrorBox error={failed} />}
      <dl class="facts card">
        <div>
          <dt>Connection</dt>
          <dd>
            {STATUS_TEXT[status] || status}
            {connection.nextDelayMs != null && status === 'reconnecting' && ` (next attempt in ${formatInteger(connection.nextDelayMs)} ms)`}
          </dd>
        </div>
        <div>
          <dt>Connects</dt>
          <dd data-testid="live-connects">{formatInteger(connection.connects)}</dd>
        </div>
        <div>
          <dt>Position</dt>
          <dd data-testid="live-position">{position ? `seq ${formatInteger(position.seq)} · epoch ${position.epoch}` : '–'}</dd>
        </div>
        <div>
          <dt>Resume</dt>
          <dd data-testid="live-resume">
            {!connection.resume
              ? '–'
              : connection.resume.kind === 'resumed'
                ? `resumed after seq ${formatInteger(connection.resume.seq)}: missed rounds replayed`
                : connection.resume.kind === 'lost'
                  ? `could not resume (beyond the history): live again from seq ${formatInteger(connection.resume.seq)}`
                  : `live from seq ${formatInteger(connection.resume.seq)}`}
          </dd>
        </div>
        {connection.lastProblem && (
          <div>
            <dt>Last problem</dt>
            <dd>{connection.lastProblem}</dd>
          </div>
        )}
      </dl>
      <ul class="kpis" aria-label="Stored since this page opened">
        {COUNTED.map((c) => (
          <li class="kpi" data-live={c.type}>
            <span class="kpi-label">{c.label} since opened</span>
            <span class="kpi-value">{formatInteger(sums[c.type] || 0)}</span>
          </li>
        ))}
      </ul>
      <section class="card" aria-labelledby="live-events">
        <h3 id="live-events">Events arriving</h3>
        <p class="muted small">
          Each event the server accepted, newest first, from <code>{EVENTS_TOPIC}</code> (at most 20 a second per app; the rest are
          counted, not shown{skipped > 0 && <span data-testid="live-skipped">: {formatInteger(skipped)} left out since this page opened</span>}).
        </p>
        {events.length === 0 ? (
          status === 'open' ? (
            <p class="muted">Waiting for events…</p>
          ) : (
            <Loading label="Connecting to the realtime gateway…" />
          )
        ) : (
          <table class="table live-events">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Type</th>
                <th scope="col">Page</th>
                <th scope="col">What</th>
                <th scope="col">Client</th>
                <th scope="col">Release</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq} data-event-type={e.eventType}>
                  <td>
                    <time dateTime={e.receivedAt} title={formatDateTime(e.receivedAt)}>
                      {formatTime(e.receivedAt)}
                    </time>
                  </td>
                  <td>
                    <span class={`badge type-${e.eventType}`}>{e.eventType}</span>
                  </td>
                  <td class="small">{e.path || '–'}</td>
                  <td class="small">{describe(e) || '–'}</td>
                  <td class="small">{[e.browser, e.os, e.deviceType].filter(Boolean).join(' · ') || '–'}</td>
                  <td class="small">{e.release || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {chart && (
        <section class="card">
          <h3>Events stored per round</h3>
          <TimeChart timestamps={chart.timestamps} series={chart.series} format={formatInteger} label="Events stored per round" />
        </section>
      )}
      <section class="card" aria-labelledby="live-rounds">
        <h3 id="live-rounds">Rounds</h3>
        {updates.length === 0 ? (
          status === 'open' ? (
            <p class="muted">Waiting for events: a round with nothing stored sends nothing.</p>
          ) : (
            <Loading label="Connecting to the realtime gateway…" />
          )
        ) : (
          <table class="table live-table">
            <thead>
              <tr>
                <th scope="col">Minute</th>
                <th scope="col" class="num">
                  Seq
                </th>
                {COUNTED.map((c) => (
                  <th scope="col" class="num">
                    {c.label}
                  </th>
                ))}
                <th scope="col">By type</th>
              </tr>
            </thead>
            <tbody>
              {updates.map((u) => (
                <tr key={u.seq}>
                  <td>{formatDateTime(u.at)}</td>
                  <td class="num">{formatInteger(u.seq)}</td>
                  {COUNTED.map((c) => (
                    <td class="num" data-live-cell={c.type}>
                      {formatInteger(u.totals[c.type] || 0)}
                    </td>
                  ))}
                  <td class="small">
                    {Object.entries(u.byType)
                      .map(([t, n]) => `${t} ${formatInteger(n)}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
