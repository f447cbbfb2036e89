// Builds (API.md "Builds", issue 21): the app's builds, of every project or one, a build with its stages and
// its live log, and for editors and owners the trigger, cancel, retry and rollback. Loaded as its own
// chunk when first shown (main.jsx), so the first page does not carry it.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate } from '../router.js';
import { useApi, Loaded, Empty, ErrorBox, Card, Table, FormError, Pager, useAction } from '../ui.jsx';
import { BuildLogFollower } from '../buildlog.js';
import { formatAgo, formatDateTime, formatBetween, formatBytes, formatInteger } from '../format.js';

const STATUSES = ['queued', 'running', 'success', 'fail', 'canceled'];
const ACTIVE = new Set(['queued', 'running']);
const PAGE = 25;
/** how often a list or build with a queued or running build is read again */
const POLL_MS = 2000;
/** lines kept in the page: a longer log shows its end (the whole one is GET /builds/{id}/logs/archive) */
const KEPT_LINES = 5000;

const appPath = (appId, rest = '') => `/apps/${encodeURIComponent(appId)}${rest}`;
const buildPath = (appId, id) => appPath(appId, `/builds/${encodeURIComponent(id)}`);

export function StatusBadge({ status, cancelRequested }) {
  return (
    <span class={`badge build-${status}`} data-status={status}>
      {status}
      {cancelRequested && ACTIVE.has(status) ? ' (cancel asked)' : ''}
    </span>
  );
}

/**
 * useApi for what changes while a build runs: read again every POLL_MS while isActive(data) says it may
 * still change. A failed refresh keeps the last answer shown (and polling on), with the failure in
 * `staleError`, so one refused or slow request does not blank a page someone is watching.
 */
function usePolled(path, isActive) {
  const result = useApi(path);
  const last = useRef({ path: null, data: null });
  if (result.data) last.current = { path, data: result.data };
  const data = result.data || (last.current.path === path ? last.current.data : null);
  const active = data != null && isActive(data);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(result.reload, POLL_MS);
    return () => clearInterval(timer);
  }, [active, result.reload]);
  return { ...result, data, error: data ? null : result.error, staleError: data ? result.error : null };
}

/** A refresh that failed while the last answer stays shown. */
function Stale({ error }) {
  return error ? (
    <p class="small muted" role="status">
      Could not refresh: {error.message}
      {error.traceId && ` (trace id ${error.traceId})`}
    </p>
  ) : null;
}

function shortId(id) {
  return id && id.length > 12 ? id.slice(0, 8) : id;
}

function Stages({ stages }) {
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
function TriggeredBy({ by }) {
  if (!by) return <span class="muted">–</span>;
  return by.token ? (
    <span class="triggered-by">
      token <b>{by.token}</b> <span class="muted small">of {by.username}</span>
    </span>
  ) : (
    <span class="triggered-by">{by.username}</span>
  );
}

/** The trigger: a project of the app and one of its validated configs. */
function Trigger({ appId, projects, projectId }) {
  const [chosen, setChosen] = useState(projectId);
  const configs = useApi(chosen ? `/configs?${query({ projectId: chosen })}` : null);
  const action = useAction();
  const submit = async (e) => {
    e.preventDefault();
    const configId = new FormData(e.currentTarget).get('configId');
    const started = await action.run('trigger', () => api('/builds', { method: 'POST', body: { projectId: chosen, configId } }));
    if (started) navigate(buildPath(appId, started.id));
  };
  // 409 BUILD_IN_PROGRESS names the build of the same snapshot that is queued or running
  const existing = action.error?.code === 'BUILD_IN_PROGRESS' ? action.error.details.find((d) => d?.id)?.id : null;
  return (
    <form class="form-grid card" onSubmit={submit} aria-labelledby="trigger-title">
      <h3 id="trigger-title" class="wide">
        Trigger a build
      </h3>
      <label>
        Project
        <select name="projectId" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
          {projects.map((p) => (
            <option value={p.id}>
              {p.name} ({p.environment})
            </option>
          ))}
        </select>
      </label>
      <Loaded result={configs}>
        {(c) =>
          c.items.length === 0 ? (
            <p class="muted">This project has no config yet (POST /configs).</p>
          ) : (
            <label>
              Config
              <select name="configId" required>
                {c.items.map((cfg) => (
                  <option value={cfg.id} disabled={!cfg.validated}>
                    {cfg.env || 'default'} · {shortId(cfg.id)}
                    {cfg.validated ? ` · ${cfg.snapshotHash.slice(0, 10)}` : ' · not validated'}
                  </option>
                ))}
              </select>
            </label>
          )
        }
      </Loaded>
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled={action.busy || !configs.data?.items.some((c) => c.validated)}>
          Build
        </button>
        {existing && (
          <a href={buildPath(appId, existing)}>The build already queued or running</a>
        )}
      </div>
      <FormError error={action.error} />
    </form>
  );
}

export function Builds({ appId, search, canEdit }) {
  const projects = useApi(`/projects?${query({ appId })}`);
  const setQuery = (changes) => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === '' || v == null) q.delete(k);
      else q.set(k, String(v));
    }
    navigate(`${location.pathname}?${q}`, { replace: true });
  };
  return (
    <>
      <div class="toolbar">
        <h2>Builds</h2>
        <a href={appPath(appId, '/releases')}>Releases</a>
      </div>
      <Loaded result={projects}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>This app has no build project yet: projects are made through the API (POST /projects).</Empty>
          ) : (
            <ProjectBuilds appId={appId} projects={p.items} search={search} setQuery={setQuery} canEdit={canEdit} />
          )
        }
      </Loaded>
    </>
  );
}

