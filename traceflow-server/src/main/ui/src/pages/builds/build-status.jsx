// How the builds pages show a build's state (its status, stages, who triggered it) and link to builds.

import { formatBetween } from '../../format.js';

/** the statuses in which a build may still change */
export const ACTIVE = new Set(['queued', 'running']);

export const appPath = (appId, rest = '') => `/apps/${encodeURIComponent(appId)}${rest}`;
export const buildPath = (appId, id) => appPath(appId, `/builds/${encodeURIComponent(id)}`);

export function StatusBadge({ status, cancelRequested }) {
  return (
    <span class={`badge build-${status}`} data-status={status}>
      {status}
      {cancelRequested && ACTIVE.has(status) ? ' (cancel asked)' : ''}
    </span>
  );
}

export function shortId(id) {
  return id && id.length > 12 ? id.slice(0, 8) : id;
}

export function Stages({ stages }) {
  if (!stages || stages.length === 0) return <span class="muted">–</span>;
  return (
    <ol class="stages">
      {stages.map((s) => (
        <li class={`stage build-${s.status}`} title={`${s.name}: ${s.status}`}>
          <span class="stage-name">{s.name}</span> <span class="small">{formatBetween(s.startedAt, s.finishedAt)}</span>
        </li>
      ))}
    </ol>
  );
}

/** Who asked for a build: the user, or the API token (by its name) and whose it is. */
export function TriggeredBy({ by }) {
  if (!by) return <span class="muted">–</span>;
  return by.token ? (
    <span class="triggered-by">
      token <b>{by.token}</b> <span class="muted small">of {by.username}</span>
    </span>
  ) : (
    <span class="triggered-by">{by.username}</span>
  );
}
