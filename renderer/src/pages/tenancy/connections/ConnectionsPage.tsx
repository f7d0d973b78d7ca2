import { useMemo, useState } from 'react';
import type { DeviceConnection } from '../../../../../preload/contract/tenancy';
import { useApiEvent, useQuery } from '../../../api/hooks';
import { ErrorNote, PageHeader } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { accountById } from '../shared/store';
import { AddDevice } from './AddDevice';
import { ConnectionTable } from './ConnectionTable';
import { DeviceDetails } from './DeviceDetails';
import { useReservedNames } from './use-reserved-names';

type StatusFilter = 'all' | DeviceConnection['status'];
const NO_ROWS: DeviceConnection[] = [];

/** Live device connection records, refreshed on `connections.changed`. */
export function ConnectionsPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  const [descendants, setDescendants] = useState(true);
  const [status, setStatus] = useState<StatusFilter>('all');
  const [clientFilter, setClientFilter] = useState('');
  const [flash, setFlash] = useState<Record<string, number>>({});
  const [selected, setSelected] = useState<string>();
  const list = useQuery(
    'connections.list',
    { accountId: selectedId ?? '', includeDescendants: descendants, ...(status === 'all' ? {} : { status }) },
    { enabled: !!selectedId, refetchOn: ['connections.changed'] },
  );
  const rows = list.data?.connections ?? NO_ROWS;
  const loadError = list.error;
  useApiEvent('connections.changed', (e) =>
    setFlash((f) => ({ ...f, [`${e.accountId}/${e.clientId}`]: Date.now() })),
  );

  const visible = useMemo(() => {
    const needle = clientFilter.trim().toLowerCase();
    const list = needle ? rows.filter((r) => r.clientId.toLowerCase().includes(needle)) : rows;
    return [...list].sort(
      (a, b) =>
        Number(b.status === 'connected') - Number(a.status === 'connected') ||
        (b.lastConnectAt ?? 0) - (a.lastConnectAt ?? 0) ||
        a.clientId.localeCompare(b.clientId),
    );
  }, [rows, clientFilter]);

  const counts = useMemo(() => {
    const c = { connected: 0, disconnected: 0, missing: 0 };
    for (const r of rows) c[r.status]++;
    return c;
  }, [rows]);
  const total = rows.length || 1;
  const current = rows.find((r) => r.id === selected);
  const reservedNames = useReservedNames(rows);

  return (
    <div className="page tn-page" data-testid="tenancy-connections-page">
      <PageHeader title="Connections">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error ?? loadError} />
      <section className="panel">
        <div className="tn-filters">
          <label>
            <input type="checkbox" checked={descendants} onChange={(e) => setDescendants(e.target.checked)} />
            include sub-accounts
          </label>
          <label>
            Status
            <select
              value={status}
              onChange={(e) => setStatus(e.target.value as StatusFilter)}
              data-testid="connections-status"
            >
              <option value="all">all</option>
              <option value="connected">connected</option>
              <option value="disconnected">disconnected</option>
              <option value="missing">missing</option>
            </select>
          </label>
          <label>
            Client id
            <input
              value={clientFilter}
              onChange={(e) => setClientFilter(e.target.value)}
              placeholder="contains…"
              data-testid="connections-filter"
            />
          </label>
          <span className="muted" data-testid="connections-count">
            {visible.length} of {rows.length} record{rows.length === 1 ? '' : 's'}
            {account ? ` in ${account.name}${descendants ? ' and below' : ''}` : ''}
          </span>
        </div>
        <div
          className="tn-summary-bar"
          role="img"
          aria-label={`${counts.connected} connected, ${counts.disconnected} disconnected, ${counts.missing} missing`}
        >
          {(['connected', 'disconnected', 'missing'] as const).map((s) =>
            counts[s] > 0 ? (
              <span key={s} className={`tn-seg-${s}`} style={{ width: `${(counts[s] / total) * 100}%` }} />
            ) : null,
          )}
        </div>
        <div className="tn-legend" data-testid="connections-summary">
          <span title="currently connected">
            <i className="tn-seg-connected" />
            {counts.connected} connected
          </span>
          <span title="ended with a DISCONNECT or closed by the server">
            <i className="tn-seg-disconnected" />
            {counts.disconnected} disconnected
          </span>
          <span title="ended without a DISCONNECT (network loss, keep-alive timeout) or open when Fieldbench stopped">
            <i className="tn-seg-missing" />
            {counts.missing} missing
          </span>
        </div>
      </section>
      <section className="panel">
        <ConnectionTable
          rows={visible}
          flash={flash}
          selected={selected}
          onSelect={setSelected}
          reservedNames={reservedNames}
        />
        {selectedId && account ? (
          <AddDevice
            accountId={selectedId}
            accountName={account.name}
            onAdded={(device) => {
              setSelected(device.id);
              list.reload();
            }}
          />
        ) : null}
      </section>
      {current ? <DeviceDetails key={current.id} device={current} onChanged={() => list.reload()} /> : null}
    </div>
  );
}
