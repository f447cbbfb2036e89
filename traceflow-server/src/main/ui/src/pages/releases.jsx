// Releases (GET /api/apps/{id}/releases, issue 21 item 8): what each build did to its users. Each
// release with the builds that made it, when its first event arrived, its events and errors, the error
// groups new in it (linked to their pages) and its error rate against the release before it; then its
// web vitals at p75, rated, with each p75's change against the release before it.
import { useMemo } from 'preact/hooks';
import { query } from '../api.js';
import { useApi, Loaded, Empty, Card, Table } from '../ui.jsx';
import { formatAgo, formatDateTime, formatInteger, formatPercent, formatPointsChange, formatVital, countOf } from '../format.js';
import { VITALS, RATING_LABEL, ratingClass, Distribution, VitalChange } from '../vitals.jsx';

/** The vitals a release's row shows: FID is left out, INP replaced it in Google's Core Web Vitals. */
const SHOWN = VITALS.slice(0, 5);

const appPath = (appId, rest = '') => `/apps/${encodeURIComponent(appId)}${rest}`;

/**
 * The release's new groups as links: the answer names groups by fingerprint, the error pages by id,
 * so the release's groups are read once (GET /api/errors with the release filter, since it was made).
 */
function NewGroups({ appId, release }) {
  const t = release.telemetry;
  // the same window as the releases answer: from an hour before the release was built to the next
  // hour, fixed when the page is shown (a window computed on every render would make a new path, and a
  // new request, on every render)
  const path = useMemo(() => {
    if (t.newErrorGroupCount === 0) return null;
    const from = new Date(new Date(release.createdAt).getTime() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    return `/api/errors?${query({ appId, release: release.release, from, to, limit: 100 })}`;
  }, [appId, release.release, release.createdAt, t.newErrorGroupCount]);
  const groups = useApi(path);
  if (t.newErrorGroupCount === 0) return <span class="muted">none</span>;
  const byFingerprint = new Map((groups.data?.items || []).map((g) => [g.fingerprint, g]));
  return (
    <ul class="plain">
      {t.newErrorGroups.map((f) => {
        const g = byFingerprint.get(f);
        return (
          <li>
            {g ? (
              <a href={appPath(appId, `/errors/${encodeURIComponent(g.id)}`)} class="new-group">
                {g.type}: {g.message}
              </a>
            ) : (
              <code class="small" title="fingerprint">
                {f.slice(0, 12)}
              </code>
            )}
          </li>
        );
      })}
      {t.newErrorGroupCount > t.newErrorGroups.length && (
        <li class="muted small">and {formatInteger(t.newErrorGroupCount - t.newErrorGroups.length)} more</li>
      )}
    </ul>
  );
}

/** Up is worse: a higher error rate than the release before. */
function RateChange({ change }) {
  if (change == null) return <span class="muted">–</span>;
  const cls = change > 0 ? 'worse' : change < 0 ? 'better' : '';
  return (
    <span class={`change ${cls}`}>
      {formatPointsChange(change)}
      <span class="visually-hidden">{change > 0 ? ' (worse)' : change < 0 ? ' (better)' : ''}</span>
    </span>
  );
}

/** One vital of one release: p75 in its rating's colour, the samples' ratings, and the move since the release before. */
function VitalCell({ v }) {
  if (!v) return <td class="num muted">–</td>;
  return (
    <td class={`num ${ratingClass(v.rating)}`} data-vital={v.name}>
      <span class="vital-p75" title={RATING_LABEL[v.rating] || v.rating}>
        {formatVital(v.name, v.p75)}
      </span>
      <span class="visually-hidden"> {RATING_LABEL[v.rating] || v.rating}</span>
      <Distribution m={v} />
      <div class="small">
        <VitalChange name={v.name} change={v.p75Change} />
      </div>
      <div class="small muted">{countOf(v.count, 'sample', 'samples')}</div>
    </td>
  );
}

/** Each release's web vitals (telemetry.vitals), newest release first, as the releases table. */
function ReleaseVitals({ items }) {
  if (items.every((rel) => rel.telemetry.vitals.length === 0)) {
    return (
      <Empty>No web vitals with these releases yet: the web-vitals library's reports carry the page's release.</Empty>
    );
  }
  return (
    <Card id="release-vitals-title" title="Web vitals at p75, against the release before">
      <Table class="release-vitals" columns={['Release', ...SHOWN.map((n) => ({ label: n, num: true }))]}>
        {items.map((rel) => {
          const byName = new Map(rel.telemetry.vitals.map((v) => [v.name, v]));
          return (
            <tr data-vitals-release={rel.release}>
              <td>
                <strong>{rel.release}</strong>
              </td>
              {SHOWN.map((n) => (
                <VitalCell v={byName.get(n)} />
              ))}
            </tr>
          );
        })}
      </Table>
    </Card>
  );
}

/** The releases, newest first, with their builds and the events and errors seen with each. */
function ReleaseTable({ appId, items }) {
  return (
    <Card id="releases-title" title={countOf(items.length, 'release', 'releases')}>
      <Table
        class="releases"
        columns={[
          'Release',
          'Builds',
          'First seen',
          { label: 'Events', num: true },
          { label: 'Errors', num: true },
          'New error groups',
          { label: 'Error rate', num: true },
          { label: 'Against previous', num: true },
        ]}
      >
        {items.map((rel) => {
          const t = rel.telemetry;
          return (
            <tr data-release={rel.release}>
              <td>
                <strong class="release-name">{rel.release}</strong>
                <div class="small muted" title={formatDateTime(rel.createdAt)}>
                  built {formatAgo(rel.createdAt)}
                </div>
              </td>
              <td>
                <ul class="plain">
                  {rel.builds.map((b) => (
                    <li>
                      <a href={appPath(appId, `/builds/${encodeURIComponent(b.id)}`)}>
                        <code>{b.id.slice(0, 8)}</code>
                      </a>
                      {b.kind && b.kind !== 'build' && <span class="badge">{b.kind}</span>}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{t.firstSeen ? formatDateTime(t.firstSeen) : <span class="muted">no event yet</span>}</td>
              <td class="num" data-cell="events">
                {formatInteger(t.events)}
              </td>
              <td class="num" data-cell="errors">
                {formatInteger(t.errorEvents)}
                <div class="small muted">{countOf(t.errorGroups, 'group', 'groups')}</div>
              </td>
              <td data-cell="new-groups">
                <NewGroups appId={appId} release={rel} />
              </td>
              <td class="num" data-cell="error-rate">
                {formatPercent(t.errorRate)}
              </td>
              <td class="num" data-cell="change">
                <RateChange change={t.errorRateChange} />
              </td>
            </tr>
          );
        })}
      </Table>
    </Card>
  );
}

export function Releases({ appId }) {
  const releases = useApi(`/api/apps/${encodeURIComponent(appId)}/releases?${query({ limit: 20 })}`);
  return (
    <>
      <div class="toolbar">
        <h2>Releases</h2>
        <a href={appPath(appId, '/builds')}>Builds</a>
      </div>
      <p class="muted">
        The releases the app's successful builds made (the build passes it as <code>TRACEFLOW_RELEASE</code>), and what each did to
        the app's users: the events sent with that <code>release</code> since it was built, and their web vitals.
      </p>
      <Loaded result={releases}>
        {(r) =>
          r.items.length === 0 ? (
            <Empty>No release yet: a successful build makes one.</Empty>
          ) : (
            <>
              <ReleaseTable appId={appId} items={r.items} />
              <ReleaseVitals items={r.items} />
            </>
          )
        }
      </Loaded>
    </>
  );
}
