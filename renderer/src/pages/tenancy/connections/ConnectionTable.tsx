import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { DeviceConnection } from '../../../../../preload/contract/tenancy';
import { StatusBadge } from '../../../components';
import { formatShort } from '../shared/dates';

const ROW = 30;
/** The shared row grid, with a last column wide enough for the coupling and a reserved credential's name. */
const COLUMNS =
  'minmax(140px, 1.3fr) minmax(80px, 0.8fr) 110px minmax(100px, 1fr) 110px minmax(140px, 1fr) minmax(160px, 1.6fr) minmax(150px, 1.1fr)';

export function ConnectionTable({
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
