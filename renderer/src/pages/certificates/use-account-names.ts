import { useCallback } from 'react';
import { useQuery } from '../../api/hooks';

/** Accounts by id, so the page can show names where the PKI records ids; falls back to the id. */
export function useAccountNames() {
  const accounts = useQuery('accounts.list', {});
  const list = accounts.data?.accounts ?? [];
  const nameOf = useCallback(
    (id: string | null | undefined) =>
      id ? (accounts.data?.accounts.find((a) => a.id === id)?.name ?? id) : null,
    [accounts.data],
  );
  return { accounts: list, error: accounts.error, nameOf };
}
