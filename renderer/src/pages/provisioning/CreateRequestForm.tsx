import { type FormEvent, useState } from 'react';
import type { RequestOf } from '../../../../preload/contract';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { rememberSecrets } from './secrets';

type Attachment = RequestOf<'provisioning.create'>['attachments'] extends (infer A)[] | undefined ? A : never;

async function toAttachment(file: File, kind: 'configuration' | 'application'): Promise<Attachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { kind, name: file.name, contentBase64: btoa(binary) };
}

const fromLocal = (value: string) => (value ? new Date(value).getTime() : null);

/** The create form; shows the generated activation key once, with a copy button. */
export function CreateRequestForm(props: {
  accounts: { id: string; name: string }[];
  onCreated(id: string): void;
}) {
  const action = useMutation();
  const [accountId, setAccountId] = useState('');
  const [clientId, setClientId] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [generateKey, setGenerateKey] = useState(true);
  const [activatesAt, setActivatesAt] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [retries, setRetries] = useState(3);
  const [secureUrl, setSecureUrl] = useState(true);
  const [coupling, setCoupling] = useState<'loose' | 'strict'>('loose');
  const [overwrite, setOverwrite] = useState(false);
  const [configuration, setConfiguration] = useState<File | null>(null);
  const [applications, setApplications] = useState<File[]>([]);
  const [created, setCreated] = useState<{ clientId: string; activationKey: string | null }>();
  const target = accountId || props.accounts[0]?.id || '';
  const problem =
    applications.length > 9
      ? 'At most nine application files.'
      : activatesAt && expiresAt && fromLocal(activatesAt)! >= fromLocal(expiresAt)!
        ? 'Activation must come before expiry.'
        : password && password.length < 8
          ? 'The password needs at least 8 characters.'
          : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problem) return;
    const attachments = [
      ...(configuration ? [await toAttachment(configuration, 'configuration')] : []),
      ...(await Promise.all(applications.map((f) => toAttachment(f, 'application')))),
    ];
    const result = await action.run('provisioning.create', {
      targetAccountId: target,
      clientId,
      username,
      password,
      generateActivationKey: generateKey,
      activatesAt: fromLocal(activatesAt),
      expiresAt: fromLocal(expiresAt),
      retryMaxAttempts: retries,
      secureUrl,
      coupling,
      overwrite,
      attachments,
    });
    if (!result) return;
    rememberSecrets(result.request.id, { password, activationKey: result.activationKey ?? undefined });
    setCreated({ clientId, activationKey: result.activationKey });
    setClientId('');
    setUsername('');
    setPassword('');
    props.onCreated(result.request.id);
  };

  return (
    <section className="panel" data-testid="provisioning-create">
      <h2>New provision request</h2>
      <form className="pv-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="pv-account">Target account</label>
        <select id="pv-account" value={target} onChange={(e) => setAccountId(e.target.value)}>
          {props.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <label htmlFor="pv-client">Client id</label>
        <input id="pv-client" required value={clientId} onChange={(e) => setClientId(e.target.value)} />
        <label htmlFor="pv-user">Provision username</label>
        <input id="pv-user" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="pv-password">Provision password</label>
        <input
          id="pv-password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="pv-key">Generate activation key</label>
        <input
          id="pv-key"
          type="checkbox"
          checked={generateKey}
          onChange={(e) => setGenerateKey(e.target.checked)}
        />
        <label htmlFor="pv-activates">Activates on</label>
        <input
          id="pv-activates"
          type="datetime-local"
          value={activatesAt}
          onChange={(e) => setActivatesAt(e.target.value)}
        />
        <label htmlFor="pv-expires">Expires on</label>
        <input
          id="pv-expires"
          type="datetime-local"
          value={expiresAt}
          onChange={(e) => setExpiresAt(e.target.value)}
        />
        <label htmlFor="pv-retries">Retry max attempts</label>
        <input
          id="pv-retries"
          type="number"
          min={1}
          max={1000}
          value={retries}
          onChange={(e) => setRetries(Number(e.target.value))}
        />
        <label htmlFor="pv-secure">Secure broker URL (mqtts)</label>
        <input
          id="pv-secure"
          type="checkbox"
          checked={secureUrl}
          onChange={(e) => setSecureUrl(e.target.checked)}
        />
        {secureUrl ? null : (
          <p className="pv-wide pv-warning">A plain mqtt URL sends the device's new password unencrypted.</p>
        )}
        <label htmlFor="pv-coupling">Credential coupling</label>
        <select
          id="pv-coupling"
          value={coupling}
          onChange={(e) => setCoupling(e.target.value as 'loose' | 'strict')}
        >
          <option value="loose">loose</option>
          <option value="strict">strict</option>
        </select>
        <label htmlFor="pv-overwrite">Overwrite if duplicate</label>
        <input
          id="pv-overwrite"
          type="checkbox"
          checked={overwrite}
          onChange={(e) => setOverwrite(e.target.checked)}
        />
        <label htmlFor="pv-config">Configuration file</label>
        <input id="pv-config" type="file" onChange={(e) => setConfiguration(e.target.files?.[0] ?? null)} />
        <label htmlFor="pv-apps">Applications (up to 9)</label>
        <input
          id="pv-apps"
          type="file"
          multiple
          onChange={(e) => setApplications(Array.from(e.target.files ?? []))}
        />
        <div className="pv-wide">
          <ErrorNote message={problem ?? action.error} />
          <button
            type="submit"
            disabled={action.busy || !!problem || !target}
            data-testid="provisioning-create-submit"
          >
            Create request
          </button>
        </div>
      </form>
      {created ? (
        <p data-testid="provisioning-created">
          Request for <span className="mono">{created.clientId}</span> created.{' '}
          {created.activationKey ? (
            <>
              Activation key (shown once):{' '}
              <span className="pv-secret" data-testid="provisioning-activation-key">
                {created.activationKey}
              </span>{' '}
              <button
                type="button"
                onClick={() => void navigator.clipboard?.writeText(created.activationKey ?? '')}
              >
                Copy
              </button>
            </>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}
