import { useState } from 'react';
import type { DeviceConnection, UserCoupling } from '../../../../../preload/contract/tenancy';
import { useMutation, useQuery } from '../../../api/hooks';
import { ErrorNote, StatusBadge } from '../../../components';
import { formatWhen } from '../shared/dates';
import { accountById, useTenancy } from '../shared/store';

export function DeviceDetails({ device, onChanged }: { device: DeviceConnection; onChanged(): void }) {
  const m = useMutation();
  const accounts = useTenancy((t) => t.accounts);
  const accountCoupling = accountById(accounts, device.accountId)?.userCoupling;
  const [coupling, setCoupling] = useState<string>(device.coupling ?? 'account');
  const [allowUserChange, setAllowUserChange] = useState(device.allowUserChange);
  const [reserved, setReserved] = useState<string>(device.reservedCredentialId ?? '');
  const [saved, setSaved] = useState(false);
  // Re-read when device records change: another device may reserve or release a credential.
  const credentialQuery = useQuery('credentials.list', { accountId: device.accountId });
  const deviceQuery = useQuery(
    'connections.list',
    { accountId: device.accountId },
    { refetchOn: ['connections.changed'] },
  );
  const credentials = credentialQuery.data?.credentials;
  /** Credential id → client id of another device of this account that reserved it. */
  const holders: Record<string, string> = {};
  for (const other of deviceQuery.data?.connections ?? []) {
    if (other.id !== device.id && other.reservedCredentialId)
      holders[other.reservedCredentialId] = other.clientId;
  }
  const loadError = credentialQuery.error ?? deviceQuery.error;

  const username = (id: string | null) =>
    id === null ? null : (credentials?.find((c) => c.id === id)?.username ?? id);
  const chosenCoupling: UserCoupling | undefined =
    coupling === 'account' ? accountCoupling : (coupling as UserCoupling);
  const dirty =
    coupling !== (device.coupling ?? 'account') ||
    allowUserChange !== device.allowUserChange ||
    reserved !== (device.reservedCredentialId ?? '');

  return (
    <section className="panel" aria-label={`Device ${device.clientId}`} data-testid="device-details">
      <div className="panel-header">
        <h2 className="mono">{device.clientId}</h2>
        <StatusBadge status={device.status} />
      </div>
      <dl className="facts">
        <dt>Account</dt>
        <dd>{device.accountName}</dd>
        <dt>Protocol</dt>
        <dd>{device.protocol ?? '–'}</dd>
        <dt>Last connect</dt>
        <dd>{formatWhen(device.lastConnectAt)}</dd>
        <dt>Last disconnect</dt>
        <dd>
          {formatWhen(device.lastDisconnectAt)}
          {device.lastDisconnectReason ? ` — ${device.lastDisconnectReason}` : ''}
        </dd>
        <dt>User coupling</dt>
        <dd data-testid="device-effective-coupling">
          {device.effectiveCoupling}
          {device.coupling === null ? ' (as the account)' : ' (set for this device)'}
          {device.allowUserChange ? ' · the next login may change its user' : ''}
        </dd>
        <dt>Reserved credential</dt>
        <dd className="mono" data-testid="device-reserved">
          {username(device.reservedCredentialId) ?? 'none'}
        </dd>
        <dt>Bound credential</dt>
        <dd className="mono" data-testid="device-bound">
          {username(device.boundCredentialId) ?? '–'}
        </dd>
      </dl>
      <ErrorNote message={loadError} />
      <div className="tn-actions tn-wrap">
        <label>
          User coupling{' '}
          <select
            value={coupling}
            onChange={(e) => {
              setCoupling(e.target.value);
              setSaved(false);
            }}
            data-testid="device-coupling"
          >
            <option value="account">as the account ({accountCoupling ?? '…'})</option>
            <option value="loose">loose</option>
            <option value="strict">strict</option>
          </select>
        </label>
        <label>
          Reserved credential{' '}
          <select
            value={reserved}
            disabled={credentials === undefined}
            onChange={(e) => {
              setReserved(e.target.value);
              setSaved(false);
            }}
            data-testid="device-reserved-credential"
          >
            <option value="">none</option>
            {(credentials ?? []).map((c) => (
              <option key={c.id} value={c.id} disabled={holders[c.id] !== undefined}>
                {c.username}
                {c.enabled ? '' : ' (disabled)'}
                {holders[c.id] !== undefined ? ` — reserved for ${holders[c.id]}` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={allowUserChange}
            onChange={(e) => {
              setAllowUserChange(e.target.checked);
              setSaved(false);
            }}
            data-testid="device-allow-change"
          />{' '}
          allow the next login to change its user
        </label>
        <button
          type="button"
          className="primary"
          disabled={m.busy || !dirty}
          data-testid="device-save"
          onClick={async () => {
            const r = await m.attempt('connections.update', {
              accountId: device.accountId,
              clientId: device.clientId,
              coupling: coupling === 'account' ? null : (coupling as UserCoupling),
              allowUserChange,
              reservedCredentialId: reserved === '' ? null : reserved,
            });
            if (r.ok) {
              setSaved(true);
              onChanged();
            }
          }}
        >
          Save
        </button>
        {saved && !dirty ? (
          <span className="tn-ok" data-testid="device-saved">
            Saved
          </span>
        ) : null}
        <button
          type="button"
          className="danger"
          disabled={m.busy || device.status === 'connected'}
          title={device.status === 'connected' ? 'Disconnect the device first' : undefined}
          onClick={async () => {
            const r = await m.attempt('connections.delete', { id: device.id });
            if (r.ok) onChanged();
          }}
        >
          Forget record
        </button>
      </div>
      <p className="muted tn-hint" data-testid="device-coupling-hint">
        {chosenCoupling === 'strict'
          ? reserved
            ? 'Strict: this device must log in with its reserved credential, and other devices under strict coupling are refused with it.'
            : 'Strict: this device keeps the first credential it logs in with, unless the next login may change its user.'
          : reserved
            ? 'Loose: the reservation is kept but not enforced — any credential of the account is accepted. Choose strict to enforce it.'
            : 'Loose: the device may log in with any credential of its account.'}
      </p>
      <ErrorNote message={m.error} />
    </section>
  );
}
