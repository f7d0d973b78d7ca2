import {
  type ListenerStatusDto,
  listenerKinds,
  listenerMethods,
} from '../../../../preload/contract/listeners';
import { useMutation } from '../../api/hooks';
import { CheckboxField, ErrorNote, SelectField, TextField, useContractForm } from '../../components';

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
  origins: string;
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
    origins: listener?.options.allowedOrigins.join(', ') ?? '',
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
    ...(isWs(d.kind)
      ? {
          wsPath: d.wsPath,
          allowedOrigins: d.origins
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/** The request the draft stands for; `listener` set means an update of it. */
function requestOf(d: Draft, listener: ListenerStatusDto | undefined) {
  const common = { host: d.host, port: toNumber(d.port), enabled: d.enabled, options: optionsOf(d) };
  return listener ? { id: listener.id, ...common } : { kind: d.kind, ...common };
}

/** Issue path → draft field: options are edited at the top level, ALPN and origins as comma-separated fields. */
function fieldOf(path: readonly PropertyKey[]): string {
  const field = path.filter((p) => p !== 'options').map(String)[0] ?? '';
  return field === 'alpnProtocols' ? 'alpn' : field === 'allowedOrigins' ? 'origins' : field;
}

/** Adds a listener, or edits one; validates with the contract's schemas as the user types. */
export function ListenerForm({
  listener,
  onDone,
}: {
  listener?: ListenerStatusDto;
  onDone(saved?: ListenerStatusDto): void;
}) {
  const form = useContractForm({
    schema: listener
      ? listenerMethods['listeners.update'].request
      : listenerMethods['listeners.create'].request,
    initial: () => draftFrom(listener),
    toRequest: (d: Draft) => requestOf(d, listener),
    fieldOf,
  });
  const { run, busy, error } = useMutation();
  const d = form.draft;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!form.submit()) return;
    const common = { host: d.host, port: toNumber(d.port), enabled: d.enabled, options: optionsOf(d) };
    const saved = listener
      ? await run('listeners.update', { id: listener.id, ...common })
      : await run('listeners.create', { kind: d.kind, ...common });
    if (saved) onDone(saved);
  };

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
      <div className="ui-form-grid">
        <SelectField label="Kind" {...form.bind('kind')} options={listenerKinds} disabled={!!listener} />
        <TextField
          label="Host"
          {...form.bind('host')}
          hint="127.0.0.1 for this machine only; 0.0.0.0 for all interfaces"
        />
        <TextField
          label="Port"
          {...form.bind('port')}
          placeholder="1883"
          hint="0 picks a free port"
          inputProps={{ inputMode: 'numeric' }}
        />
        <TextField
          label="Max connections"
          {...form.bind('maxConnections')}
          hint="0 = unlimited"
          inputProps={{ inputMode: 'numeric' }}
        />
        {isTls(d.kind) ? (
          <>
            <SelectField
              label="Minimum TLS version"
              {...form.bind('minTlsVersion')}
              options={[
                { value: 'TLSv1.2', label: 'TLS 1.2' },
                { value: 'TLSv1.3', label: 'TLS 1.3' },
              ]}
            />
            <TextField
              label="ALPN protocols"
              {...form.bind('alpn')}
              placeholder="mqtt, x-amzn-mqtt-ca"
              hint="comma-separated, in preference order; empty = no ALPN"
            />
            <CheckboxField
              label="Require SNI (refuse clients that send no server name)"
              checked={d.requireSni}
              onChange={(v) => form.set('requireSni', v)}
            />
          </>
        ) : null}
        {isWs(d.kind) ? (
          <>
            <TextField label="WebSocket path" {...form.bind('wsPath')} />
            <TextField
              label="Allowed browser origins"
              {...form.bind('origins')}
              placeholder="https://dashboard.example:8443"
              hint="comma-separated browser origins besides Fieldbench's own UI; * allows any; devices send none and are always allowed"
            />
          </>
        ) : null}
        <CheckboxField
          label="Enabled (start now and at launch)"
          checked={d.enabled}
          onChange={(v) => form.set('enabled', v)}
        />
      </div>
      <ErrorNote message={error} />
      <div className="brk-form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : listener ? 'Save and restart' : 'Add listener'}
        </button>
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
        {form.submitted && !form.valid ? (
          <span className="brk-bad small">Fix the highlighted fields.</span>
        ) : null}
      </div>
    </form>
  );
}
