import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { Credential, DeviceConnection, UserCoupling } from '../../../../../preload/contract/tenancy';
import { errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';
import { useApiEvent, useMutation } from '../../../api/hooks';
import { ErrorNote, PageHeader, StatusBadge } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { formatShort, formatWhen } from '../shared/dates';
import { accountById, useTenancy } from '../shared/store';

type StatusFilter = 'all' | DeviceConnection['status'];
const ROW = 30;
/** The shared row grid, with a last column wide enough for the coupling and a reserved credential's name. */
const COLUMNS =
  'minmax(140px, 1.3fr) minmax(80px, 0.8fr) 110px minmax(100px, 1fr) 110px minmax(140px, 1fr) minmax(160px, 1.6fr) minmax(150px, 1.1fr)';

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
              setGeneration((g) => g + 1);
            }}
          />
        ) : null}
      </section>
      {current ? (
        <DeviceDetails key={current.id} device={current} onChanged={() => setGeneration((g) => g + 1)} />
      ) : null}
    </div>
  );
}

/** Usernames of the credentials reserved by the listed devices (fetched per account that has any). */
function useReservedNames(rows: DeviceConnection[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const { accountIds, key } = useMemo(() => {
    const reserved = rows.filter((r) => r.reservedCredentialId !== null);
    const ids = [...new Set(reserved.map((r) => r.accountId))].sort();
    const credentialIds = reserved.map((r) => r.reservedCredentialId).sort();
    return { accountIds: ids, key: `${ids.join(',')}|${credentialIds.join(',')}` };
  }, [rows]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key changes exactly when accountIds or the reservations do.
  useEffect(() => {
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

/** Creates a device record before the device first connects, so it can be prepared (coupling, reservation). */
function AddDevice({
  accountId,
  accountName,
  onAdded,
}: {
  accountId: string;
  accountName: string;
  onAdded(device: DeviceConnection): void;
}) {
  const m = useMutation();
  const [clientId, setClientId] = useState('');
  const trimmed = clientId.trim();
  return (
    <form
      className="tn-form-row"
      aria-label="Add a device record"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!trimmed) return;
        const r = await m.attempt('connections.update', { accountId, clientId: trimmed });
        if (r.ok) {
          setClientId('');
          onAdded(r.data);
        }
      }}
    >
      <label>
        Prepare a device in {accountName}
        <input
          className="mono"
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          placeholder="client id"
          data-testid="add-device-client-id"
        />
      </label>
      <button type="submit" disabled={!trimmed || m.busy} data-testid="add-device">
        Add record
      </button>
      <span className="muted tn-hint">
        A record lets you reserve a credential for a device before its first connection.
      </span>
      <ErrorNote message={m.error} />
    </form>
  );
}

function ConnectionTable({
  rows,
  flash,
  selected,
  onSelect,
  reservedNames,
}: {
  rows: DeviceConnection[];
  flash: Record<string, number>;
  selected: string | undefined;
  onSelect(id: string): void;
  reservedNames: Record<string, string>;
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
      <div className="tn-vhead" style={{ gridTemplateColumns: COLUMNS }}>
        <span>Client id</span>
        <span>Account</span>
        <span>Status</span>
        <span>Username</span>
        <span>Listener</span>
        <span>Address</span>
        <span>Last change</span>
        <span title="User coupling · reserved credential">Coupling</span>
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
                  gridTemplateColumns: COLUMNS,
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
                <span
                  title={
                    r.reservedCredentialId
                      ? `Reserved credential: ${reservedNames[r.reservedCredentialId] ?? r.reservedCredentialId}`
                      : undefined
                  }
                >
                  {r.effectiveCoupling}
                  {r.reservedCredentialId ? (
                    <span className="mono" data-testid={`reserved-${r.clientId}`}>
                      {' '}
                      · {reservedNames[r.reservedCredentialId] ?? 'reserved'}
                    </span>
                  ) : null}
                </span>
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
  const accounts = useTenancy((t) => t.accounts);
  const accountCoupling = accountById(accounts, device.accountId)?.userCoupling;
  const [coupling, setCoupling] = useState<string>(device.coupling ?? 'account');
  const [allowUserChange, setAllowUserChange] = useState(device.allowUserChange);
  const [reserved, setReserved] = useState<string>(device.reservedCredentialId ?? '');
  const [saved, setSaved] = useState(false);
  const [credentials, setCredentials] = useState<Credential[]>();
  /** Credential id → client id of another device of this account that reserved it. */
  const [holders, setHolders] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: refetch when this device's reservation changes.
  useEffect(() => {
    let live = true;
    Promise.all([
      api().call('credentials.list', { accountId: device.accountId }),
      api().call('connections.list', { accountId: device.accountId }),
    ]).then(
      ([c, d]) => {
        if (!live) return;
        setCredentials(c.credentials);
        const next: Record<string, string> = {};
        for (const other of d.connections) {
          if (other.id !== device.id && other.reservedCredentialId)
            next[other.reservedCredentialId] = other.clientId;
        }
        setHolders(next);
        setLoadError(undefined);
      },
      (err) => live && setLoadError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [device.accountId, device.id, device.reservedCredentialId]);

  const username = (id: string | null) =>
    id === null ? null : (credentials?.find((c) => c.id === id)?.username ?? id);
  const chosenCoupling: UserCoupling | undefined =
    coupling === 'account' ? accountCoupling : (coupling as UserCoupling);
  const dirty =
    coupling !== (device.coupling ?? 'account') ||
    allowUserChange !== device.allowUserChange ||
    reserved !== (device.reservedCredentialId ?? '');

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
        <dt>User coupling</dt>
        <dd data-testid="device-effective-coupling">
          {device.effectiveCoupling}
          {device.coupling === null ? ' (as the account)' : ' (set for this device)'}
          {device.allowUserChange ? ' · the next login may change its user' : ''}
        </dd>
        <dt>Reserved credential</dt>
        <dd className="mono" data-testid="device-reserved">
          {username(device.reservedCredentialId) ?? 'none'}
        </dd>
        <dt>Bound credential</dt>
        <dd className="mono" data-testid="device-bound">
          {username(device.boundCredentialId) ?? '–'}
        </dd>
      </dl>
      <ErrorNote message={loadError} />
      <div className="tn-actions tn-wrap">
        <label>
          User coupling{' '}
          <select
            value={coupling}
            onChange={(e) => {
              setCoupling(e.target.value);
              setSaved(false);
            }}
            data-testid="device-coupling"
          >
            <option value="account">as the account ({accountCoupling ?? '…'})</option>
            <option value="loose">loose</option>
            <option value="strict">strict</option>
          </select>
        </label>
        <label>
          Reserved credential{' '}
          <select
            value={reserved}
            disabled={credentials === undefined}
            onChange={(e) => {
              setReserved(e.target.value);
              setSaved(false);
            }}
            data-testid="device-reserved-credential"
          >
            <option value="">none</option>
            {(credentials ?? []).map((c) => (
              <option key={c.id} value={c.id} disabled={holders[c.id] !== undefined}>
                {c.username}
                {c.enabled ? '' : ' (disabled)'}
                {holders[c.id] !== undefined ? ` — reserved for ${holders[c.id]}` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={allowUserChange}
            onChange={(e) => {
              setAllowUserChange(e.target.checked);
              setSaved(false);
            }}
            data-testid="device-allow-change"
          />{' '}
          allow the next login to change its user
        </label>
        <button
          type="button"
          className="primary"
          disabled={m.busy || !dirty}
          data-testid="device-save"
          onClick={async () => {
            const r = await m.attempt('connections.update', {
              accountId: device.accountId,
              clientId: device.clientId,
              coupling: coupling === 'account' ? null : (coupling as UserCoupling),
              allowUserChange,
              reservedCredentialId: reserved === '' ? null : reserved,
            });
            if (r.ok) {
              setSaved(true);
              onChanged();
            }
          }}
        >
          Save
        </button>
        {saved && !dirty ? (
          <span className="tn-ok" data-testid="device-saved">
            Saved
          </span>
        ) : null}
        <button
          type="button"
          className="danger"
          disabled={m.busy || device.status === 'connected'}
          title={device.status === 'connected' ? 'Disconnect the device first' : undefined}
          onClick={async () => {
            const r = await m.attempt('connections.delete', { id: device.id });
            if (r.ok) onChanged();
          }}
        >
          Forget record
        </button>
      </div>
      <p className="muted tn-hint" data-testid="device-coupling-hint">
        {chosenCoupling === 'strict'
          ? reserved
            ? 'Strict: this device must log in with its reserved credential, and other devices under strict coupling are refused with it.'
            : 'Strict: this device keeps the first credential it logs in with, unless the next login may change its user.'
          : reserved
            ? 'Loose: the reservation is kept but not enforced — any credential of the account is accepted. Choose strict to enforce it.'
            : 'Loose: the device may log in with any credential of its account.'}
      </p>
      <ErrorNote message={m.error} />
    </section>
  );
}
