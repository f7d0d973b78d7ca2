import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { DeviceConnection } from '../../../../../preload/contract/tenancy';
import { errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';
import { useApiEvent } from '../../../api/hooks';
import { ErrorNote } from '../../../components/ErrorNote';
import { accountById } from '../shared/store';
import {
  AccountPicker,
  formatShort,
  formatWhen,
  PageHeader,
  StatusBadge,
  useAccounts,
  useMutation,
} from '../shared/ui';

type StatusFilter = 'all' | DeviceConnection['status'];
const ROW = 30;

/** Live device connection records, refreshed on `connections.changed`. */
export function ConnectionsPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  const [descendants, setDescendants] = useState(true);
  const [status, setStatus] = useState<StatusFilter>('all');
  const [clientFilter, setClientFilter] = useState('');
  const [rows, setRows] = useState<DeviceConnection[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const [flash, setFlash] = useState<Record<string, number>>({});
  const [selected, setSelected] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the refetch trigger.
  useEffect(() => {
    if (!selectedId) return;
    let live = true;
    api()
      .call('connections.list', {
        accountId: selectedId,
        includeDescendants: descendants,
        ...(status === 'all' ? {} : { status }),
      })
      .then(
        (r) => {
          if (!live) return;
          setRows(r.connections);
          setLoadError(undefined);
        },
        (err) => live && setLoadError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, [selectedId, descendants, status, generation]);

  useEffect(() => () => clearTimeout(pending.current), []);

  useApiEvent('connections.changed', (e) => {
    setFlash((f) => ({ ...f, [`${e.accountId}/${e.clientId}`]: Date.now() }));
    // Coalesce bursts (reconnect storms) into one refetch.
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      setGeneration((g) => g + 1);
    }, 150);
  });

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
        <ConnectionTable rows={visible} flash={flash} selected={selected} onSelect={setSelected} />
      </section>
      {current ? (
        <DeviceDetails
          key={current.id + current.status}
          device={current}
          onChanged={() => setGeneration((g) => g + 1)}
        />
      ) : null}
    </div>
  );
}

function ConnectionTable({
  rows,
  flash,
  selected,
  onSelect,
}: {
  rows: DeviceConnection[];
  flash: Record<string, number>;
  selected: string | undefined;
  onSelect(id: string): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || 400));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - 5);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW) + 5);
  const index = rows.findIndex((r) => r.id === selected);

  const onKeyDown = (e: KeyboardEvent) => {
    if (rows.length === 0) return;
    let next = index;
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, index + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, index - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else return;
    e.preventDefault();
    const row = rows[next];
    if (!row) return;
    onSelect(row.id);
    const el = ref.current;
    if (el) {
      const top = next * ROW;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
    }
  };

  return (
    <section aria-label="Device connections" data-testid="connections-table">
      <div className="tn-vhead">
        <span>Client id</span>
        <span>Account</span>
        <span>Status</span>
        <span>Username</span>
        <span>Listener</span>
        <span>Address</span>
        <span>Last change</span>
        <span>Coupling</span>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the scrolling body takes arrow keys to move the selection. */}
      <div
        className="tn-vtable"
        ref={ref}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users scroll and select rows from here.
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        {rows.length === 0 ? <div className="tn-empty">No device connection records match.</div> : null}
        <div style={{ height: rows.length * ROW, position: 'relative' }}>
          {rows.slice(first, last).map((r, k) => {
            const i = first + k;
            const key = `${r.accountId}/${r.clientId}`;
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the list's arrow keys do the same.
              <div
                key={`${r.id}-${flash[key] ?? 0}`}
                id={`conn-${r.id}`}
                aria-current={r.id === selected ? true : undefined}
                className={`tn-vrow${(flash[key] ?? 0) > Date.now() - 1200 ? ' tn-flash' : ''}`}
                data-testid={`connection-${r.clientId}`}
                data-status={r.status}
                style={{
                  position: 'absolute',
                  top: i * ROW,
                  left: 0,
                  right: 0,
                  height: ROW,
                  background:
                    r.id === selected ? 'color-mix(in srgb, var(--accent) 14%, transparent)' : undefined,
                }}
                onClick={() => onSelect(r.id)}
              >
                <span className="mono">{r.clientId}</span>
                <span>{r.accountName}</span>
                <span>
                  <StatusBadge status={r.status} />
                </span>
                <span>{r.username ?? '–'}</span>
                <span>{r.listenerKind ?? '–'}</span>
                <span className="mono">{r.clientAddress ?? '–'}</span>
                <span title={r.lastDisconnectReason ?? undefined}>
                  {r.status === 'connected'
                    ? `connected ${formatShort(r.lastConnectAt)}`
                    : `${formatShort(r.lastDisconnectAt)}${r.lastDisconnectReason ? ` · ${r.lastDisconnectReason}` : ''}`}
                </span>
                <span>{r.effectiveCoupling}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function DeviceDetails({ device, onChanged }: { device: DeviceConnection; onChanged(): void }) {
  const m = useMutation();
  const [coupling, setCoupling] = useState<string>(device.coupling ?? 'account');
  const [allowUserChange, setAllowUserChange] = useState(device.allowUserChange);
  return (
    <section className="panel" aria-label={`Device ${device.clientId}`} data-testid="device-details">
      <div className="panel-header">
        <h2 className="mono">{device.clientId}</h2>
        <StatusBadge status={device.status} />
      </div>
      <dl className="facts">
        <dt>Account</dt>
        <dd>{device.accountName}</dd>
        <dt>Protocol</dt>
        <dd>{device.protocol ?? '–'}</dd>
        <dt>Last connect</dt>
        <dd>{formatWhen(device.lastConnectAt)}</dd>
        <dt>Last disconnect</dt>
        <dd>
          {formatWhen(device.lastDisconnectAt)}
          {device.lastDisconnectReason ? ` — ${device.lastDisconnectReason}` : ''}
        </dd>
        <dt>Bound credential</dt>
        <dd className="mono">{device.boundCredentialId ?? '–'}</dd>
      </dl>
      <div className="tn-actions tn-wrap">
        <label>
          User coupling{' '}
          <select value={coupling} onChange={(e) => setCoupling(e.target.value)}>
            <option value="account">as the account ({device.effectiveCoupling})</option>
            <option value="loose">loose</option>
            <option value="strict">strict</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={allowUserChange}
            onChange={(e) => setAllowUserChange(e.target.checked)}
          />{' '}
          allow the next login to change its user
        </label>
        <button
          type="button"
          disabled={m.busy}
          onClick={async () => {
            const r = await m.run('connections.update', {
              accountId: device.accountId,
              clientId: device.clientId,
              coupling: coupling === 'account' ? null : (coupling as 'loose' | 'strict'),
              allowUserChange,
            });
            if (r.ok) onChanged();
          }}
        >
          Save
        </button>
        <button
          type="button"
          className="tn-danger"
          disabled={m.busy || device.status === 'connected'}
          title={device.status === 'connected' ? 'Disconnect the device first' : undefined}
          onClick={async () => {
            const r = await m.run('connections.delete', { id: device.id });
            if (r.ok) onChanged();
          }}
        >
          Forget record
        </button>
      </div>
      <ErrorNote message={m.error} />
    </section>
  );
}
