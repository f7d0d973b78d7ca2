import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventDataOf, EventName, MethodName, RequestOf, ResponseOf } from '../../../preload/contract';
import { errorMessage } from './api-call-error';
import { api } from './client';

export interface Query<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/** Calls a method when the component mounts (and when `key` changes); exposes data, error and reload. */
export function useApiQuery<M extends MethodName>(
  method: M,
  request: RequestOf<M>,
  key = '',
): Query<ResponseOf<M>> {
  const [state, setState] = useState<{ data?: ResponseOf<M>; error?: string; loading: boolean }>({
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const requestRef = useRef(request);
  requestRef.current = request;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `generation` are the triggers by design.
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api()
      .call(method, requestRef.current)
      .then(
        (data) => live && setState({ data, loading: false }),
        (err) => live && setState((s) => ({ data: s.data, error: errorMessage(err), loading: false })),
      );
    return () => {
      live = false;
    };
  }, [method, key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Subscribes to a pushed event for the component's lifetime. */
export function useApiEvent<E extends EventName>(event: E, handler: (data: EventDataOf<E>) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => api().on(event, (data) => ref.current(data)), [event]);
}

/** Runs a mutation, tracking busy state and the error to show in place. */
export function useApiAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async <M extends MethodName>(method: M, request: RequestOf<M>) => {
    setBusy(true);
    setError(undefined);
    try {
      return await api().call(method, request);
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clearError: () => setError(undefined) };
}
