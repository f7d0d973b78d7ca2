import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BrokerClient } from '../../../../preload/contract/broker';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useApiEvent } from '../../api/hooks';
import { ErrorNote, VirtualList } from '../../components';
import { formatBytes } from '../../format';
import { formatAgo, protocolLabel } from './format';

const ROW_HEIGHT = 30;
/** Counters refresh less often when the list is long (a 10,000-client list is a few MB of JSON). */
const refreshMs = (total: number) => (total > 5000 ? 10_000 : total > 1000 ? 5000 : 2000);

type SortKey =
  | 'clientId'
  | 'protocolVersion'
  | 'listenerKind'
  | 'remoteAddress'
  | 'keepAlive'
  | 'subscriptions'
  | 'queued'
  | 'bytesIn'
  | 'bytesOut'
  | 'connectedAt';

const columns: { id: SortKey; label: string; numeric?: boolean }[] = [
  { id: 'clientId', label: 'Client id' },
  { id: 'protocolVersion', label: 'Protocol' },
  { id: 'listenerKind', label: 'Listener' },
  { id: 'remoteAddress', label: 'Address' },
  { id: 'keepAlive', label: 'Keep alive', numeric: true },
  { id: 'subscriptions', label: 'Subs', numeric: true },
  { id: 'queued', label: 'Queued', numeric: true },
  { id: 'bytesIn', label: 'In', numeric: true },
  { id: 'bytesOut', label: 'Out', numeric: true },
  { id: 'connectedAt', label: 'Connected' },
];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: BrokerClient, b: BrokerClient, by: SortKey): number {
  const x = a[by];
  const y = b[by];
  const primary =
    typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
  return primary || collator.compare(a.clientId, b.clientId);
}

function matches(client: BrokerClient, needle: string): boolean {
  if (!needle) return true;
  const hay = [
    client.clientId,
    client.remoteAddress,
    client.listenerId,
    client.listenerKind,
    client.principal.username ?? '',
    client.principal.accountName ?? '',
    protocolLabel(client.protocolVersion),
  ]
    .join(' ')
    .toLowerCase();
  return needle
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((part) => hay.includes(part));
}

