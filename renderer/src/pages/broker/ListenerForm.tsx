import { useId, useState } from 'react';
import {
  type ListenerStatusDto,
  listenerKinds,
  listenerMethods,
} from '../../../../preload/contract/listeners';
import { useApiAction } from '../../api/hooks';
import { ErrorNote } from '../../components/ErrorNote';

type Kind = (typeof listenerKinds)[number];

interface Draft {
  kind: Kind;
  host: string;
  port: string;
  enabled: boolean;
  maxConnections: string;
  minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  alpn: string;
  requireSni: boolean;
  wsPath: string;
}

const isTls = (kind: Kind) => kind === 'mqtts' || kind === 'mqtts-mutual' || kind === 'wss';
const isWs = (kind: Kind) => kind === 'ws' || kind === 'wss';

function draftFrom(listener?: ListenerStatusDto): Draft {
  return {
    kind: listener?.kind ?? 'mqtt',
    host: listener?.host ?? '127.0.0.1',
    port: listener ? String(listener.port) : '',
    enabled: listener?.enabled ?? true,
    maxConnections: String(listener?.options.maxConnections ?? 0),
    minTlsVersion: (listener?.options.minTlsVersion as Draft['minTlsVersion']) ?? 'TLSv1.2',
    alpn: listener?.options.alpnProtocols.join(', ') ?? '',
    requireSni: listener?.options.requireSni ?? false,
    wsPath: listener?.options.wsPath ?? '/mqtt',
  };
}

function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function optionsOf(d: Draft) {
  return {
    maxConnections: toNumber(d.maxConnections),
    ...(isTls(d.kind)
      ? {
          minTlsVersion: d.minTlsVersion,
          alpnProtocols: d.alpn
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          requireSni: d.requireSni,
        }
      : {}),
    ...(isWs(d.kind) ? { wsPath: d.wsPath } : {}),
  };
}

/** Field path → first message, from the contract's own schema. */
function validate(d: Draft, editing: ListenerStatusDto | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  const result = editing
    ? listenerMethods['listeners.update'].request.safeParse({
        id: editing.id,
        host: d.host,
        port: toNumber(d.port),
        enabled: d.enabled,
        options: optionsOf(d),
      })
    : listenerMethods['listeners.create'].request.safeParse({
        kind: d.kind,
        host: d.host,
        port: toNumber(d.port),
        enabled: d.enabled,
        options: optionsOf(d),
      });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p) => p !== 'options').join('.');
      const field = path.startsWith('alpnProtocols') ? 'alpnProtocols' : path;
      const message =
        issue.code === 'invalid_type' && issue.expected === 'number'
          ? 'a whole number is required'
          : issue.message;
      errors[field] ??= message;
    }
  }
  return errors;
}

