import { useState } from 'react';
import type { DeviceConnection } from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { ErrorNote } from '../../../components';

/** Creates a device record before the device first connects, so it can be prepared (coupling, reservation). */
export function AddDevice({
  accountId,
  accountName,
  onAdded,
}: {
  accountId: string;
  accountName: string;
  onAdded(device: DeviceConnection): void;
}) {
  const m = useMutation();
  const [clientId, setClientId] = useState('');
  const trimmed = clientId.trim();
  return (
    <form
      className="tn-form-row"
      aria-label="Add a device record"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!trimmed) return;
        const r = await m.attempt('connections.update', { accountId, clientId: trimmed });
        if (r.ok) {
          setClientId('');
          onAdded(r.data);
        }
      }}
    >
      <label>
        Prepare a device in {accountName}
        <input
          className="mono"
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          placeholder="client id"
          data-testid="add-device-client-id"
        />
      </label>
      <button type="submit" disabled={!trimmed || m.busy} data-testid="add-device">
        Add record
      </button>
      <span className="muted tn-hint">
        A record lets you reserve a credential for a device before its first connection.
      </span>
      <ErrorNote message={m.error} />
    </form>
  );
}
