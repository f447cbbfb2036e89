// Ingest health: what became of the app's events over the range (GET /api/ingest/stats).
import { query } from '../api.js';
import { useApi, Loaded, Table } from '../ui.jsx';
import { formatInteger, formatPercent } from '../format.js';

const REASONS = {
  invalid: 'Invalid',
  sampled_out: 'Sampled out',
  bot: 'Bots',
  rate_limited: 'Rate limited',
  too_large: 'Too large',
  duplicate: 'Duplicates',
  filtered: 'Filtered by rules',
  opted_out: 'Opted out',
  overloaded: 'Server overloaded',
  storage_timeout: 'Storage timeout',
  storage_failed: 'Storage failed',
  client_discarded: 'Discarded by the SDK',
};

export function IngestHealth({ appId, range }) {
  const stats = useApi(`/api/ingest/stats?${query({ appId, from: range.from.toISOString(), to: range.to.toISOString() })}`);
  return (
    <>
      <h2>Ingest health</h2>
      <Loaded result={stats}>
        {(s) => {
          const dropped = Object.keys(REASONS).reduce((sum, k) => sum + (s[k] || 0), 0);
          const all = s.accepted + dropped;
          return (
            <>
              <ul class="kpis">
                <li class="kpi">
                  <span class="kpi-label">Accepted</span>
                  <span class="kpi-value">{formatInteger(s.accepted)}</span>
                </li>
                <li class="kpi">
                  <span class="kpi-label">Not stored</span>
                  <span class="kpi-value">{formatInteger(dropped)}</span>
                  <span class="muted small">{all ? formatPercent(dropped / all) : '–'} of all</span>
                </li>
              </ul>
              <Table columns={['Reason not stored', { label: 'Events', num: true }]}>
                {Object.entries(REASONS).map(([k, label]) => (
                  <tr class={s[k] ? '' : 'muted'}>
                    <td>
                      {label} <code class="small">{k}</code>
                    </td>
                    <td class="num">{formatInteger(s[k] || 0)}</td>
                  </tr>
                ))}
              </Table>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
