import { CheckboxField, type ContractForm, SelectField, TextField } from '../../../components';
import { PemField } from './PemField';
import { DEFAULT_PORTS, type Form, type Protocol } from './profile-form';

const PROTOCOLS: { value: Protocol; label: string }[] = [
  { value: 'mqtt', label: 'mqtt (TCP)' },
  { value: 'mqtts', label: 'mqtts (TLS)' },
  { value: 'ws', label: 'ws (WebSocket)' },
  { value: 'wss', label: 'wss (WebSocket over TLS)' },
];

/** Where and how to connect: broker address, MQTT options and, for mqtts/wss, the TLS material. */
export function ProfileFields({ form: contractForm }: { form: ContractForm<Form, unknown> }) {
  const { draft: form, set, bind } = contractForm;
  // Address and number fields show their problem at once; the rest once changed or after a submit.
  const now = (field: 'port' | 'path' | 'keepAlive') => ({
    ...bind(field),
    error: contractForm.errors[field],
  });
  const tls = form.protocol === 'mqtts' || form.protocol === 'wss';
  return (
    <>
      <div className="ui-form-grid">
        <TextField label="Name" {...bind('name')} testId="profile-name" />
        <SelectField
          label="Protocol"
          value={form.protocol}
          options={PROTOCOLS}
          testId="profile-protocol"
          onChange={(protocol) => {
            if (form.port === String(DEFAULT_PORTS[form.protocol]) || !form.port)
              set('port', String(DEFAULT_PORTS[protocol]));
            set('protocol', protocol);
          }}
        />
        <TextField label="Host" {...bind('host')} testId="profile-host" />
        <TextField
          label="Port"
          {...now('port')}
          testId="profile-port"
          inputProps={{ inputMode: 'numeric' }}
        />
        {form.protocol === 'ws' || form.protocol === 'wss' ? (
          <TextField label="Path" {...now('path')} />
        ) : null}
        <SelectField
          label="MQTT version"
          {...bind('mqttVersion')}
          options={[
            { value: '5', label: '5.0' },
            { value: '4', label: '3.1.1' },
          ]}
        />
        <TextField
          label="Client id"
          {...bind('clientId')}
          placeholder="generated"
          testId="profile-client-id"
        />
        <TextField
          label="Username"
          {...bind('username')}
          testId="profile-username"
          inputProps={{ autoComplete: 'off' }}
        />
        <TextField
          label="Password"
          type="password"
          {...bind('password')}
          placeholder={form.hasPassword ? '(stored — leave empty to keep)' : ''}
          testId="profile-password"
          inputProps={{ autoComplete: 'new-password' }}
          hint={
            form.hasPassword ? (
              <CheckboxField
                label="forget stored password"
                checked={form.clearPassword}
                onChange={(v) => set('clearPassword', v)}
              />
            ) : undefined
          }
        />
        <TextField label="Keep alive (s)" {...now('keepAlive')} inputProps={{ inputMode: 'numeric' }} />
        <CheckboxField label="Clean start" checked={form.cleanStart} onChange={(v) => set('cleanStart', v)} />
      </div>

      {tls ? (
        <fieldset className="tls-fields">
          <legend>TLS</legend>
          <PemField
            label="CA certificate (empty: system trust store)"
            value={form.caPem}
            onChange={(v) => set('caPem', v)}
            problem={contractForm.error('caPem')}
            testId="profile-ca"
          />
          <PemField
            label="Client certificate"
            value={form.certPem}
            onChange={(v) => set('certPem', v)}
            problem={contractForm.error('certPem')}
            testId="profile-cert"
          />
          <PemField
            label={form.hasKey ? 'Private key (stored — paste to replace)' : 'Private key'}
            value={form.keyPem}
            onChange={(v) => set('keyPem', v)}
            problem={contractForm.error('keyPem')}
            testId="profile-key"
            placeholder="-----BEGIN PRIVATE KEY-----"
          />
          <div className="ui-form-grid">
            <TextField
              label="Key passphrase"
              type="password"
              {...bind('passphrase')}
              placeholder={form.hasPassphrase ? '(stored)' : ''}
              inputProps={{ autoComplete: 'off' }}
            />
            <TextField label="SNI server name" {...bind('servername')} placeholder="defaults to the host" />
            <TextField label="ALPN protocols" {...bind('alpn')} placeholder="e.g. mqtt" />
            <CheckboxField
              label="Accept any server certificate (lab use only)"
              checked={form.insecure}
              onChange={(v) => set('insecure', v)}
            />
          </div>
        </fieldset>
      ) : null}
    </>
  );
}
