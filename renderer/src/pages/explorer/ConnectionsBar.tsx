import { useEffect, useState } from 'react';
import type { ExplorerConnectionError } from '../../../../preload/contract/explorer';
import { ApiCallError } from '../../api/api-call-error';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { Sparkline } from '../../components/Sparkline';
import { formatRate } from '../../format';
import { refreshConnections, retainConnections, useConnections } from './connections-store';
import { ProfileEditor } from './ProfileEditor';

/** The certificate chain the server presented, leaf first, shown with a TLS failure. */
function ServerChain({ chain }: { chain: NonNullable<ExplorerConnectionError['serverChain']> }) {
  return (
    <details className="server-chain" open>
      <summary>Certificate chain presented by the server ({chain.length})</summary>
      <ol>
        {chain.map((c) => (
          <li key={c.fingerprint256}>
            <div>
              <strong>Subject:</strong> <span className="mono">{c.subject}</span>
            </div>
            <div>
              <strong>Issuer:</strong> <span className="mono">{c.issuer}</span>
            </div>
            <div className="muted">
              Valid {c.validFrom} – {c.validTo}
              {c.subjectAltName ? ` · ${c.subjectAltName}` : ''}
            </div>
            <div className="muted mono small">SHA-256 {c.fingerprint256}</div>
          </li>
        ))}
      </ol>
    </details>
  );
}

/** A connection error in plain words, with the server's chain when TLS failed. */
export function ConnectionErrorView({ error }: { error: ExplorerConnectionError }) {
  return (
    <div className="error-note connection-error" role="alert" data-testid="connection-error">
      <div>
        <strong>{error.kind === 'tls' ? 'TLS failed: ' : 'Could not connect: '}</strong>
        {error.message}
        {error.code ? <span className="muted"> ({error.code})</span> : null}
      </div>
      {error.serverChain && error.serverChain.length > 0 ? <ServerChain chain={error.serverChain} /> : null}
    </div>
  );
}

function asConnectionError(err: unknown): ExplorerConnectionError | undefined {
  if (err instanceof ApiCallError && err.details && typeof err.details === 'object') {
    const d = err.details as Partial<ExplorerConnectionError> & { error?: ExplorerConnectionError };
    if (d.kind && d.message) return d as ExplorerConnectionError;
    if (d.error?.kind) return d.error;
  }
  return undefined;
}

const STATE_LABEL: Record<string, string> = {
  idle: 'not connected',
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  error: 'error',
  closed: 'closed',
};

/** Connections across the top of the Explorer and Traffic pages: pick, open, close, edit profiles. */
export function ConnectionsBar({ showEditor = true }: { showEditor?: boolean }) {
  const { connections, selectedId, select, rates, error } = useConnections();
  const [editing, setEditing] = useState(false);
  const action = useMutation();
  const [openError, setOpenError] = useState<ExplorerConnectionError>();
  useEffect(() => retainConnections(), []);

  const selected = connections.find((c) => c.id === selectedId);
  const close = async (id: string) => {
    await action.run('explorer.connections.close', { connectionId: id });
    void refreshConnections();
  };

  return (
    <div className="connections-bar" data-testid="connections-bar">
      <div className="connection-chips" role="tablist" aria-label="Connections">
        {connections.map((c) => (
          <button
            type="button"
            role="tab"
            key={c.id}
            aria-selected={c.id === selectedId}
            className={`connection-chip state-${c.state}`}
            data-testid={`connection-${c.id}`}
            onClick={() => select(c.id)}
            title={`${c.name}: ${STATE_LABEL[c.state] ?? c.state}, ${c.messages} messages, ${c.topics} topics`}
          >
            <span className="state-dot" aria-hidden="true" />
            <span className="chip-name">{c.kind === 'local' ? 'Embedded broker' : c.name}</span>
            <span className="chip-rate muted">{formatRate(rates[c.id]?.at(-1) ?? 0)}</span>
            {c.dropped ? (
              <span
                className="chip-dropped"
                data-testid={`connection-${c.id}-dropped`}
                title={`${c.dropped} messages not recorded: they arrived faster than the explorer samples`}
              >
                {c.dropped} dropped
              </span>
            ) : null}
            <Sparkline
              values={rates[c.id] ?? []}
              width={56}
              height={18}
              label={`Message rate of ${c.name}`}
            />
          </button>
        ))}
      </div>
      <div className="connections-actions">
        {selected && selected.kind === 'external' ? (
          selected.state === 'connected' ||
          selected.state === 'connecting' ||
          selected.state === 'reconnecting' ? (
            <button type="button" onClick={() => close(selected.id)} disabled={action.busy}>
              Disconnect
            </button>
          ) : null
        ) : null}
        {showEditor ? (
          <button
            type="button"
            onClick={() => setEditing((e) => !e)}
            aria-expanded={editing}
            data-testid="profiles-toggle"
          >
            {editing ? 'Hide profiles' : 'Connections…'}
          </button>
        ) : null}
      </div>
      <ErrorNote message={error ?? action.error} />
      {selected?.error && selected.state === 'error' ? <ConnectionErrorView error={selected.error} /> : null}
      {openError && !(selected?.error && selected.state === 'error') ? (
        <ConnectionErrorView error={openError} />
      ) : null}
      {editing ? (
        <ProfileEditor
          onOpened={(id) => {
            setOpenError(undefined);
            select(id);
          }}
          onOpenFailed={(err) => {
            const structured = asConnectionError(err);
            setOpenError(structured);
            return structured !== undefined;
          }}
        />
      ) : null}
    </div>
  );
}
