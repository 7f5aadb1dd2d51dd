// One hook for "load this from an API": data, error (typed), loading, and reload.
import { useCallback, useEffect, useRef, useState } from 'react';
import { asAzureApiError, type AzureApiError } from '../api/errors';

export interface AsyncState<T> { data: T | undefined; error: AzureApiError | undefined; loading: boolean; reload(): void }

interface Loaded<T> { data: T | undefined; error: AzureApiError | undefined; loading: boolean; deps: readonly unknown[] | undefined }

const sameDeps = (a: readonly unknown[] | undefined, b: readonly unknown[]) => a !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * A reload keeps the data on screen while it loads again; other deps are another query, so what was
 * loaded for the old ones is not shown as theirs (e.g. a vault's certificates, or "none", under another
 * vault), from the first render with the new deps on.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true, deps: undefined });
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    const asked = deps;
    setState((s) => (sameDeps(s.deps, asked) ? { ...s, loading: true } : { data: undefined, error: undefined, loading: true, deps: asked }));
    loadRef.current().then(
      (data) => { if (live) setState({ data, error: undefined, loading: false, deps: asked }); },
      (e: unknown) => { if (live) setState({ data: undefined, error: asAzureApiError(e), loading: false, deps: asked }); },
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  if (!sameDeps(state.deps, deps)) return { data: undefined, error: undefined, loading: true, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