/** The app's builds, of every project or of the one chosen, with their stages and who triggered them. */
function ProjectBuilds({ appId, projects, search, setQuery, canEdit }) {
  // no project chosen: every project's builds (GET /builds?appId=), the project column saying whose
  const projectId = projects.some((p) => p.id === search.get('project')) ? search.get('project') : '';
  const status = STATUSES.includes(search.get('status')) ? search.get('status') : '';
  const offset = Math.max(0, Number.parseInt(search.get('offset') || '0', 10) || 0);
  const filter = projectId ? { projectId } : { appId };
  const builds = usePolled(`/builds?${query({ ...filter, status, offset, limit: PAGE })}`, (d) => d.items.some((b) => ACTIVE.has(b.status)));
  const project = projects.find((p) => p.id === projectId);
  const projectName = (id) => projects.find((p) => p.id === id)?.name || shortId(id);
  const columns = ['Build', ...(project ? [] : ['Project']), 'Status', 'Stages', 'Triggered by', 'Queued', { label: 'Took', num: true }, 'From'];
  return (
    <>
      <Card
        id="builds-title"
        title={project ? `Builds of ${project.name}` : 'Builds of every project'}
        actions={
          <div class="toolbar-controls">
            <label>
              <span class="visually-hidden">Builds of project</span>
              <select value={projectId} onChange={(e) => setQuery({ project: e.currentTarget.value, offset: '' })}>
                <option value="">All projects</option>
                {projects.map((p) => (
                  <option value={p.id}>
                    {p.name} ({p.environment})
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span class="visually-hidden">Build status</span>
              <select value={status} onChange={(e) => setQuery({ status: e.currentTarget.value, offset: '' })}>
                <option value="">All statuses</option>
                {STATUSES.map((s) => (
                  <option value={s}>{s}</option>
                ))}
              </select>
            </label>
          </div>
        }
      >
        <Stale error={builds.staleError} />
        <Loaded result={builds}>
          {(list) =>
            list.items.length === 0 ? (
              <p class="muted">No builds{status ? ` with status ${status}` : ''} yet.</p>
            ) : (
              <>
                <Table class={project ? 'builds' : 'builds builds-all'} columns={columns}>
                  {list.items.map((b) => (
                    <tr data-build={b.id}>
                      <td>
                        <a class="build-link" href={buildPath(appId, b.id)}>
                          <code>{shortId(b.id)}</code>
                        </a>
                        {b.kind && b.kind !== 'build' && <span class="badge">{b.kind}</span>}
                        {b.release && <div class="small muted">{b.release}</div>}
                      </td>
                      {!project && <td class="build-project">{projectName(b.projectId)}</td>}
                      <td>
                        <StatusBadge status={b.status} cancelRequested={b.cancelRequested} />
                      </td>
                      <td>{b.startedAt ? <Stages stages={b.stages} /> : <span class="muted">waiting</span>}</td>
                      <td>
                        <TriggeredBy by={b.triggeredBy} />
                      </td>
                      <td title={formatDateTime(b.queuedAt)}>{formatAgo(b.queuedAt)}</td>
                      <td class="num">{formatBetween(b.startedAt, b.finishedAt)}</td>
                      <td>
                        {b.parentId ? (
                          <a href={buildPath(appId, b.parentId)}>
                            {b.kind} of <code>{shortId(b.parentId)}</code>
                          </a>
                        ) : (
                          <span class="muted">–</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </Table>
                <Pager
                  offset={offset}
                  limit={PAGE}
                  count={list.items.length}
                  next={list.next}
                  onPage={(o) => setQuery({ offset: o || '' })}
                  label="Build pages"
                />
              </>
            )
          }
        </Loaded>
      </Card>
      {canEdit ? (
        <Trigger appId={appId} projects={projects} projectId={projectId || projects[0].id} key={projectId} />
      ) : (
        <Empty>Editors and owners trigger, cancel, retry and roll back builds; your role reads them.</Empty>
      )}
    </>
  );
}

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

const LOG_STATUS = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Ended',
  failed: 'Unavailable',
  problem: 'Live',
};

/** The log as it is written: every line once, in order, kept at the end while the reader is there. */
function BuildLog({ appId, buildId, onEnd }) {
  const [lines, setLines] = useState([]);
  const [state, setState] = useState({ status: 'connecting', detail: null, connects: 0, ended: null });
  const box = useRef(null);
  const follow = useRef(true);
  useEffect(() => {
    const follower = new BuildLogFollower({
      appId,
      buildId,
      onLines: (more) => setLines((old) => {
        const all = old.concat(more);
        return all.length > KEPT_LINES ? all.slice(all.length - KEPT_LINES) : all;
      }),
      onEnd: (status) => {
        setState((s) => ({ ...s, ended: status }));
        onEnd();
      },
      onStatus: (status, detail) => setState((s) => ({
        ...s,
        status,
        detail: detail || null,
        connects: status === 'open' ? detail.connects : s.connects,
      })),
    });
    follower.start();
    return () => follower.stop();
  }, [appId, buildId]);
  useEffect(() => {
    if (follow.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const el = box.current;
    // a scroll queued before the page was left arrives after the list is gone
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  const last = lines.length ? lines[lines.length - 1].cursor : 0;
  const stagesSeen = useMemo(() => new Set(lines.map((l) => l.stage)).size, [lines]);
  return (
    <Card
      id="log-title"
      title="Log"
      class="log-card"
      actions={
        <span class={`badge log-${state.status}`} data-testid="log-status" role="status">
          {state.ended ? `Ended: ${state.ended}` : LOG_STATUS[state.status] || state.status}
        </span>
      }
    >
      <p class="muted small" data-testid="log-position">
        {formatInteger(lines.length)} lines{lines.length > 0 && lines[0].cursor > 1 ? ` (the last ${formatInteger(KEPT_LINES)})` : ''} ·
        cursor {formatInteger(last)} · {formatInteger(stagesSeen)} stages · connects {formatInteger(state.connects)}
        {state.status === 'reconnecting' && state.detail?.delay != null && ` · next attempt in ${formatInteger(state.detail.delay)} ms`}
      </p>
      {state.status === 'failed' && <ErrorBox error={state.detail} />}
      {state.status === 'problem' && state.detail && <p class="small">{`${state.detail.code}: ${state.detail.message}`}</p>}
      {lines.length === 0 && !state.ended ? (
        <p class="muted">{state.status === 'open' ? 'No line yet: waiting for the build to write one.' : 'Connecting to the log…'}</p>
      ) : (
        <ol class="build-log" ref={box} onScroll={onScroll} tabIndex={0} aria-label="Build log lines">
          {lines.map((l) => (
            <li key={l.cursor} data-cursor={l.cursor} class={`log-line level-${l.level}`}>
              <span class="log-stage">{l.stage}</span>
              <span class="log-text">{l.line}</span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
