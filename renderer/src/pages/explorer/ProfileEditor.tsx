import { useState } from 'react';
import type { ExplorerProfile, ExplorerProfileInput } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { refreshConnections, useConnections } from './connections-store';
import { downloadBlob, topicFilterProblem } from './util';

type Protocol = 'mqtt' | 'mqtts' | 'ws' | 'wss';
const DEFAULT_PORTS: Record<Protocol, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

interface Form {
  id?: string;
  name: string;
  protocol: Protocol;
  host: string;
  port: string;
  path: string;
  mqttVersion: '4' | '5';
  clientId: string;
  username: string;
  password: string;
  clearPassword: boolean;
  keepAlive: string;
  cleanStart: boolean;
  caPem: string;
  certPem: string;
  keyPem: string;
  clearKey: boolean;
  passphrase: string;
  servername: string;
  alpn: string;
  insecure: boolean;
  subscriptions: { filter: string; qos: 0 | 1 | 2 }[];
  hasPassword: boolean;
  hasKey: boolean;
  hasPassphrase: boolean;
}

const EMPTY: Form = {
  name: '',
  protocol: 'mqtt',
  host: '127.0.0.1',
  port: '1883',
  path: '/mqtt',
  mqttVersion: '5',
  clientId: '',
  username: '',
  password: '',
  clearPassword: false,
  keepAlive: '60',
  cleanStart: true,
  caPem: '',
  certPem: '',
  keyPem: '',
  clearKey: false,
  passphrase: '',
  servername: '',
  alpn: '',
  insecure: false,
  subscriptions: [{ filter: '#', qos: 0 }],
  hasPassword: false,
  hasKey: false,
  hasPassphrase: false,
};

function fromProfile(p: ExplorerProfile): Form {
  return {
    ...EMPTY,
    id: p.id,
    name: p.name,
    protocol: p.protocol,
    host: p.host,
    port: String(p.port),
    path: p.path ?? '/mqtt',
    mqttVersion: p.mqttVersion === 4 ? '4' : '5',
    clientId: p.clientId ?? '',
    username: p.username ?? '',
    keepAlive: String(p.keepAliveSeconds),
    cleanStart: p.cleanStart,
    caPem: p.caPem ?? '',
    certPem: p.certPem ?? '',
    servername: p.servername ?? '',
    alpn: (p.alpn ?? []).join(', '),
    insecure: p.insecureSkipVerify,
    subscriptions: p.subscriptions.map((s) => ({ filter: s.filter, qos: s.qos })),
    hasPassword: p.hasPassword,
    hasKey: p.hasKey,
    hasPassphrase: p.hasPassphrase,
  };
}

const PEM_RE = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/;

/** Field-by-field problems, recomputed as the user types. */
function validate(f: Form): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!f.name.trim()) problems.name = 'Give the profile a name.';
  if (!f.host.trim()) problems.host = 'Enter the broker host name or address.';
  else if (/[\s/]|:\/\//.test(f.host)) problems.host = 'Only the host name, without scheme, port or path.';
  const port = Number(f.port);
  if (f.port !== '' && (!Number.isInteger(port) || port < 1 || port > 65535))
    problems.port = 'A port is a whole number from 1 to 65535.';
  const ka = Number(f.keepAlive);
  if (!Number.isInteger(ka) || ka < 0 || ka > 65535) problems.keepAlive = 'Keep alive is 0 to 65535 seconds.';
  for (const [key, label] of [
    ['caPem', 'CA certificate'],
    ['certPem', 'Client certificate'],
    ['keyPem', 'Private key'],
  ] as const) {
    if (f[key].trim() && !PEM_RE.test(f[key]))
      problems[key] = `${label} must be PEM text (-----BEGIN …-----).`;
  }
  if (f.certPem.trim() && !f.keyPem.trim() && !f.hasKey)
    problems.keyPem = 'A client certificate needs its private key.';
  f.subscriptions.forEach((s, i) => {
    const p = topicFilterProblem(s.filter);
    if (p) problems[`sub${i}`] = p;
  });
  if ((f.protocol === 'ws' || f.protocol === 'wss') && f.path && !f.path.startsWith('/'))
    problems.path = 'The path starts with /.';
  return problems;
}

