// Overview: the metrics engine's numbers for the range (GET /api/metrics/overview) and a chart per
// metric (GET /api/metrics), each splittable by a dimension.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from '../api.js';
import { useApi, Loaded } from '../ui.jsx';
import { TimeChart } from '../chart.jsx';
import { rangeParams } from '../range.js';
import { formatInteger, formatPercent, formatSeconds, formatMoney, formatDecimal } from '../format.js';

const METRICS = [
  { key: 'visitors', metric: 'visitors', label: 'Visitors', format: formatInteger },
  { key: 'sessions', metric: 'sessions', label: 'Sessions', format: formatInteger },
  { key: 'pageViews', metric: 'page_views', label: 'Page views', format: formatInteger },
  { key: 'bounceRate', metric: 'bounce_rate', label: 'Bounce rate', format: formatPercent },
  { key: 'avgSessionDuration', metric: 'avg_session_duration', label: 'Avg. session', format: formatSeconds },
  { key: 'conversions', metric: 'conversions', label: 'Conversions', format: formatInteger },
  { key: 'revenue', metric: 'revenue', label: 'Revenue', format: formatMoney },
];

const DIMENSIONS = [
  { id: '', label: 'No breakdown' },
  { id: 'path', label: 'Page' },
  { id: 'device_type', label: 'Device' },
  { id: 'traffic_source', label: 'Source' },
  { id: 'browser', label: 'Browser' },
  { id: 'os', label: 'OS' },
  { id: 'country', label: 'Country' },
];

function overviewPath(appId, range) {
  return `/api/metrics/overview?${query({ appId, from: range.from.toISOString(), to: range.to.toISOString() })}`;
}

function metricPath(appId, range, metric, dimension) {
  return `/api/metrics?${query({ appId, metric, dimension, limit: dimension ? 5 : undefined, ...rangeParams(range) })}`;
}

/** What the overview asks for first: main.jsx's boot asks for it together with the account and the apps. */
export function overviewPaths(appId, range) {
  return [overviewPath(appId, range)];
}

// Performance marks of the first paint (read by traceflow-benchmark/dashboard-first-paint.mjs and
// DashboardBrowserIT): the numbers, then every chart, each marked once per page load.
const chartsDrawn = new Set();
function markOnce(name) {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}

function axisFormat(m) {
  // axis ticks of a rate or a duration are fractions: keep their decimals
  return m.metric === 'bounce_rate' ? formatPercent : m.metric === 'avg_session_duration' ? formatSeconds : formatDecimal;
}

function MetricChart({ appId, range, m, waiting }) {
  const [dimension, setDimension] = useState('');
  const result = useApi(waiting ? null : metricPath(appId, range, m.metric, dimension));
  useEffect(() => {
    if (!result.data) return;
    chartsDrawn.add(m.metric);
    if (chartsDrawn.size === METRICS.length) markOnce('traceflow:overview-charts');
  }, [result.data]);
  const chart = useMemo(() => {
    if (!result.data) return null;
    const points = result.data.series;
    const timestamps = [...new Set(points.map((p) => Date.parse(p.ts)))].sort((a, b) => a - b);
    const index = new Map(timestamps.map((t, i) => [t, i]));
    const groups = new Map();
    for (const p of points) {
      const label = dimension ? p.dimensionValue ?? '(none)' : m.label;
      if (!groups.has(label)) groups.set(label, new Array(timestamps.length).fill(0));
      groups.get(label)[index.get(Date.parse(p.ts))] = p.value;
    }
    return { timestamps, series: [...groups].map(([label, values]) => ({ label, values })) };
  }, [result.data, dimension, m]);
  const id = `dim-${m.metric}`;
  return (
    <section class="card chart-card" aria-labelledby={`${id}-title`}>
      <header class="card-head">
        <h3 id={`${id}-title`}>{m.label}</h3>
        <label class="visually-hidden" for={id}>
          Break {m.label} down by
        </label>
        <select id={id} value={dimension} onChange={(e) => setDimension(e.currentTarget.value)}>
          {DIMENSIONS.map((d) => (
            <option value={d.id}>{d.label}</option>
          ))}
        </select>
      </header>
      <Loaded result={result}>
        {() =>
          chart.series.length === 0 ? (
            <p class="muted">No data in this range.</p>
          ) : (
            <TimeChart timestamps={chart.timestamps} series={chart.series} format={axisFormat(m)} label={`${m.label} over time`} />
          )
        }
      </Loaded>
    </section>
  );
}

export function Overview({ appId, range }) {
  const overview = useApi(overviewPath(appId, range));
  useEffect(() => {
    if (overview.data) markOnce('traceflow:overview-numbers');
  }, [overview.data]);
  return (
    <>
      <Loaded result={overview}>
        {(o) => (
          <>
            <ul class="kpis" aria-label="Totals for the range">
              {METRICS.map((m) => (
                <li class="kpi" data-metric={m.key}>
                  <span class="kpi-label">{m.label}</span>
                  <span class="kpi-value">{m.format(o[m.key])}</span>
                </li>
              ))}
            </ul>
            {o.sessions === 0 && o.pageViews === 0 && (
              <p class="muted hint">
                No page views in this range yet. Send events to <code>POST /api/collect</code> with the app's ingest key.
              </p>
            )}
          </>
        )}
      </Loaded>
      <div class="chart-grid">
        {METRICS.map((m) => (
          // the charts ask once the numbers are in: seven series queries at once would share the
          // server's two store readers and the browser's six connections with the numbers' query
          // (README "Dashboard", "The first paint": measured on 1M events)
          <MetricChart key={m.metric} appId={appId} range={range} m={m} waiting={!overview.data && !overview.error} />
        ))}
      </div>
    </>
  );
}
