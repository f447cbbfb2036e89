// What changes while a build runs: read again while it may still change, the last answer kept through a failed refresh.

import { useEffect, useRef } from 'preact/hooks';
import { useApi } from '../../ui.jsx';

/** how often a list or build with a queued or running build is read again */
const POLL_MS = 2000;

/**
 * useApi for what changes while a build runs: read again every POLL_MS while isActive(data) says it may
 * still change. A failed refresh keeps the last answer shown (and polling on), with the failure in
 * `staleError`, so one refused or slow request does not blank a page someone is watching.
 */
export function usePolled(path, isActive) {
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
export function Stale({ error }) {
  return error ? (
    <p class="small muted" role="status">
      Could not refresh: {error.message}
      {error.traceId && ` (trace id ${error.traceId})`}
    </p>
  ) : null;
}
