// One hook for "load this from an API": data, error (typed), loading, and reload.
import { useCallback, useEffect, useRef, useState } from 'react';
import { asAzureApiError, type AzureApiError } from '../api/errors';

export interface AsyncState<T> { data: T | undefined; error: AzureApiError | undefined; loading: boolean; reload(): void }

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: AzureApiError | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => { if (live) setState({ data, error: undefined, loading: false }); },
      (e: unknown) => { if (live) setState({ data: undefined, error: asAzureApiError(e), loading: false }); },
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
