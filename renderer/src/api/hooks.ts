import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventDataOf, EventName, MethodName, RequestOf, ResponseOf } from '../../../preload/contract';
import { errorMessage } from './api-call-error';
import { api } from './client';

// The one way a page talks to the operator API: useQuery to read, useMutation to change, useApiEvent
// for pushed events. Pages never call api() in render code.

export interface Query<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** Calls the method again now. */
  reload(): void;
}

export interface QueryOptions {
  /** Operator-API events after which the query is read again (bursts coalesce into one extra call). */
  refetchOn?: readonly EventName[];
  /** While false the method is not called (e.g. nothing selected yet); data stays undefined. */
  enabled?: boolean;
}

/**
 * Calls `method` with `request` when the component mounts, again whenever the request's content
 * changes, when one of the `refetchOn` events arrives, and on `reload()`. Keeps the previous data while
 * a new call runs; a failed call keeps it too and sets `error`.
 */
export function useQuery<M extends MethodName>(
  method: M,
  request: RequestOf<M>,
  options: QueryOptions = {},
): Query<ResponseOf<M>> {
  const enabled = options.enabled ?? true;
  const requestKey = JSON.stringify(request);
  const [state, setState] = useState<{ data?: ResponseOf<M>; error?: string; loading: boolean }>({
    loading: enabled,
  });
  // `generation` tells a finished call whether it is still the latest; `again` records refetches asked
  // for while one was running.
  const generation = useRef(0);
  const running = useRef(false);
  const again = useRef(false);

  const load = useCallback(() => {
    const mine = ++generation.current;
    running.current = true;
    again.current = false;
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    const settle = (next: (s: typeof state) => typeof state) => {
      if (generation.current !== mine) return;
      running.current = false;
      setState(next);
      if (again.current) load();
    };
    api()
      .call(method, JSON.parse(requestKey) as RequestOf<M>)
      .then(
        (data) => settle(() => ({ data, loading: false })),
        (err) => settle((s) => ({ data: s.data, error: errorMessage(err), loading: false })),
      );
  }, [method, requestKey]);

  const refetch = useCallback(() => {
    if (running.current) again.current = true;
    else load();
  }, [load]);

  useEffect(() => {
    if (!enabled) return;
    load();
    return () => {
      generation.current++;
      running.current = false;
    };
  }, [load, enabled]);

  const events = (options.refetchOn ?? []).join(' ');
  useEffect(() => {
    if (!enabled || !events) return;
    const offs = events.split(' ').map((name) => api().on(name as EventName, refetch));
    return () => {
      for (const off of offs) off();
    };
  }, [events, enabled, refetch]);

  return {
    data: enabled ? state.data : undefined,
    error: state.error,
    loading: state.loading,
    reload: refetch,
  };
}

/** Subscribes to a pushed event for the component's lifetime. */
export function useApiEvent<E extends EventName>(event: E, handler: (data: EventDataOf<E>) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => api().on(event, (data) => ref.current(data)), [event]);
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; error: unknown; message: string };

export interface Mutation {
  /** Calls a method; resolves to its response, or undefined after a failure (then `error` says why). */
  run<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M> | undefined>;
  /** Like `run`, but keeps the raw error so the caller can branch on its code (CONFLICT → confirm). */
  attempt<M extends MethodName>(method: M, request: RequestOf<M>): Promise<Outcome<ResponseOf<M>>>;
  /** Runs any promise-returning work (several calls, a download) with the same busy/error tracking. */
  perform<T>(work: () => Promise<T>): Promise<T | undefined>;
  busy: boolean;
  /** The message of the last failure, to show in place; cleared when the next call starts. */
  error: string | undefined;
  setError(message: string | undefined): void;
  clearError(): void;
}

/** Changes something through the operator API, tracking busy state and the error to show in place. */
export function useMutation(): Mutation {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const attemptWork = useCallback(async <T>(work: () => Promise<T>): Promise<Outcome<T>> => {
    setBusy(true);
    setError(undefined);
    try {
      return { ok: true, data: await work() };
    } catch (err) {
      const message = errorMessage(err);
      setError(message);
      return { ok: false, error: err, message };
    } finally {
      setBusy(false);
    }
  }, []);
  const attempt = useCallback(
    <M extends MethodName>(method: M, request: RequestOf<M>) =>
      attemptWork(() => api().call(method, request)),
    [attemptWork],
  );
  const perform = useCallback(
    async <T>(work: () => Promise<T>) => {
      const outcome = await attemptWork(work);
      return outcome.ok ? outcome.data : undefined;
    },
    [attemptWork],
  );
  const run = useCallback(
    <M extends MethodName>(method: M, request: RequestOf<M>) => perform(() => api().call(method, request)),
    [perform],
  );
  const clearError = useCallback(() => setError(undefined), []);
  return { run, attempt, perform, busy, error, setError, clearError };
}
