// One build: its facts, stages and artifact, its live log, and for editors and owners cancel, retry and rollback.

import { api } from '../../api.js';
import { navigate } from '../../router.js';
import { Loaded, ErrorBox, Card, Table, useAction } from '../../ui.jsx';
import { formatDateTime, formatBetween, formatBytes, formatInteger } from '../../format.js';
import { ACTIVE, appPath, buildPath, shortId, StatusBadge, TriggeredBy } from './build-status.jsx';
import { usePolled, Stale } from './polled.jsx';
import { BuildLog } from './build-log.jsx';

/** The write controls of a build, for editors and owners. */
function BuildActions({ appId, build, onChanged }) {
  const action = useAction();
  const post = async (name) => {
    const answer = await action.run(name, () => api(`/builds/${encodeURIComponent(build.id)}/${name}`, { method: 'POST' }));
    if (!answer) return;
    if (answer.id && answer.id !== build.id) navigate(buildPath(appId, answer.id));
    else onChanged();
  };
  return (
    <div class="actions">
      {ACTIVE.has(build.status) && (
        <button type="button" class="button danger" disabled={action.busy || build.cancelRequested} onClick={() => post('cancel')}>
          Cancel
        </button>
      )}
      {(build.status === 'fail' || build.status === 'canceled') && (
        <button type="button" class="button" disabled={action.busy} onClick={() => post('retry')}>
          Retry
        </button>
      )}
      {build.status === 'success' && (
        <button type="button" class="button" disabled={action.busy} onClick={() => post('rollback')}>
          Roll back to this build
        </button>
      )}
      {action.error && <ErrorBox error={action.error} />}
    </div>
  );
}

/** The artifact through a short-lived signed link (a plain link cannot carry the access token). */
function Artifact({ build }) {
  const action = useAction();
  const download = async () => {
    const link = await action.run('link', () => api(`/builds/${encodeURIComponent(build.id)}/artifact/link`, { method: 'POST' }));
    if (link) location.assign(link.url);
  };
  return (
    <>
      <button type="button" class="button" disabled={action.busy} onClick={download}>
        Download artifact
      </button>{' '}
      <span class="small muted">
        {formatBytes(build.artifact?.size)} · sha256 <code>{build.artifact?.sha256?.slice(0, 16)}…</code>
      </span>
      {action.error && <ErrorBox error={action.error} />}
    </>
  );
}

export function BuildPage({ appId, buildId, canEdit }) {
  const build = usePolled(`/builds/${encodeURIComponent(buildId)}`, (d) => ACTIVE.has(d.status));
  const b = build.data;
  return (
    <>
      <div class="toolbar">
        <h2>
          Build <code>{shortId(buildId)}</code> {b && <StatusBadge status={b.status} cancelRequested={b.cancelRequested} />}
        </h2>
        <a href={appPath(appId, '/builds')}>All builds</a>
        {b && canEdit && <BuildActions appId={appId} build={b} onChanged={build.reload} />}
      </div>
      <Stale error={build.staleError} />
      <Loaded result={build}>
        {(data) => (
          <>
            <dl class="facts card">
              <div>
                <dt>Kind</dt>
                <dd>
                  {data.kind} · attempt {formatInteger(data.attempt)}
                </dd>
              </div>
              {data.parentId && (
                <div>
                  <dt>{data.kind === 'rollback' ? 'Rolls back to' : 'Retries'}</dt>
                  <dd>
                    <a href={buildPath(appId, data.parentId)}>
                      <code>{shortId(data.parentId)}</code>
                    </a>
                  </dd>
                </div>
              )}
              <div>
                <dt>Triggered by</dt>
                <dd data-testid="build-triggered-by">
                  <TriggeredBy by={data.triggeredBy} />
                </dd>
              </div>
              <div>
                <dt>Queued</dt>
                <dd>{formatDateTime(data.queuedAt)}</dd>
              </div>
              <div>
                <dt>Took</dt>
                <dd data-testid="build-took">{formatBetween(data.startedAt, data.finishedAt)}</dd>
              </div>
              <div>
                <dt>Snapshot</dt>
                <dd>
                  <code title={data.configSnapshotHash}>{data.configSnapshotHash?.slice(0, 12)}</code>
                </dd>
              </div>
              <div>
                <dt>Commits</dt>
                <dd class="small">
                  {(data.resolvedVersions || []).map((v) => (
                    <div>
                      {v.ref} <code>{v.commit?.slice(0, 10)}</code>
                    </div>
                  ))}
                </dd>
              </div>
              {data.release && (
                <div>
                  <dt>Release</dt>
                  <dd>
                    <a href={appPath(appId, '/releases')}>{data.release}</a>
                  </dd>
                </div>
              )}
              {data.failureReason && (
                <div>
                  <dt>Why it failed</dt>
                  <dd>
                    {data.failureReason}
                    {data.failureMessage && <div class="small">{data.failureMessage}</div>}
                  </dd>
                </div>
              )}
              <div class="wide-fact">
                <dt>Artifact</dt>
                <dd>{data.artifactRef ? <Artifact build={data} /> : <span class="muted">none{ACTIVE.has(data.status) ? ' yet' : ''}</span>}</dd>
              </div>
            </dl>
            <Card id="stages-title" title="Stages">
              {(data.stages || []).length === 0 ? (
                <p class="muted">No stage has started yet.</p>
              ) : (
                <Table class="stages-table" columns={['Stage', 'Status', 'Started', { label: 'Took', num: true }]}>
                  {data.stages.map((s) => (
                    <tr>
                      <td>{s.name}</td>
                      <td>
                        <StatusBadge status={s.status} />
                      </td>
                      <td>{formatDateTime(s.startedAt)}</td>
                      <td class="num">{formatBetween(s.startedAt, s.finishedAt)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </Card>
          </>
        )}
      </Loaded>
      <BuildLog appId={appId} buildId={buildId} onEnd={build.reload} />
    </>
  );
}
