// Building blocks every page uses: fetching with loading / error states, and how they look.
import { useEffect, useState, useCallback } from 'preact/hooks';
import { api, takePrefetched } from './api.js';

/**
 * Loads path (skipped while null) and reloads when it changes.
 * @returns {{data, error, loading, reload}}
 */
export function useApi(path) {
  const [state, setState] = useState({ data: null, error: null, loading: path != null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path == null) return undefined;
    const abort = new AbortController();
    setState((s) => ({ data: s.data, error: null, loading: true }));
    (takePrefetched(path) || api(path, { signal: abort.signal }))
      .then((data) => {
        if (!abort.signal.aborted) setState({ data, error: null, loading: false });
      })
      .catch((error) => {
        if (error.name !== 'AbortError' && !abort.signal.aborted) setState({ data: null, error, loading: false });
      });
    return () => abort.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Loading({ label = 'Loading…' }) {
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }) {
  return <div class="state empty">{children}</div>;
}

/** An API error in words, with its trace id so whoever runs the server can find it in the logs. */
export function ErrorBox({ error, onRetry }) {
  return (
    <div class="state error" role="alert">
      <strong>{error.message}</strong>
      <div class="muted">
        {error.code}
        {error.traceId && (
          <>
            {' · trace id '}
            <code>{error.traceId}</code>
          </>
        )}
      </div>
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders children(data) once loaded, or the loading / error state. */
export function Loaded({ result, children }) {
  if (result.error) return <ErrorBox error={result.error} onRetry={result.reload} />;
  if (result.data == null) return <Loading />;
  return children(result.data);
}