function toInput(f: Form): ExplorerProfileInput {
  const tls = f.protocol === 'mqtts' || f.protocol === 'wss';
  const input: ExplorerProfileInput = {
    name: f.name.trim(),
    protocol: f.protocol,
    host: f.host.trim(),
    port: f.port ? Number(f.port) : DEFAULT_PORTS[f.protocol],
    mqttVersion: f.mqttVersion === '4' ? 4 : 5,
    keepAliveSeconds: Number(f.keepAlive),
    cleanStart: f.cleanStart,
    insecureSkipVerify: tls && f.insecure,
    subscriptions: f.subscriptions,
  };
  if (f.id) input.id = f.id;
  if (f.protocol === 'ws' || f.protocol === 'wss') input.path = f.path || '/mqtt';
  if (f.clientId.trim()) input.clientId = f.clientId.trim();
  if (f.username) input.username = f.username;
  if (f.password) input.password = f.password;
  else if (f.clearPassword) input.password = null;
  if (tls) {
    if (f.caPem.trim()) input.caPem = f.caPem;
    if (f.certPem.trim()) input.certPem = f.certPem;
    if (f.keyPem.trim()) input.keyPem = f.keyPem;
    else if (f.clearKey) input.keyPem = null;
    if (f.passphrase) input.passphrase = f.passphrase;
    if (f.servername.trim()) input.servername = f.servername.trim();
    const alpn = f.alpn
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (alpn.length) input.alpn = alpn;
  }
  return input;
}

function PemField({
  label,
  value,
  onChange,
  problem,
  testId,
  placeholder,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  problem?: string;
  testId: string;
  placeholder?: string;
}) {
  return (
    <label className="field pem-field">
      <span>{label}</span>
      <textarea
        rows={3}
        className="mono"
        value={value}
        placeholder={placeholder ?? '-----BEGIN CERTIFICATE-----'}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
        aria-invalid={problem ? true : undefined}
        spellCheck={false}
      />
      <input
        type="file"
        accept=".pem,.crt,.cer,.key,text/plain"
        aria-label={`${label} from file`}
        data-testid={`${testId}-file`}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (file) onChange(await file.text());
        }}
      />
      {problem ? <span className="field-problem">{problem}</span> : null}
    </label>
  );
}

