// Performance: web vitals at p75 with Google's ratings (GET /api/performance/web-vitals), per page
// or device, and the slowest resources (GET /api/performance/resources).
import { useState } from 'preact/hooks';
import { query } from '../api.js';
import { useApi, Loaded, Empty, Table } from '../ui.jsx';
import { countOf, formatInteger, formatVital } from '../format.js';
import { VITALS, RATING_LABEL, ratingClass, Distribution } from '../vitals.jsx';

export function Performance({ appId, range }) {
  const [groupBy, setGroupBy] = useState('path');
  const params = { appId, from: range.from.toISOString(), to: range.to.toISOString() };
  const vitals = useApi(`/api/performance/web-vitals?${query(params)}`);
  const grouped = useApi(`/api/performance/web-vitals?${query({ ...params, groupBy })}`);
  const resources = useApi(`/api/performance/resources?${query({ ...params, limit: 15 })}`);
  return (
    <>
      <h2>Web vitals at p75</h2>
      <Loaded result={vitals}>
        {(v) =>
          v.metrics.length === 0 ? (
            <Empty>No web vitals in this range. The web-vitals library's reports arrive as web-vital events.</Empty>
          ) : (
            <ul class="kpis vitals">
              {[...v.metrics].sort((a, b) => VITALS.indexOf(a.name) - VITALS.indexOf(b.name)).map((m) => (
                <li class={`kpi ${ratingClass(m.rating)}`} data-vital={m.name}>
                  <span class="kpi-label">{m.name}</span>
                  <span class="kpi-value">{formatVital(m.name, m.p75)}</span>
                  <span class="kpi-rating">{RATING_LABEL[m.rating] || m.rating}</span>
                  <Distribution m={m} />
                  <span class="muted small">{countOf(m.count, 'sample', 'samples')}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <section class="card">
        <header class="card-head">
          <h3>By {groupBy === 'path' ? 'page' : groupBy === 'deviceType' ? 'device' : 'browser'}</h3>
          <label>
            Group by{' '}
            <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
              <option value="path">Page</option>
              <option value="deviceType">Device</option>
              <option value="browser">Browser</option>
            </select>
          </label>
        </header>
        <Loaded result={grouped}>
          {(v) => {
            const groups = [...new Set(v.metrics.map((m) => m.group))];
            if (groups.length === 0) return <p class="muted">No data in this range.</p>;
            const cell = (group, name) => v.metrics.find((m) => m.group === group && m.name === name);
            return (
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{groupBy}</th>
                    {VITALS.slice(0, 5).map((n) => (
                      <th scope="col" class="num">{n}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {groups.map((g) => (
                    <tr>
                      <td>{g ?? '(none)'}</td>
                      {VITALS.slice(0, 5).map((n) => {
                        const m = cell(g, n);
                        return <td class={`num ${m ? ratingClass(m.rating) : ''}`}>{m ? formatVital(n, m.p75) : '–'}</td>;
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          }}
        </Loaded>
      </section>
      <section class="card">
        <h3>Slowest resources (p75)</h3>
        <Loaded result={resources}>
          {(r) =>
            r.items.length === 0 ? (
              <p class="muted">No resource timings in this range.</p>
            ) : (
              <Table columns={['Resource', 'Type', { label: 'Samples', num: true }, { label: 'p75', num: true }]}>
                {r.items.map((i) => (
                  <tr>
                    <td class="url">{i.name}</td>
                    <td>{i.initiatorType}</td>
                    <td class="num">{formatInteger(i.count)}</td>
                    <td class="num">{formatVital('', i.p75)}</td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Loaded>
      </section>
    </>
  );
}
