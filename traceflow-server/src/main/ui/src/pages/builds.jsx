// Builds (API.md "Builds", issue 21): the app's builds, of every project or one, a build with its stages and
// its live log, and for editors and owners the trigger, cancel, retry and rollback. Loaded as its own
// chunk when first shown (main.jsx), so the first page does not carry it; its parts are in builds/.
import { useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate } from '../router.js';
import { useApi, Loaded, Empty, Card, Table, FormError, Pager, useAction } from '../ui.jsx';
import { formatAgo, formatDateTime, formatBetween } from '../format.js';
import { ACTIVE, appPath, buildPath, shortId, StatusBadge, Stages, TriggeredBy } from './builds/build-status.jsx';
import { usePolled, Stale } from './builds/polled.jsx';

export { BuildPage } from './builds/build-page.jsx';
export { StatusBadge } from './builds/build-status.jsx';

const STATUSES = ['queued', 'running', 'success', 'fail', 'canceled'];
const PAGE = 25;

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
