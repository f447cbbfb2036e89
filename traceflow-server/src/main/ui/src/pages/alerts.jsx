// Alerts: the app's incidents (GET /api/alerts; Acknowledge for editors: POST /api/alerts/{id}/ack) and
// its rules (GET /api/alerts/rules; a new rule for editors: POST /api/alerts/rules), README "Alerts".
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { useApi, Loaded, Empty, ErrorBox } from '../ui.jsx';
import { formatDateTime, formatDecimal, formatAgo } from '../format.js';

const KINDS = [
  { id: 'new_error_group', label: 'A new error group' },
  { id: 'regression', label: 'A resolved error comes back' },
  { id: 'threshold', label: 'A metric crosses a threshold' },
  { id: 'anomaly', label: 'A metric leaves its usual band' },
];
const METRICS = ['page_views', 'sessions', 'visitors', 'bounce_rate', 'conversions', 'revenue', 'events', 'error_count',
  'error_users', 'error_rate', 'lcp_p75', 'inp_p75', 'cls_p75', 'fcp_p75', 'ttfb_p75', 'ingest_dropped'];
const COMPARISONS = [
  { id: 'gt', label: 'above' },
  { id: 'gte', label: 'at or above' },
  { id: 'lt', label: 'below' },
  { id: 'lte', label: 'at or below' },
];