/** Adds a listener, or edits one; validates with the contract's schemas as the user types. */
export function ListenerForm({
  listener,
  onDone,
}: {
  listener?: ListenerStatusDto;
  onDone(saved?: ListenerStatusDto): void;
}) {
  const [draft, setDraft] = useState(() => draftFrom(listener));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const { run, busy, error } = useApiAction();
  const errors = validate(draft, listener);
  const id = useId();
  // Errors show while typing once a field has been changed (and for every field after a submit).
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => ({ ...t, [key === 'alpn' ? 'alpnProtocols' : key]: true }));
  };
  // Agents written for the ALPN port (443) negotiate `x-amzn-mqtt-ca` and send a server name.
  const applyAlpnPreset = () => {
    setDraft((d) => ({ ...d, kind: 'mqtts-mutual', port: '443', alpn: 'x-amzn-mqtt-ca', requireSni: true }));
    setTouched((t) => ({ ...t, kind: true, port: true, alpnProtocols: true }));
  };
  const show = (field: string) => (submitted || touched[field] ? errors[field] : undefined);
  const touch = (field: string) => () => setTouched((t) => ({ ...t, [field]: true }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    const common = {
      host: draft.host,
      port: toNumber(draft.port),
      enabled: draft.enabled,
      options: optionsOf(draft),
    };
    const saved = listener
      ? await run('listeners.update', { id: listener.id, ...common })
      : await run('listeners.create', { kind: draft.kind, ...common });
    if (saved) onDone(saved);
  };

  const field = (name: string, label: string, input: React.ReactNode, hint?: string) => (
    <div className={`brk-field${show(name) ? ' invalid' : ''}`}>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input}
      {show(name) ? (
        <span className="brk-field-error" id={`${id}-${name}-error`} role="alert">
          {show(name)}
        </span>
      ) : hint ? (
        <span className="muted small">{hint}</span>
      ) : null}
    </div>
  );
  const aria = (name: string) => ({
    id: `${id}-${name}`,
    'aria-invalid': show(name) ? true : undefined,
    'aria-describedby': show(name) ? `${id}-${name}-error` : undefined,
    onBlur: touch(name),
  });

  return (
    <form
      className="brk-listener-form panel"
      onSubmit={submit}
      aria-label={listener ? `Edit listener ${listener.id}` : 'Add a listener'}
      data-testid="listener-form"
      noValidate
    >
      <h3>{listener ? `Edit ${listener.kind} listener` : 'Add a listener'}</h3>
      {listener?.ephemeral ? (
        <p className="muted small">
          This listener comes from command-line flags: changes apply to this run only and are not saved.
        </p>
      ) : null}
      {listener ? null : (
        <p className="muted small">
          <button type="button" data-testid="listener-preset-alpn" onClick={applyAlpnPreset}>
            ALPN port preset
          </button>{' '}
          mutual TLS on 443 with ALPN <code>x-amzn-mqtt-ca</code> and SNI required, as agents that dial the
          ALPN port expect.
        </p>
      )}
      <div className="brk-form-grid">
        {field(
          'kind',
          'Kind',
          <select
            {...aria('kind')}
            value={draft.kind}
            disabled={!!listener}
            onChange={(e) => set('kind', e.target.value as Kind)}
          >
            {listenerKinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>,
        )}
        {field(
          'host',
          'Host',
          <input {...aria('host')} value={draft.host} onChange={(e) => set('host', e.target.value)} />,
          '127.0.0.1 for this machine only; 0.0.0.0 for all interfaces',
        )}
        {field(
          'port',
          'Port',
          <input
            {...aria('port')}
            inputMode="numeric"
            value={draft.port}
            placeholder="1883"
            onChange={(e) => set('port', e.target.value)}
          />,
          '0 picks a free port',
        )}
        {field(
          'maxConnections',
          'Max connections',
          <input
            {...aria('maxConnections')}
            inputMode="numeric"
            value={draft.maxConnections}
            onChange={(e) => set('maxConnections', e.target.value)}
          />,
          '0 = unlimited',
        )}
        {isTls(draft.kind) ? (
          <>
            {field(
              'minTlsVersion',
              'Minimum TLS version',
              <select
                {...aria('minTlsVersion')}
                value={draft.minTlsVersion}
                onChange={(e) => set('minTlsVersion', e.target.value as Draft['minTlsVersion'])}
              >
                <option value="TLSv1.2">TLS 1.2</option>
                <option value="TLSv1.3">TLS 1.3</option>
              </select>,
            )}
            {field(
              'alpnProtocols',
              'ALPN protocols',
              <input
                {...aria('alpnProtocols')}
                value={draft.alpn}
                placeholder="mqtt, x-amzn-mqtt-ca"
                onChange={(e) => set('alpn', e.target.value)}
              />,
              'comma-separated, in preference order; empty = no ALPN',
            )}
            <div className="brk-field brk-check">
              <label>
                <input
                  type="checkbox"
                  checked={draft.requireSni}
                  onChange={(e) => set('requireSni', e.target.checked)}
                />{' '}
                Require SNI (refuse clients that send no server name)
              </label>
            </div>
          </>
        ) : null}
        {isWs(draft.kind)
          ? field(
              'wsPath',
              'WebSocket path',
              <input
                {...aria('wsPath')}
                value={draft.wsPath}
                onChange={(e) => set('wsPath', e.target.value)}
              />,
            )
          : null}
        <div className="brk-field brk-check">
          <label>
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set('enabled', e.target.checked)}
            />{' '}
            Enabled (start now and at launch)
          </label>
        </div>
      </div>
      <ErrorNote message={error} />
      <div className="brk-form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : listener ? 'Save and restart' : 'Add listener'}
        </button>
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
        {submitted && Object.keys(errors).length > 0 ? (
          <span className="brk-bad small">Fix the highlighted fields.</span>
        ) : null}
      </div>
    </form>
  );
}
