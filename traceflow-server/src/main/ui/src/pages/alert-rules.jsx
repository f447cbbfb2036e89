// Alert rules (GET /api/alerts/rules, README "Alerts"): the list with each rule's state, and for editors
// a new rule (POST), an edit of one (PUT /api/alerts/rules/{id}: the API replaces a whole rule) and its
// delete. The new rule and the edit share one form.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Loaded, ErrorBox, Card, Table, FormError, useAction } from '../ui.jsx';
import { formatDecimal } from '../format.js';

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

const SCHEDULED = new Set(['threshold', 'anomaly']);

/** Whole minutes of an ISO-8601 duration as the server writes them (PT10M, PT1H30M, PT0S); null for none. */
function minutesOf(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso || '');
  return m ? Number(m[1] || 0) * 60 + Number(m[2] || 0) + Math.floor(Number(m[3] || 0) / 60) : null;
}

/**
 * The rule body PUT or POST sends: the form's fields over the rule's own (filters, minSamples, interval,
 * cooldown, factor, weeks, enabled: what the form does not show stays as it was), without the fields
 * the chosen kind does not take (the server refuses those).
 */
function ruleBody(form, kind, rule) {
  const f = new FormData(form);
  const body = { name: f.get('name'), kind, channelIds: f.getAll('channelIds') };
  if (rule?.filters && Object.keys(rule.filters).length > 0) body.filters = rule.filters;
  if (rule && rule.enabled != null) body.enabled = rule.enabled;
  if (!SCHEDULED.has(kind)) return body;
  body.metric = f.get('metric');
  body.window = `PT${Number(f.get('windowMinutes'))}M`;
  body.comparison = f.get('comparison');
  if (kind === 'threshold') body.threshold = Number(f.get('threshold'));
  body.for = `PT${Number(f.get('forMinutes'))}M`;
  if (SCHEDULED.has(rule?.kind)) {
    for (const k of ['minSamples', 'interval', 'cooldown']) if (rule[k] != null) body[k] = rule[k];
  }
  if (kind === 'anomaly' && rule?.kind === 'anomaly') {
    for (const k of ['factor', 'weeks']) if (rule[k] != null) body[k] = rule[k];
  }
  return body;
}

/**
 * A rule's name, kind, metric, comparison, threshold, window, hold time and channels: the form behind
 * both a new rule and an edit (`rule` filled in). The form is keyed by the rule, so its fields start
 * from that rule's values.
 */
