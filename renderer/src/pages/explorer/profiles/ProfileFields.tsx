import type { ContractForm } from '../../../components';
import { PemField } from './PemField';
import { DEFAULT_PORTS, type Form, type Protocol } from './profile-form';

/** Where and how to connect: broker address, MQTT options and, for mqtts/wss, the TLS material. */
export function ProfileFields({ form: contractForm }: { form: ContractForm<Form, unknown> }) {
  const { draft: form, set } = contractForm;
  // Address and number fields show their problem at once; the rest once changed or after a submit.
  const err = (field: string) =>
    ['port', 'path', 'keepAlive'].includes(field) ? contractForm.errors[field] : contractForm.error(field);
  const tls = form.protocol === 'mqtts' || form.protocol === 'wss';
  return (
    <>
      <div className="form-grid">
        <label className="field">
          <span>Name</span>
          <input value={form.name} onChange={(e) => set('name', e.target.value)} data-testid="profile-name" />
          {err('name') ? <span className="field-problem">{err('name')}</span> : null}
        </label>
        <label className="field">
          <span>Protocol</span>
          <select
            value={form.protocol}
            data-testid="profile-protocol"
            onChange={(e) => {
              const protocol = e.target.value as Protocol;
              if (form.port === String(DEFAULT_PORTS[form.protocol]) || !form.port)
                set('port', String(DEFAULT_PORTS[protocol]));
              set('protocol', protocol);
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
          <input value={form.host} onChange={(e) => set('host', e.target.value)} data-testid="profile-host" />
          {err('host') ? <span className="field-problem">{err('host')}</span> : null}
        </label>
        <label className="field">
          <span>Port</span>
          <input
            value={form.port}
            inputMode="numeric"
            onChange={(e) => set('port', e.target.value)}
            data-testid="profile-port"
            aria-invalid={err('port') ? true : undefined}
          />
          {err('port') ? <span className="field-problem">{err('port')}</span> : null}
        </label>
        {form.protocol === 'ws' || form.protocol === 'wss' ? (
          <label className="field">
            <span>Path</span>
            <input value={form.path} onChange={(e) => set('path', e.target.value)} />
            {err('path') ? <span className="field-problem">{err('path')}</span> : null}
          </label>
        ) : null}
        <label className="field">
          <span>MQTT version</span>
          <select value={form.mqttVersion} onChange={(e) => set('mqttVersion', e.target.value as '4' | '5')}>
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
          {err('keepAlive') ? <span className="field-problem">{err('keepAlive')}</span> : null}
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
            problem={err('caPem')}
            testId="profile-ca"
          />
          <PemField
            label="Client certificate"
            value={form.certPem}
            onChange={(v) => set('certPem', v)}
            problem={err('certPem')}
            testId="profile-cert"
          />
          <PemField
            label={form.hasKey ? 'Private key (stored — paste to replace)' : 'Private key'}
            value={form.keyPem}
            onChange={(v) => set('keyPem', v)}
            problem={err('keyPem')}
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
    </>
  );
}
