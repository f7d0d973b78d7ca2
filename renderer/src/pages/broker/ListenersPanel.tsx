import { Fragment, useEffect, useState } from 'react';
import type { ListenerStatusDto } from '../../../../preload/contract/listeners';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useApiEvent, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { formatBytes } from '../../format';
import { ListenerForm } from './ListenerForm';

function address(l: ListenerStatusDto): string {
  const host = l.host.includes(':') ? `[${l.host}]` : l.host;
  return `${host}:${l.port}${l.kind === 'ws' || l.kind === 'wss' ? l.options.wsPath : ''}`;
}

function StateBadge({ listener }: { listener: ListenerStatusDto }) {
  return (
    <span className={`brk-state brk-state-${listener.state}`} data-testid="listener-state">
      <span className="brk-dot" aria-hidden="true" />
      {listener.state}
    </span>
  );
}

/** The broker's listeners: state, bound port, TLS, counters; start/stop, edit, add and remove. */
export function ListenersPanel() {
  const initial = useQuery('listeners.list', {});
  const [listeners, setListeners] = useState<ListenerStatusDto[]>([]);
  const [editing, setEditing] = useState<string | 'new' | undefined>();
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [confirmRemove, setConfirmRemove] = useState<string>();

  useEffect(() => {
    if (initial.data) setListeners(initial.data.listeners);
  }, [initial.data]);
  useApiEvent('listeners.changed', (data) => setListeners(data.listeners));

  const replace = (updated: ListenerStatusDto) =>
    setListeners((ls) =>
      ls.some((l) => l.id === updated.id)
        ? ls.map((l) => (l.id === updated.id ? updated : l))
        : [...ls, updated],
    );

  const act = async (l: ListenerStatusDto, action: 'start' | 'stop' | 'remove') => {
    setBusy((b) => ({ ...b, [l.id]: action }));
    setRowErrors(({ [l.id]: _, ...rest }) => rest);
    try {
      if (action === 'remove') {
        await api().call('listeners.remove', { id: l.id });
        setListeners((ls) => ls.filter((x) => x.id !== l.id));
        setConfirmRemove(undefined);
      } else {
        replace(await api().call(action === 'start' ? 'listeners.start' : 'listeners.stop', { id: l.id }));
      }
    } catch (err) {
      setRowErrors((e) => ({ ...e, [l.id]: errorMessage(err) }));
    } finally {
      setBusy(({ [l.id]: _, ...rest }) => rest);
    }
  };

  return (
    <section className="panel brk-listeners" aria-labelledby="brk-listeners-title">
      <header className="panel-header">
        <h2 id="brk-listeners-title">Listeners</h2>
        <button
          type="button"
          onClick={() => setEditing(editing === 'new' ? undefined : 'new')}
          aria-expanded={editing === 'new'}
          data-testid="add-listener"
        >
          Add listener
        </button>
      </header>
      <ErrorNote message={initial.error} />
      {editing === 'new' ? (
        <ListenerForm
          onDone={(saved) => {
            if (saved) replace(saved);
            setEditing(undefined);
          }}
        />
      ) : null}
      <div className="brk-scroll-x">
        <table className="grid brk-listener-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Address</th>
              <th>Bound port</th>
              <th>State</th>
              <th>TLS</th>
              <th className="num">Clients</th>
              <th className="num">In</th>
              <th className="num">Out</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listeners.length === 0 ? (
              <tr>
                <td colSpan={9} className="muted">
                  {initial.loading ? 'Loading…' : 'No listeners. Add one to accept MQTT connections.'}
                </td>
              </tr>
            ) : null}
            {listeners.map((l) => {
              const running = l.state === 'running' || l.state === 'starting';
              const action = busy[l.id];
              return (
                <Fragment key={l.id}>
                  <tr data-testid="listener-row" data-listener-id={l.id} data-kind={l.kind}>
                    <td>
                      <strong>{l.kind}</strong>
                      {l.ephemeral ? (
                        <span className="brk-tag" title="From command-line flags; not saved">
                          flag
                        </span>
                      ) : null}
                    </td>
                    <td className="mono">{address(l)}</td>
                    <td className="mono" data-testid="listener-port">
                      {l.boundPort ?? '–'}
                    </td>
                    <td>
                      <StateBadge listener={l} />
                    </td>
                    <td className="small" title={l.tlsSummary}>
                      {l.tlsSummary ? (
                        <span className="brk-tls-text">
                          <span className="brk-tls-line">{l.tlsSummary}</span>
                          <span className="brk-tls-line muted">
                            ≥{l.options.minTlsVersion.replace('TLSv', 'TLS ')}
                            {l.options.requireSni ? ' · SNI required' : ''}
                            {l.options.alpnProtocols.length
                              ? ` · ALPN ${l.options.alpnProtocols.join(',')}`
                              : ''}
                          </span>
                        </span>
                      ) : (
                        <span className="muted">{l.kind === 'mqtt' || l.kind === 'ws' ? 'plain' : '–'}</span>
                      )}
                    </td>
                    <td
                      className="num"
                      data-testid="listener-clients"
                      title={`${l.totalConnections} connections so far, ${l.refusedConnections} refused`}
                    >
                      {l.connectedClients}
                      {l.options.maxConnections ? (
                        <span className="muted"> / {l.options.maxConnections}</span>
                      ) : null}
                    </td>
                    <td className="num">{formatBytes(l.bytesIn)}</td>
                    <td className="num">{formatBytes(l.bytesOut)}</td>
                    <td>
                      <div className="brk-actions">
                        {running ? (
                          <button
                            type="button"
                            disabled={!!action}
                            onClick={() => void act(l, 'stop')}
                            aria-label={`Stop ${l.kind} listener ${l.id}`}
                          >
                            {action === 'stop' ? 'Stopping…' : 'Stop'}
                          </button>
                        ) : (
                          <button
                            type="button"
                            disabled={!!action}
                            onClick={() => void act(l, 'start')}
                            aria-label={`Start ${l.kind} listener ${l.id}`}
                          >
                            {action === 'start' ? 'Starting…' : 'Start'}
                          </button>
                        )}
                        <button
                          type="button"
                          onClick={() => setEditing(editing === l.id ? undefined : l.id)}
                          aria-expanded={editing === l.id}
                          aria-label={`Edit ${l.kind} listener ${l.id}`}
                        >
                          Edit
                        </button>
                        {confirmRemove === l.id ? (
                          <>
                            <button
                              type="button"
                              className="danger"
                              disabled={!!action}
                              onClick={() => void act(l, 'remove')}
                            >
                              Remove {l.kind}?
                            </button>
                            <button type="button" onClick={() => setConfirmRemove(undefined)}>
                              Keep
                            </button>
                          </>
                        ) : (
                          <button
                            type="button"
                            onClick={() => setConfirmRemove(l.id)}
                            aria-label={`Remove ${l.kind} listener ${l.id}`}
                          >
                            Remove
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                  {l.state === 'error' && l.error ? (
                    <tr className="brk-subrow">
                      <td colSpan={9}>
                        <div className="error-note" role="alert" data-testid="listener-error">
                          {l.error}
                        </div>
                      </td>
                    </tr>
                  ) : null}
                  {rowErrors[l.id] ? (
                    <tr className="brk-subrow">
                      <td colSpan={9}>
                        <ErrorNote message={rowErrors[l.id]} />
                      </td>
                    </tr>
                  ) : null}
                  {editing === l.id ? (
                    <tr className="brk-subrow">
                      <td colSpan={9}>
                        <ListenerForm
                          listener={l}
                          onDone={(saved) => {
                            if (saved) replace(saved);
                            setEditing(undefined);
                          }}
                        />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