function RuleForm({ id, title, rule, channels, submitLabel, busy, error, onSubmit, onCancel }) {
  const [kind, setKind] = useState(rule?.kind || 'new_error_group');
  const scheduled = SCHEDULED.has(kind);
  const submit = (e) => {
    e.preventDefault();
    const form = e.currentTarget; // gone from the event once the request is awaited
    onSubmit(ruleBody(form, kind, rule), () => {
      form.reset();
      setKind(rule?.kind || 'new_error_group');
    });
  };
  return (
    <form class="form-grid card" onSubmit={submit} aria-labelledby={id} data-rule-form={rule?.id || 'new'}>
      <h3 id={id} class="wide">
        {title}
      </h3>
      <label>
        Name <input name="name" required maxLength={200} autoComplete="off" defaultValue={rule?.name} />
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
            {/* selected on the option, not defaultValue on the select: Preact sets that before the options exist */}
            <select name="metric">
              {[...new Set([...METRICS, ...(rule?.metric ? [rule.metric] : [])])].map((m) => (
                <option value={m} selected={m === rule?.metric}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label>
            Is
            <select name="comparison">
              {COMPARISONS.map((c) => (
                <option value={c.id} selected={c.id === rule?.comparison}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          {kind === 'threshold' && (
            <label>
              Threshold <input name="threshold" type="number" step="any" required defaultValue={rule?.threshold} />
            </label>
          )}
          <label>
            Over the last (minutes){' '}
            <input name="windowMinutes" type="number" min="1" max="10080" defaultValue={minutesOf(rule?.window) ?? 10} required />
          </label>
          <label>
            For (minutes) <input name="forMinutes" type="number" min="0" max="1440" defaultValue={minutesOf(rule?.for) ?? 0} required />
          </label>
        </>
      )}
      <fieldset class="wide">
        <legend>Notify</legend>
        {channels.length === 0 ? (
          <span class="muted small">No channels yet (add one under Channels): incidents are listed here only.</span>
        ) : (
          channels.map((c) => (
            <label class="check">
              <input type="checkbox" name="channelIds" value={c.id} defaultChecked={rule?.channelIds?.includes(c.id)} /> {c.type}{' '}
              {c.url || c.to || c.topic || c.id}
            </label>
          ))
        )}
      </fieldset>
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <FormError error={error} />
    </form>
  );
}

export function NewRule({ appId, channels, onCreated }) {
  const action = useAction();
  const create = async (body, reset) => {
    if ((await action.run('create', () => api('/api/alerts/rules', { method: 'POST', body: { appId, ...body } }))) !== undefined) {
      reset();
      onCreated();
    }
  };
  return (
    <RuleForm id="new-rule-title" title="New rule" channels={channels} submitLabel="Create rule" busy={action.busy}
      error={action.error} onSubmit={create} />
  );
}

/** An editor's change to a rule: the whole rule PUT back (the API replaces a rule, it has no partial update). */
function EditRule({ rule, channels, onSaved, onCancel }) {
  const action = useAction();
  const save = async (body) => {
    const path = `/api/alerts/rules/${encodeURIComponent(rule.id)}`;
    if ((await action.run('save', () => api(path, { method: 'PUT', body: { appId: rule.appId, ...body } }))) !== undefined) onSaved();
  };
  return (
    <RuleForm key={rule.id} id="edit-rule-title" title={`Edit rule ${rule.name}`} rule={rule} channels={channels}
      submitLabel="Save rule" busy={action.busy} error={action.error} onSubmit={save} onCancel={onCancel} />
  );
}

function describe(r) {
  if (r.kind === 'new_error_group' || r.kind === 'regression') return KINDS.find((k) => k.id === r.kind).label;
  const cmp = COMPARISONS.find((c) => c.id === r.comparison)?.label || r.comparison || '';
  return r.kind === 'threshold'
    ? `${r.metric} ${cmp} ${formatDecimal(r.threshold)} over ${r.window}, for ${r.for}`
    : `${r.metric} unusually ${r.comparison === 'lt' || r.comparison === 'lte' ? 'low' : r.comparison ? 'high' : 'high or low'} over ${r.window}`;
}

/** The app's rules; editors edit one in place (the whole rule PUT back) or delete it. */
export function Rules({ rules, channels, canEdit }) {
  const [editing, setEditing] = useState(null);
  const action = useAction();
  const remove = async (rule) => {
    if (await action.remove(rule.id, `/api/alerts/rules/${encodeURIComponent(rule.id)}`)) {
      if (editing === rule.id) setEditing(null);
      rules.reload();
    }
  };
  const edited = rules.data?.items.find((r) => r.id === editing);
  return (
    <Card id="rules-title" title="Rules">
      <Loaded result={rules}>
        {(r) =>
          r.items.length === 0 ? (
            <p class="muted">No rules yet.</p>
          ) : (
            <Table class="rules" columns={['Rule', 'When', 'State', { label: 'Last value', num: true },
              ...(canEdit ? [{ label: 'Actions', hidden: true }] : [])]}>
              {r.items.map((rule) => (
                <tr class={rule.enabled ? '' : 'muted'} data-rule={rule.id}>
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
                  {canEdit && (
                    <td class="actions">
                      <button type="button" class="button" aria-expanded={editing === rule.id} onClick={() => setEditing(rule.id)}>
                        Edit<span class="visually-hidden"> {rule.name}</span>
                      </button>{' '}
                      <button type="button" class="button danger" disabled={action.busy === rule.id} onClick={() => remove(rule)}>
                        Delete<span class="visually-hidden"> {rule.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {action.error && <ErrorBox error={action.error} />}
      {canEdit && edited && (
        <Loaded result={channels}>
          {(c) => (
            <EditRule rule={edited} channels={c.items} onCancel={() => setEditing(null)}
              onSaved={() => {
                setEditing(null);
                rules.reload();
              }} />
          )}
        </Loaded>
      )}
    </Card>
  );
}

