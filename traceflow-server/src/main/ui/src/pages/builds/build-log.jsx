// A build's log as it is written, followed live (buildlog.js).

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Card, ErrorBox } from '../../ui.jsx';
import { BuildLogFollower } from '../../buildlog.js';
import { formatInteger } from '../../format.js';

/** lines kept in the page: a longer log shows its end (the whole one is GET /builds/{id}/logs/archive) */
const KEPT_LINES = 5000;

const LOG_STATUS = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Ended',
  failed: 'Unavailable',
  problem: 'Live',
};

/** The log as it is written: every line once, in order, kept at the end while the reader is there. */
export function BuildLog({ appId, buildId, onEnd }) {
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
