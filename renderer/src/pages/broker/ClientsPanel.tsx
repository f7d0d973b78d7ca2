import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BrokerClient } from '../../../../preload/contract/broker';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useApiEvent } from '../../api/hooks';
import { ErrorNote } from '../../components/ErrorNote';
import { formatBytes } from '../../format';
import { formatAgo, protocolLabel } from './format';
import { VirtualRows } from './VirtualRows';

const ROW_HEIGHT = 30;
const REFRESH_MS = 2000;

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

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  // Connect/disconnect bursts (reconnect storms) coalesce into one refresh per 250 ms.
  const scheduled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useApiEvent('broker.clients', () => {
    if (scheduled.current) return;
    scheduled.current = setTimeout(() => {
      scheduled.current = undefined;
      void refresh();
    }, 250);
  });
  useEffect(() => () => clearTimeout(scheduled.current), []);

  const visible = useMemo(() => clients.filter((c) => matches(c, filter.trim())), [clients, filter]);
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
          <span>Client id</span>
          <span>Protocol</span>
          <span>Listener</span>
          <span>Address</span>
          <span className="num">Keep alive</span>
          <span className="num">Subs</span>
          <span className="num">Queued</span>
          <span className="num">In</span>
          <span className="num">Out</span>
          <span>Connected</span>
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
          <VirtualRows
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
