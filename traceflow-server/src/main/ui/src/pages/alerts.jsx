// Alerts: the app's incidents (GET /api/alerts; Acknowledge for editors: POST /api/alerts/{id}/ack),
// its rules (alert-rules.jsx), the channels they notify (/api/alerts/channels) and the silences that
// hold notifications back (/api/alerts/silences), README "Alerts".
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { useApi, Loaded, Empty, ErrorBox, Card, Table, useAction } from '../ui.jsx';
import { formatDateTime, formatDecimal, formatAgo } from '../format.js';
import { localInputValue } from '../range.js';
import { Rules, NewRule } from './alert-rules.jsx';

function Incidents({ appId, canEdit }) {
  const [state, setState] = useState('');
  const incidents = useApi(`/api/alerts?${query({ appId, state, limit: 50 })}`);
  const ack = useAction();
  const acknowledge = async (id) => {
    if ((await ack.run(id, () => api(`/api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST' }))) !== undefined) incidents.reload();
  };
  return (
    <Card
      id="incidents-title"
      title="Incidents"
      actions={
        <label>
          <span class="visually-hidden">Incident state</span>
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">All incidents</option>
            <option value="firing">Firing</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
      }
    >
      {ack.error && <ErrorBox error={ack.error} />}
      <Loaded result={incidents}>
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">No incidents{state ? ` ${state}` : ''}.</p>
          ) : (
            <Table class="incidents" columns={['Incident', 'Started', 'State', 'Notifications', 'Acknowledged']}>
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
            </Table>
          )
        }
      </Loaded>
    </Card>
  );
}

function channelTarget(c) {
  return c.url || (c.to || []).join(', ') || c.topic || '';
}

/** Where incidents are sent: the list, and for editors a new channel (its generated secret shown once) and delete. */
function Channels({ appId, channels, canEdit }) {
  const [type, setType] = useState('webhook');
  const [secret, setSecret] = useState(null);
  const action = useAction();
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { appId, type };
    if (f.get('name')) body.name = f.get('name');
    if (type === 'webhook') body.url = f.get('url');
    if (type === 'email') body.to = String(f.get('to')).split(/[\s,;]+/).filter(Boolean);
    if (type === 'realtime') body.topic = f.get('topic');
    const made = await action.run('create', () => api('/api/alerts/channels', { method: 'POST', body }));
    if (made) {
      form.reset();
      setSecret(made.secret ? { name: made.name, value: made.secret } : null);
      channels.reload();
    }
  };
  const remove = async (id) => {
    if (await action.remove(id, `/api/alerts/channels/${encodeURIComponent(id)}`)) channels.reload();
  };
  return (
    <Card id="channels-title" title="Channels">
      {secret && (
        <div class="secret channel-secret" role="status">
          <label>
            Signing secret of {secret.name}: shown this once, copy it to the receiving end
            <input class="mono" readOnly value={secret.value} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" class="button" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      <Loaded result={channels}>
        {(c) =>
          c.items.length === 0 ? (
            <p class="muted">No channels yet: incidents are listed on this page only.</p>
          ) : (
            <Table class="channels" columns={['Channel', 'Type', 'Sends to', ...(canEdit ? [{ label: 'Actions', hidden: true }] : [])]}>
              {c.items.map((ch) => (
                <tr data-channel={ch.id}>
                  <td>
                    <strong>{ch.name}</strong>
                  </td>
                  <td>
                    {ch.type}
                    {ch.hasSecret && <div class="small muted">signed</div>}
                  </td>
                  <td class="url small">{channelTarget(ch)}</td>
                  {canEdit && (
                    <td>
                      <button type="button" class="button danger" disabled={action.busy === ch.id} onClick={() => remove(ch.id)}>
                        Delete<span class="visually-hidden"> {ch.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {canEdit && (
        <form class="inline-form" onSubmit={create} aria-label="New channel">
          <label>
            Type
            <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
              <option value="webhook">Webhook</option>
              <option value="email">Email</option>
              <option value="realtime">Realtime topic</option>
            </select>
          </label>
          <label>
            Channel name <input name="name" maxLength={100} autoComplete="off" placeholder="optional" />
          </label>
          {type === 'webhook' && (
            <label>
              URL <input name="url" type="url" required placeholder="https://hooks.example.com/traceflow" />
            </label>
          )}
          {type === 'email' && (
            <label>
              To <input name="to" required placeholder="oncall@example.com" />
            </label>
          )}
          {type === 'realtime' && (
            <label>
              Topic <input name="topic" required autoComplete="off" />
            </label>
          )}
          <button type="submit" class="button primary" disabled={action.busy}>
            Add channel
          </button>
        </form>
      )}
      {action.error && <ErrorBox error={action.error} />}
    </Card>
  );
}

const SILENCE_HOURS = [1, 4, 24, 24 * 7];

/** Silences that have not ended: incidents still open and resolve, their notifications are held back. */
function Silences({ appId, rules, canEdit }) {
  const silences = useApi(`/api/alerts/silences?${query({ appId })}`);
  const action = useAction();
  const ruleName = (id) => rules.find((r) => r.id === id)?.name || id;
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const until = f.get('until') ? new Date(f.get('until')) : new Date(Date.now() + Number(f.get('hours')) * 3600_000);
    const body = { appId, endsAt: until.toISOString() };
    if (f.get('ruleId')) body.ruleId = f.get('ruleId');
    if (f.get('reason')) body.reason = f.get('reason');
    if ((await action.run('create', () => api('/api/alerts/silences', { method: 'POST', body }))) !== undefined) {
      form.reset();
      silences.reload();
    }
  };
  const end = async (id) => {
    if (await action.remove(id, `/api/alerts/silences/${encodeURIComponent(id)}`)) silences.reload();
  };
  return (
    <Card id="silences-title" title="Silences">
      <Loaded result={silences}>
        {(list) =>
          list.items.length === 0 ? (
            <p class="muted">Nothing is silenced: every incident notifies its channels.</p>
          ) : (
            <Table class="silences" columns={['Holds back', 'From', 'Until', 'Reason', ...(canEdit ? [{ label: 'Actions', hidden: true }] : [])]}>
              {list.items.map((si) => (
                <tr data-silence={si.id}>
                  <td>{si.ruleId ? `Rule ${ruleName(si.ruleId)}` : 'Every rule of the app'}</td>
                  <td>{formatDateTime(si.startsAt)}</td>
                  <td title={formatDateTime(si.endsAt)}>{formatAgo(si.endsAt)}</td>
                  <td class="small">{si.reason || '–'}</td>
                  {canEdit && (
                    <td>
                      <button type="button" class="button" disabled={action.busy === si.id} onClick={() => end(si.id)}>
                        End now
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {canEdit && (
        <form class="inline-form" onSubmit={create} aria-label="New silence">
          <label>
            Silence
            <select name="ruleId">
              <option value="">Every rule</option>
              {rules.map((r) => (
                <option value={r.id}>{r.name}</option>
              ))}
            </select>
          </label>
          <label>
            For
            <select name="hours">
              {SILENCE_HOURS.map((h) => (
                <option value={h}>{h < 24 ? `${h} h` : `${h / 24} d`}</option>
              ))}
            </select>
          </label>
          <label>
            Or until <input name="until" type="datetime-local" min={localInputValue(new Date())} />
          </label>
          <label>
            Reason <input name="reason" maxLength={500} autoComplete="off" />
          </label>
          <button type="submit" class="button primary" disabled={action.busy}>
            Silence
          </button>
        </form>
      )}
      {action.error && <ErrorBox error={action.error} />}
    </Card>
  );
}

export function Alerts({ appId, canEdit }) {
  const rules = useApi(`/api/alerts/rules?${query({ appId })}`);
  const channels = useApi(`/api/alerts/channels?${query({ appId })}`);
  return (
    <>
      <h2>Alerts</h2>
      <Incidents appId={appId} canEdit={canEdit} />
      <Rules rules={rules} channels={channels} canEdit={canEdit} />
      {canEdit ? (
        <Loaded result={channels}>{(c) => <NewRule appId={appId} channels={c.items} onCreated={rules.reload} />}</Loaded>
      ) : (
        <Empty>Editors and owners write rules, channels and silences; your role reads them.</Empty>
      )}
      <Channels appId={appId} channels={channels} canEdit={canEdit} />
      <Silences appId={appId} rules={rules.data?.items || []} canEdit={canEdit} />
    </>
  );
}