/** Saved connection profiles: edit, test-connect, import from a URL, export without secrets. */
export function ProfileEditor({
  onOpened,
  onOpenFailed,
}: {
  onOpened(connectionId: string): void;
  /** Returns true when it showed the error itself. */
  onOpenFailed(err: unknown): boolean;
}) {
  const profiles = useQuery('explorer.profiles.list', {});
  const [form, setForm] = useState<Form>(EMPTY);
  const [touched, setTouched] = useState(false);
  const [url, setUrl] = useState('');
  const action = useMutation();
  const [notice, setNotice] = useState<string>();
  const connections = useConnections((s) => s.connections);
  const problems = validate(form);
  const valid = Object.keys(problems).length === 0;
  const tls = form.protocol === 'mqtts' || form.protocol === 'wss';
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setTouched(true);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const show = (key: string) => (touched ? problems[key] : undefined);
  const urlProblem =
    url && !/^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+/.test(url)
      ? 'Use a URL such as mqtts://user@host:8883'
      : undefined;

  const save = async (): Promise<ExplorerProfile | undefined> => {
    setTouched(true);
    if (!valid) return undefined;
    const saved = await action.run('explorer.profiles.save', toInput(form));
    if (saved) {
      setForm(fromProfile(saved));
      setTouched(false);
      setNotice(`Saved "${saved.name}".`);
      profiles.reload();
    }
    return saved;
  };

  const connect = async () => {
    const saved = await save();
    if (saved) await openProfile(saved);
  };

  const openProfile = async (saved: ExplorerProfile) => {
    setNotice(`Connecting to ${saved.host}:${saved.port}…`);
    setOpenMessage(undefined);
    try {
      const info = await api().call('explorer.connections.open', { profileId: saved.id });
      setNotice(`Connected to ${saved.name}.`);
      void refreshConnections();
      onOpened(info.id);
    } catch (err) {
      setNotice(undefined);
      action.clearError();
      void refreshConnections();
      onOpened(saved.id);
      // A structured connection error is shown by the connections bar; anything else here.
      if (!onOpenFailed(err)) setOpenMessage(errorMessage(err));
    }
  };
  const [openMessage, setOpenMessage] = useState<string>();

  const live = connections.find((c) => c.id === form.id && c.state === 'connected');
  const applySubscriptions = async () => {
    if (!live) return;
    const info = await action.run('explorer.subscriptions.set', {
      connectionId: live.id,
      subscriptions: form.subscriptions,
      persist: true,
    });
    if (info) setNotice(`Subscriptions of ${live.name} updated.`);
  };

  const importUrl = async () => {
    if (urlProblem || !url) return;
    const saved = await action.run('explorer.profiles.importUrl', { url });
    if (saved) {
      setForm(fromProfile(saved));
      setUrl('');
      profiles.reload();
      setNotice(`Imported "${saved.name}".`);
    }
  };

  const exportAll = async () => {
    const res = await action.run('explorer.profiles.export', {});
    if (res) downloadBlob('fieldbench-profiles.json', res.json, 'application/json');
  };

  const remove = async () => {
    if (!form.id) return;
    if (!window.confirm(`Delete the profile "${form.name}"?`)) return;
    const ok = await action.run('explorer.profiles.delete', { profileId: form.id });
    if (ok) {
      setForm(EMPTY);
      profiles.reload();
      void refreshConnections();
    }
  };

  return (
    <section className="panel profile-editor" aria-label="Connection profiles" data-testid="profile-editor">
      <div className="profile-list">
        <h2>Profiles</h2>
        <ul>
          {(profiles.data?.profiles ?? []).map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className={form.id === p.id ? 'link selected' : 'link'}
                onClick={() => {
                  setForm(fromProfile(p));
                  setTouched(false);
                  setOpenMessage(undefined);
                }}
              >
                {p.name}
                <span className="muted small">
                  {' '}
                  {p.protocol}://{p.host}:{p.port}
                </span>
              </button>{' '}
              {connections.some((c) => c.id === p.id && c.state === 'connected') ? (
                <span className="muted small">connected</span>
              ) : (
                <button
                  type="button"
                  className="small"
                  disabled={action.busy}
                  aria-label={`Connect ${p.name}`}
                  onClick={() => void openProfile(p)}
                >
                  Connect
                </button>
              )}
            </li>
          ))}
        </ul>
        <button
          type="button"
          onClick={() => {
            setForm(EMPTY);
            setTouched(false);
          }}
        >
          New profile
        </button>
        <div className="import-url">
          <label className="field">
            <span>Import from URL</span>
            <input
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="mqtts://user@host:8883"
              aria-invalid={urlProblem ? true : undefined}
              data-testid="import-url"
            />
            {urlProblem ? <span className="field-problem">{urlProblem}</span> : null}
          </label>
          <button type="button" onClick={importUrl} disabled={!url || !!urlProblem || action.busy}>
            Import
          </button>
        </div>
        <button type="button" onClick={exportAll} disabled={action.busy}>
          Export (without secrets)
        </button>
        <ErrorNote message={profiles.error} />
      </div>

      <form
        className="profile-form"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <div className="form-grid">
          <label className="field">
            <span>Name</span>
            <input
              value={form.name}
              onChange={(e) => set('name', e.target.value)}
              data-testid="profile-name"
            />
            {show('name') ? <span className="field-problem">{show('name')}</span> : null}
          </label>
          <label className="field">
            <span>Protocol</span>
            <select
              value={form.protocol}
              data-testid="profile-protocol"
              onChange={(e) => {
                const protocol = e.target.value as Protocol;
                setForm((f) => ({
                  ...f,
                  protocol,
                  port:
                    f.port === String(DEFAULT_PORTS[f.protocol]) || !f.port
                      ? String(DEFAULT_PORTS[protocol])
                      : f.port,
                }));
              }}
            >
              <option value="mqtt">mqtt (TCP)</option>
              <option value="mqtts">mqtts (TLS)</option>
              <option value="ws">ws (WebSocket)</option>
              <option value="wss">wss (WebSocket over TLS)</option>
            </select>
          </label>
          <label className="field">
            <span>Host</span>
            <input
              value={form.host}
              onChange={(e) => set('host', e.target.value)}
              data-testid="profile-host"
            />
            {show('host') ? <span className="field-problem">{show('host')}</span> : null}
          </label>
          <label className="field">
            <span>Port</span>
            <input
              value={form.port}
              inputMode="numeric"
              onChange={(e) => set('port', e.target.value)}
              data-testid="profile-port"
              aria-invalid={problems.port ? true : undefined}
            />
            {problems.port ? <span className="field-problem">{problems.port}</span> : null}
          </label>
          {form.protocol === 'ws' || form.protocol === 'wss' ? (
            <label className="field">
              <span>Path</span>
              <input value={form.path} onChange={(e) => set('path', e.target.value)} />
              {problems.path ? <span className="field-problem">{problems.path}</span> : null}
            </label>
          ) : null}
          <label className="field">
            <span>MQTT version</span>
            <select
              value={form.mqttVersion}
              onChange={(e) => set('mqttVersion', e.target.value as '4' | '5')}
            >
              <option value="5">5.0</option>
              <option value="4">3.1.1</option>
            </select>
          </label>
          <label className="field">
            <span>Client id</span>
            <input
              value={form.clientId}
              placeholder="generated"
              onChange={(e) => set('clientId', e.target.value)}
              data-testid="profile-client-id"
            />
          </label>
          <label className="field">
            <span>Username</span>
            <input
              value={form.username}
              autoComplete="off"
              onChange={(e) => set('username', e.target.value)}
              data-testid="profile-username"
            />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              value={form.password}
              autoComplete="new-password"
              placeholder={form.hasPassword ? '(stored — leave empty to keep)' : ''}
              onChange={(e) => set('password', e.target.value)}
              data-testid="profile-password"
            />
            {form.hasPassword ? (
              <label className="check small">
                <input
                  type="checkbox"
                  checked={form.clearPassword}
                  onChange={(e) => set('clearPassword', e.target.checked)}
                />
                forget stored password
              </label>
            ) : null}
          </label>
          <label className="field">
            <span>Keep alive (s)</span>
            <input
              value={form.keepAlive}
              inputMode="numeric"
              onChange={(e) => set('keepAlive', e.target.value)}
            />
            {problems.keepAlive ? <span className="field-problem">{problems.keepAlive}</span> : null}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.cleanStart}
              onChange={(e) => set('cleanStart', e.target.checked)}
            />
            Clean start
          </label>
        </div>

        {tls ? (
          <fieldset className="tls-fields">
            <legend>TLS</legend>
            <PemField
              label="CA certificate (empty: system trust store)"
              value={form.caPem}
              onChange={(v) => set('caPem', v)}
              problem={show('caPem')}
              testId="profile-ca"
            />
            <PemField
              label="Client certificate"
              value={form.certPem}
              onChange={(v) => set('certPem', v)}
              problem={show('certPem')}
              testId="profile-cert"
            />
            <PemField
              label={form.hasKey ? 'Private key (stored — paste to replace)' : 'Private key'}
              value={form.keyPem}
              onChange={(v) => set('keyPem', v)}
              problem={show('keyPem')}
              testId="profile-key"
              placeholder="-----BEGIN PRIVATE KEY-----"
            />
            <div className="form-grid">
              <label className="field">
                <span>Key passphrase</span>
                <input
                  type="password"
                  value={form.passphrase}
                  autoComplete="off"
                  placeholder={form.hasPassphrase ? '(stored)' : ''}
                  onChange={(e) => set('passphrase', e.target.value)}
                />
              </label>
              <label className="field">
                <span>SNI server name</span>
                <input
                  value={form.servername}
                  placeholder="defaults to the host"
                  onChange={(e) => set('servername', e.target.value)}
                />
              </label>
              <label className="field">
                <span>ALPN protocols</span>
                <input
                  value={form.alpn}
                  placeholder="e.g. mqtt"
                  onChange={(e) => set('alpn', e.target.value)}
                />
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={form.insecure}
                  onChange={(e) => set('insecure', e.target.checked)}
                />
                Accept any server certificate (lab use only)
              </label>
            </div>
          </fieldset>
        ) : null}

        <fieldset className="subscriptions">
          <legend>Subscriptions</legend>
          {form.subscriptions.map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place by position.
            <div className="sub-row" key={i}>
              <input
                value={s.filter}
                aria-label={`Subscription ${i + 1} filter`}
                data-testid={`profile-sub-${i}`}
                onChange={(e) =>
                  set(
                    'subscriptions',
                    form.subscriptions.map((x, j) => (j === i ? { ...x, filter: e.target.value } : x)),
                  )
                }
              />
              <select
                value={s.qos}
                aria-label={`Subscription ${i + 1} QoS`}
                onChange={(e) =>
                  set(
                    'subscriptions',
                    form.subscriptions.map((x, j) =>
                      j === i ? { ...x, qos: Number(e.target.value) as 0 | 1 | 2 } : x,
                    ),
                  )
                }
              >
                <option value={0}>QoS 0</option>
                <option value={1}>QoS 1</option>
                <option value={2}>QoS 2</option>
              </select>
              <button
                type="button"
                aria-label={`Remove subscription ${i + 1}`}
                onClick={() =>
                  set(
                    'subscriptions',
                    form.subscriptions.filter((_, j) => j !== i),
                  )
                }
              >
                ×
              </button>
              {problems[`sub${i}`] ? <span className="field-problem">{problems[`sub${i}`]}</span> : null}
            </div>
          ))}
          <button
            type="button"
            onClick={() => set('subscriptions', [...form.subscriptions, { filter: '#', qos: 0 }])}
          >
            Add subscription
          </button>
          {live ? (
            <button type="button" onClick={applySubscriptions} disabled={!valid || action.busy}>
              Apply to live connection
            </button>
          ) : null}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="primary" disabled={action.busy} data-testid="profile-connect">
            Save and connect
          </button>
          <button type="button" onClick={() => void save()} disabled={action.busy} data-testid="profile-save">
            Save
          </button>
          {form.id ? (
            <button type="button" onClick={remove} disabled={action.busy}>
              Delete
            </button>
          ) : null}
          {notice ? (
            <span className="muted" role="status">
              {notice}
            </span>
          ) : null}
        </div>
        <ErrorNote message={action.error ?? openMessage} />
      </form>
    </section>
  );
}
