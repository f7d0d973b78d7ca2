import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MethodName, RequestOf, ResponseOf } from '../../../../preload/contract';
import type { GatewayDevice } from '../../../../preload/contract/gateways';
import { ApiCallError, errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { type SeriesData, SeriesChart } from '../explorer/SeriesChart';
import { KeysPanel } from './KeysPanel';

type Detail = ResponseOf<'gateways.getDevice'>;

/** Numeric fields of recent events, one series per field. */
function seriesOf(detail: Detail): SeriesData {
  const fields = new Set<string>();
  for (const e of detail.events) for (const f of Object.keys(e.numbers ?? {})) fields.add(f);
  const withNumbers = detail.events.filter((e) => e.numbers);
  return {
    times: withNumbers.map((e) => e.at),
    series: [...fields].slice(0, 8).map((field) => ({
      field,
      values: withNumbers.map((e) => e.numbers?.[field] ?? null),
    })),
  };
}

export function DeviceDetail({
  accountId,
  registryId,
  deviceId,
  revision,
  gateways,
}: {
  accountId: string;
  registryId: string;
  deviceId: string;
  /** Bumped on live updates: the detail refetches (at most once a second). */
  revision: number;
  gateways: GatewayDevice[];
}) {
  const [detail, setDetail] = useState<Detail>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const [config, setConfig] = useState('');
  const [command, setCommand] = useState('');
  const [subfolder, setSubfolder] = useState('');
  const [bindTo, setBindTo] = useState('');
  const ref = { accountId, registryId, deviceId };

  const lastFetch = useRef(0);
  const scheduled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const current = useRef(ref);
  current.current = ref;

  const fetchNow = useCallback(() => {
    scheduled.current = undefined;
    lastFetch.current = Date.now();
    const request = current.current;
    api()
      .call('gateways.getDevice', request)
      .then(
        (d) => current.current.deviceId === request.deviceId && setDetail(d),
        (err) => setError(errorMessage(err)),
      );
  }, []);

  // A new device or an operator action fetches at once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: these are the refetch triggers.
  useEffect(() => {
    clearTimeout(scheduled.current);
    fetchNow();
  }, [accountId, registryId, deviceId, generation, fetchNow]);

  // Live updates: at most one fetch a second, however often they arrive (throttled, not debounced).
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision is the trigger.
  useEffect(() => {
    if (scheduled.current !== undefined) return;
    const wait = Math.max(0, lastFetch.current + 1000 - Date.now());
    scheduled.current = setTimeout(fetchNow, wait);
  }, [revision, fetchNow]);

  useEffect(() => () => clearTimeout(scheduled.current), []);

  const series = useMemo(() => (detail ? seriesOf(detail) : undefined), [detail]);

  async function run<T>(work: () => Promise<T>, done?: string): Promise<T | undefined> {
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await work();
      if (done) setNotice(done);
      setGeneration((g) => g + 1);
      return result;
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    }
  }

  if (!detail || detail.device.deviceId !== deviceId) return <aside className="gw-detail">Loading…</aside>;
  const d = detail.device;
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => api().call(method, request);
  return (
    <aside className="gw-detail" data-testid="device-detail">
      <h2>
        {d.deviceId} <span className="gw-badge">{d.kind}</span>
      </h2>
      <p data-testid="detail-status">
        {d.connected
          ? 'Connected'
          : d.attachedTo.length
            ? `Attached via ${d.attachedTo.join(', ')}`
            : 'Offline'}
        {' · '}
        <span data-testid="detail-config">
          config v{d.configVersion}, acknowledged v{d.configAckedVersion}
        </span>
        {d.authMethod ? ` · auth: ${d.authMethod}` : ''}
      </p>
      <ErrorNote message={error} />
      {notice ? (
        <p className="gw-notice" data-testid="detail-notice">
          {notice}
        </p>
      ) : null}
      <div className="gw-actions">
        <button
          type="button"
          data-testid="toggle-block"
          onClick={() => run(() => call('gateways.updateDevice', { ...ref, blocked: !d.blocked }))}
        >
          {d.blocked ? 'Unblock' : 'Block'}
        </button>
        <button type="button" onClick={() => run(() => call('gateways.disconnect', ref), 'Disconnected')}>
          Disconnect
        </button>
        <button
          type="button"
          data-testid="delete-device"
          onClick={() =>
            run(async () => {
              try {
                return await call('gateways.deleteDevice', ref);
              } catch (err) {
                // Online devices need a confirmation: deleting disconnects and detaches them.
                if (
                  err instanceof ApiCallError &&
                  err.code === 'CONFLICT' &&
                  window.confirm(`${err.message}?`)
                ) {
                  return call('gateways.deleteDevice', { ...ref, force: true });
                }
                throw err;
              }
            }, 'Deleted')
          }
        >
          Delete
        </button>
      </div>

      {series && series.series.length > 0 ? (
        <section className="gw-section">
          <h3>Recent events</h3>
          <SeriesChart data={series} height={160} />
        </section>
      ) : null}
      <section className="gw-section">
        <h3>Events ({detail.events.length})</h3>
        <ul className="gw-history" data-testid="event-history">
          {detail.events
            .slice(-10)
            .reverse()
            .map((e) => (
              <li key={`${e.at}-${e.preview.text}`}>
                {new Date(e.at).toLocaleTimeString()} {e.subfolder ? `[${e.subfolder}] ` : ''}
                <code>{e.preview.text}</code>
              </li>
            ))}
        </ul>
        <h3>State history ({detail.states.length})</h3>
        <ul className="gw-history">
          {detail.states
            .slice(-10)
            .reverse()
            .map((s) => (
              <li key={`${s.at}-${s.preview.text}`}>
                {new Date(s.at).toLocaleTimeString()} <code>{s.preview.text}</code>
              </li>
            ))}
        </ul>
      </section>

      <section className="gw-section">
        <h3>Config</h3>
        {detail.config ? (
          <p>
            Current: <code>{detail.config.text}</code>
          </p>
        ) : (
          <p>No config yet.</p>
        )}
        <textarea
          data-testid="config-input"
          rows={3}
          value={config}
          onChange={(e) => setConfig(e.target.value)}
        />
        <button
          type="button"
          data-testid="send-config"
          onClick={() =>
            run(() => call('gateways.updateConfig', { ...ref, payload: config }), 'Config stored and sent')
          }
        >
          Send config
        </button>
      </section>
      <section className="gw-section">
        <h3>Command</h3>
        <input
          placeholder="subfolder (optional)"
          value={subfolder}
          onChange={(e) => setSubfolder(e.target.value)}
        />
        <input
          data-testid="command-input"
          placeholder="payload"
          value={command}
          onChange={(e) => setCommand(e.target.value)}
        />
        <button
          type="button"
          data-testid="send-command"
          onClick={() =>
            run(
              () =>
                call('gateways.sendCommand', {
                  ...ref,
                  payload: command,
                  ...(subfolder ? { subfolder } : {}),
                }),
              'Command sent',
            )
          }
        >
          Send command
        </button>
      </section>
      {d.kind === 'device' ? (
        <section className="gw-section">
          <h3>Bound to</h3>
          <ul>
            {d.bindings.map((g) => (
              <li key={g}>
                {g}{' '}
                <button
                  type="button"
                  onClick={() =>
                    run(() => call('gateways.unbind', { accountId, registryId, gatewayId: g, deviceId }))
                  }
                >
                  Unbind
                </button>
              </li>
            ))}
          </ul>
          <select value={bindTo} onChange={(e) => setBindTo(e.target.value)} data-testid="bind-select">
            <option value="">Bind to gateway…</option>
            {gateways
              .filter((g) => !d.bindings.includes(g.deviceId))
              .map((g) => (
                <option key={g.deviceId} value={g.deviceId}>
                  {g.deviceId}
                </option>
              ))}
          </select>
          <button
            type="button"
            disabled={!bindTo}
            onClick={() =>
              run(() => call('gateways.bind', { accountId, registryId, gatewayId: bindTo, deviceId }))
            }
          >
            Bind
          </button>
        </section>
      ) : null}
      <KeysPanel
        device={d}
        run={(work) => run(work)}
        call={{
          addKey: (pem) => call('gateways.addKey', { ...ref, key: { pem } }),
          removeKey: (keyId) => call('gateways.removeKey', { ...ref, keyId }),
          generateKey: (algorithm) => call('gateways.generateKey', { ...ref, algorithm }),
        }}
      />
    </aside>
  );
}
