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

/**
 * A write the page runs on a click or a submit: `busy` names the one running (so only its button is
 * disabled), `error` is the last failure for an ErrorBox. run() answers the call's result (null
 * when it had none), or undefined when it failed (the error is then shown, not thrown).
 */
export function useAction() {
  const [state, setState] = useState({ busy: null, error: null });
  const run = useCallback(async (name, call) => {
    setState({ busy: name, error: null });
    try {
      const result = await call();
      setState({ busy: null, error: null });
      return result === undefined ? null : result;
    } catch (error) {
      setState({ busy: null, error });
      return undefined;
    }
  }, []);
  const clear = useCallback(() => setState({ busy: null, error: null }), []);
  /** DELETE `path` as the action `name`: true once it went through (a failure is the action's error). */
  const remove = useCallback(async (name, path) => (await run(name, () => api(path, { method: 'DELETE' }))) !== undefined, [run]);
  return { ...state, run, clear, remove };
}

/** A panel with a heading that names it for assistive technology; `actions` sit beside the heading. */
export function Card({ id, title, actions, children, class: extra }) {
  return (
    <section class={`card${extra ? ` ${extra}` : ''}`} aria-labelledby={id}>
      {actions ? (
        <header class="card-head">
          <h3 id={id}>{title}</h3>
          {actions}
        </header>
      ) : (
        <h3 id={id}>{title}</h3>
      )}
      {children}
    </section>
  );
}

/**
 * A table with column headers: `columns` are labels, or {label, num} for right-aligned numbers, or
 * {label, hidden} for a header only screen readers hear (a column of buttons).
 */
export function Table({ class: extra, columns, children }) {
  return (
    <table class={`table${extra ? ` ${extra}` : ''}`}>
      <thead>
        <tr>
          {columns.map((c) => {
            const col = typeof c === 'string' ? { label: c } : c;
            return (
              <th scope="col" class={col.num ? 'num' : undefined}>
                {col.hidden ? <span class="visually-hidden">{col.label}</span> : col.label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A form's failure under its fields, spanning the grid. */
export function FormError({ error }) {
  return error ? (
    <div class="wide">
      <ErrorBox error={error} />
    </div>
  ) : null;
}

/** Newer / older for an offset-paged list whose answer says `next` (null on the last page); `count` is this page's. */
export function Pager({ offset, limit, count, next, onPage, label }) {
  if (offset === 0 && next == null) return null;
  return (
    <nav class="pager" aria-label={label || 'Pages'}>
      <button type="button" class="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        Newer
      </button>
      <span class="muted small">
        {offset + 1}–{offset + count}
      </span>
      <button type="button" class="button" disabled={next == null} onClick={() => onPage(next)}>
        Older
      </button>
    </nav>
  );
}

/**
 * A page whose code is fetched when first shown (a separate chunk, so the first page's JavaScript
 * does not grow with every page): renders module[name] with the other props.
 */
export function Lazy({ load, name, ...props }) {
  const [loaded, setLoaded] = useState({ module: null, error: null });
  useEffect(() => {
    let gone = false;
    load()
      .then((module) => !gone && setLoaded({ module, error: null }))
      .catch((e) => !gone && setLoaded({ module: null, error: { message: `This page could not be loaded: ${e.message}`, code: 'PAGE_UNAVAILABLE' } }));
    return () => {
      gone = true;
    };
  }, [load]);
  if (loaded.error) return <ErrorBox error={loaded.error} onRetry={() => location.reload()} />;
  if (!loaded.module) return <Loading />;
  const Page = loaded.module[name];
  return <Page {...props} />;
}