/** Connected clients, refreshed on connect/disconnect events and every two seconds for the counters. */
export function ClientsPanel() {
  const [clients, setClients] = useState<BrokerClient[]>([]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const inFlight = useRef(false);
  const totalRef = useRef(0);
  totalRef.current = total;
  const again = useRef(false);

  const refresh = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      const result = await api().call('broker.listClients', { limit: 50_000 });
      setClients(result.clients);
      setTotal(result.total);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      inFlight.current = false;
      setLoaded(true);
      if (again.current) {
        again.current = false;
        void refresh();
      }
    }
  }, []);

  const interval = refreshMs(total);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, interval);
    return () => clearInterval(timer);
  }, [refresh, interval]);

  // Connect/disconnect bursts (reconnect storms) coalesce into one refresh per 250 ms (1 s when long).
  const scheduled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useApiEvent('broker.clients', () => {
    if (scheduled.current) return;
    scheduled.current = setTimeout(
      () => {
        scheduled.current = undefined;
        void refresh();
      },
      totalRef.current > 1000 ? 1000 : 250,
    );
  });
  useEffect(() => () => clearTimeout(scheduled.current), []);

  const [sort, setSort] = useState<{ by: SortKey; desc: boolean }>({ by: 'clientId', desc: false });
  const visible = useMemo(() => {
    const list = clients.filter((c) => matches(c, filter.trim()));
    list.sort((a, b) => (sort.desc ? -compare(a, b, sort.by) : compare(a, b, sort.by)));
    return list;
  }, [clients, filter, sort]);
  const now = Date.now();

  const disconnect = async (client: BrokerClient) => {
    const key = `${client.principal.topicPrefix}\u0000${client.clientId}`;
    setPending((p) => ({ ...p, [key]: true }));
    setRowErrors(({ [key]: _, ...rest }) => rest);
    try {
      const result = await api().call('broker.disconnectClient', {
        clientId: client.clientId,
        topicPrefix: client.principal.topicPrefix,
        reasonString: 'Disconnected by the operator',
      });
      if (!result.disconnected)
        setRowErrors((e) => ({ ...e, [key]: 'The client had already disconnected.' }));
      void refresh();
    } catch (err) {
      setRowErrors((e) => ({ ...e, [key]: errorMessage(err) }));
    } finally {
      setPending(({ [key]: _, ...rest }) => rest);
    }
  };

  return (
    <section className="brk-clients" aria-label="Connected clients">
      <div className="brk-toolbar">
        <input
          type="search"
          placeholder="Filter: client id, address, listener, user…"
          aria-label="Filter connected clients"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          className="brk-filter"
          data-testid="client-filter"
        />
        <span className="muted" data-testid="client-count">
          {filter.trim() ? `${visible.length} of ${clients.length} shown` : `${total} connected`}
          {total > clients.length ? ` (first ${clients.length} listed)` : ''}
        </span>
      </div>
      <ErrorNote message={error} />
      <div className="brk-table brk-clients-table">
        <div className="brk-row brk-head">
          {columns.map((col) => (
            <span key={col.id} className={col.numeric ? 'num' : undefined}>
              <button
                type="button"
                className="brk-sort"
                onClick={() =>
                  setSort((s) => ({ by: col.id, desc: s.by === col.id ? !s.desc : !!col.numeric }))
                }
                aria-label={`Sort by ${col.label}`}
                aria-pressed={sort.by === col.id}
              >
                {col.label}
                {sort.by === col.id ? <span aria-hidden="true">{sort.desc ? ' ▾' : ' ▴'}</span> : null}
              </button>
            </span>
          ))}
          <span>
            <span className="visually-hidden">Actions</span>
          </span>
        </div>
        {visible.length === 0 ? (
          <p className="muted brk-empty">
            {!loaded
              ? 'Loading…'
              : clients.length === 0
                ? 'No clients are connected.'
                : 'No client matches the filter.'}
          </p>
        ) : (
          <VirtualList
            className="brk-vrows"
            count={visible.length}
            rowHeight={ROW_HEIGHT}
            maxHeight={420}
            testId="client-rows"
            renderRow={(i, style) => {
              const c = visible[i]!;
              const key = `${c.principal.topicPrefix}\u0000${c.clientId}`;
              const who = c.principal.accountName
                ? `${c.principal.accountName}${c.principal.username ? ` / ${c.principal.username}` : ''}`
                : (c.principal.username ?? c.principal.kind);
              return (
                <div
                  key={key}
                  style={style}
                  className="brk-row"
                  data-testid="client-row"
                  data-client-id={c.clientId}
                >
                  <span className="mono ellipsis" title={`${c.clientId} — ${who}`}>
                    {c.clientId}
                  </span>
                  <span data-testid="client-protocol">{protocolLabel(c.protocolVersion)}</span>
                  <span className="ellipsis" title={c.listenerId}>
                    {c.listenerKind}
                  </span>
                  <span className="mono ellipsis" title={c.remoteAddress}>
                    {c.remoteAddress}
                  </span>
                  <span className="num">{c.keepAlive}s</span>
                  <span className="num">{c.subscriptions}</span>
                  <span className="num" title={`${c.inflight} in flight, ${c.droppedMessages} dropped`}>
                    {c.queued}
                  </span>
                  <span className="num">{formatBytes(c.bytesIn)}</span>
                  <span className="num">{formatBytes(c.bytesOut)}</span>
                  <span className="muted" title={new Date(c.connectedAt).toLocaleString()}>
                    {formatAgo(c.connectedAt, now)}
                  </span>
                  <span>
                    {rowErrors[key] ? (
                      <span className="brk-bad small" role="alert" title={rowErrors[key]}>
                        {rowErrors[key]}
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="small-button"
                        disabled={pending[key]}
                        aria-label={`Disconnect ${c.clientId}`}
                        onClick={() => void disconnect(c)}
                      >
                        {pending[key] ? 'Disconnecting…' : 'Disconnect'}
                      </button>
                    )}
                  </span>
                </div>
              );
            }}
          />
        )}
      </div>
    </section>
  );
}