function Incidents({ appId, canEdit }) {
  const [state, setState] = useState('');
  const incidents = useApi(`/api/alerts?${query({ appId, state, limit: 50 })}`);
  const [ack, setAck] = useState({ busy: null, error: null });
  const acknowledge = async (id) => {
    setAck({ busy: id, error: null });
    try {
      await api(`/api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST' });
      setAck({ busy: null, error: null });
      incidents.reload();
    } catch (error) {
      setAck({ busy: null, error });
    }
  };
  return (
    <section class="card" aria-labelledby="incidents-title">
      <header class="card-head">
        <h3 id="incidents-title">Incidents</h3>
        <label>
          <span class="visually-hidden">Incident state</span>
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">All incidents</option>
            <option value="firing">Firing</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
      </header>
      {ack.error && <ErrorBox error={ack.error} />}
      <Loaded result={incidents}>
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No incidents{state ? ` ${state}` : ''}.</p>
          ) : (
            <table class="table incidents">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Started</th>
                  <th scope="col">State</th>
                  <th scope="col">Notifications</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((i) => (
                  <tr data-incident={i.id}>
                    <td>
                      <strong>{i.title || i.ruleId}</strong>
                      {i.subject ? (
                        // error-group rules: the value is the group, also in subject
                        <div class="small">
                          <a href={`/apps/${encodeURIComponent(appId)}/errors/${encodeURIComponent(i.subject)}`}>Error group {i.subject}</a>
                        </div>
                      ) : (
                        i.value != null && <div class="muted small">value {typeof i.value === 'number' ? formatDecimal(i.value) : String(i.value)}</div>
                      )}
                    </td>
                    <td title={formatDateTime(i.startedAt)}>{formatAgo(i.startedAt)}</td>
                    <td>
                      <span class={`badge ${i.state === 'firing' ? 'status-unresolved' : 'status-resolved'}`}>{i.state}</span>
                      {i.resolvedAt && <div class="muted small">{formatDateTime(i.resolvedAt)}</div>}
                    </td>
                    <td class="small">
                      {(i.deliveries || []).length === 0
                        ? '–'
                        : i.deliveries.map((d) => `${d.channelType} ${d.event}: ${d.status}`).join(' · ')}
                    </td>
                    <td>
                      {i.ackedAt ? (
                        <span class="small">{formatDateTime(i.ackedAt)}</span>
                      ) : canEdit ? (
                        <button type="button" class="button" disabled={ack.busy === i.id} onClick={() => acknowledge(i.id)}>
                          Acknowledge
                        </button>
                      ) : (
                        <span class="muted">not yet</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}

function NewRule({ appId, channels, onCreated }) {
  const [kind, setKind] = useState('new_error_group');
  const [state, setState] = useState({ busy: false, error: null });
  const scheduled = kind === 'threshold' || kind === 'anomaly';
  const submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { appId, name: f.get('name'), kind, channelIds: f.getAll('channelIds') };
    if (scheduled) {
      body.metric = f.get('metric');
      body.window = `PT${Number(f.get('windowMinutes'))}M`;
      body.comparison = f.get('comparison');
      if (kind === 'threshold') body.threshold = Number(f.get('threshold'));
      body.for = `PT${Number(f.get('forMinutes'))}M`;
    }
    setState({ busy: true, error: null });
    try {
      await api('/api/alerts/rules', { method: 'POST', body });
      setState({ busy: false, error: null });
      form.reset();
      setKind('new_error_group');
      onCreated();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <form class="form-grid card" onSubmit={submit} aria-labelledby="new-rule-title">
      <h3 id="new-rule-title" class="wide">
        New rule
      </h3>
      <label>
        Name <input name="name" required maxLength={200} autoComplete="off" />
      </label>
      <label>
        When
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {KINDS.map((k) => (
            <option value={k.id}>{k.label}</option>
          ))}
        </select>
      </label>
      {scheduled && (
        <>
          <label>
            Metric
            <select name="metric">
              {METRICS.map((m) => (
                <option value={m}>{m}</option>
              ))}
            </select>
          </label>
          <label>
            Is
            <select name="comparison">
              {COMPARISONS.map((c) => (
                <option value={c.id}>{c.label}</option>
              ))}
            </select>
          </label>
          {kind === 'threshold' && (
            <label>
              Threshold <input name="threshold" type="number" step="any" required />
            </label>
          )}
          <label>
            Over the last (minutes) <input name="windowMinutes" type="number" min="1" max="10080" defaultValue="10" required />
          </label>
          <label>
            For (minutes) <input name="forMinutes" type="number" min="0" max="1440" defaultValue="0" required />
          </label>
        </>
      )}
      <fieldset class="wide">
        <legend>Notify</legend>
        {channels.length === 0 ? (
          <span class="muted small">No channels yet (POST /api/alerts/channels): incidents are listed here only.</span>
        ) : (
          channels.map((c) => (
            <label class="check">
              <input type="checkbox" name="channelIds" value={c.id} /> {c.type} {c.url || c.to || c.topic || c.id}
            </label>
          ))
        )}
      </fieldset>
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled={state.busy}>
          Create rule
        </button>
      </div>
      {state.error && (
        <div class="wide">
          <ErrorBox error={state.error} />
        </div>
      )}
    </form>
  );
}

function describe(r) {
  if (r.kind === 'new_error_group' || r.kind === 'regression') return KINDS.find((k) => k.id === r.kind).label;
  const cmp = COMPARISONS.find((c) => c.id === r.comparison)?.label || r.comparison || '';
  return r.kind === 'threshold'
    ? `${r.metric} ${cmp} ${formatDecimal(r.threshold)} over ${r.window}, for ${r.for}`
    : `${r.metric} unusually ${r.comparison === 'lt' || r.comparison === 'lte' ? 'low' : r.comparison ? 'high' : 'high or low'} over ${r.window}`;
}

export function Alerts({ appId, canEdit }) {
  const rules = useApi(`/api/alerts/rules?${query({ appId })}`);
  const channels = useApi(`/api/alerts/channels?${query({ appId })}`);
  return (
    <>
      <h2>Alerts</h2>
      <Incidents appId={appId} canEdit={canEdit} />
      <section class="card" aria-labelledby="rules-title">
        <h3 id="rules-title">Rules</h3>
        <Loaded result={rules}>
          {(r) =>
            r.items.length === 0 ? (
              <p class="muted">No rules yet.</p>
            ) : (
              <table class="table rules">
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">When</th>
                    <th scope="col">State</th>
                    <th scope="col">Last value</th>
                  </tr>
                </thead>
                <tbody>
                  {r.items.map((rule) => (
                    <tr class={rule.enabled ? '' : 'muted'}>
                      <td>
                        <strong>{rule.name}</strong>
                        {!rule.enabled && <span class="badge">disabled</span>}
                      </td>
                      <td>{describe(rule)}</td>
                      <td>
                        {rule.state ? <span class={`badge rule-${rule.state}`}>{rule.state}</span> : <span class="muted">on each event</span>}
                        {rule.lastError && <div class="small">{rule.lastError}</div>}
                      </td>
                      <td class="num">{rule.lastValue != null ? formatDecimal(rule.lastValue) : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      </section>
      {canEdit ? (
        <Loaded result={channels}>{(c) => <NewRule appId={appId} channels={c.items} onCreated={rules.reload} />}</Loaded>
      ) : (
        <Empty>Editors and owners write rules; your role reads them.</Empty>
      )}
    </>
  );
}
