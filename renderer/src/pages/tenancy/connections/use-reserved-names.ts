import { useEffect, useMemo, useState } from 'react';
import type { DeviceConnection } from '../../../../../preload/contract/tenancy';
import { api } from '../../../api/client';

/** Usernames of the credentials reserved by the listed devices (fetched per account that has any). */
export function useReservedNames(rows: DeviceConnection[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  // One string that changes exactly when the accounts or the reservations do: "<accounts>|<credentials>".
  const key = useMemo(() => {
    const reserved = rows.filter((r) => r.reservedCredentialId !== null);
    const ids = [...new Set(reserved.map((r) => r.accountId))].sort();
    const credentialIds = reserved.map((r) => r.reservedCredentialId).sort();
    return `${ids.join(',')}|${credentialIds.join(',')}`;
  }, [rows]);
  useEffect(() => {
    const accountIds = key.split('|')[0]!.split(',').filter(Boolean);
    if (accountIds.length === 0) {
      setNames({});
      return;
    }
    let live = true;
    Promise.all(accountIds.map((accountId) => api().call('credentials.list', { accountId }))).then(
      (lists) => {
        if (!live) return;
        const next: Record<string, string> = {};
        for (const list of lists) for (const c of list.credentials) next[c.id] = c.username;
        setNames(next);
      },
      () => {
        // Names are a nicety: the rows still say that a credential is reserved.
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}
