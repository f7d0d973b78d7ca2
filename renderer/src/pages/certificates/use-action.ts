import { useCallback, useState } from 'react';
import { errorMessage } from '../../api/api-call-error';

/** Like useApiAction, for any promise-returning call: busy state and the error to show in place. */
export function useApiActionLoose() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await work();
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clearError: useCallback(() => setError(undefined), []) };
}
