import { useEffect, useMemo, useState } from 'react';
import type { GatewayAuthMethod, GatewayErrorEntry } from '../../../../preload/contract/gateways';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useApiEvent } from '../../api/hooks';
import { ErrorNote, PageHeader } from '../../components';
import { AccountPicker, useAccounts } from '../tenancy/shared/AccountPicker';
import { DeviceDetail } from './DeviceDetail';
import { DeviceTree } from './DeviceTree';
import { useLiveDevices } from './use-live-devices';
import './gateways.css';

const MAX_ERRORS = 200;

/** Account → registries → gateways → bound devices, plus devices bound to no gateway, live. */
export function GatewaysPage() {
  const { selectedId: accountId } = useAccounts();
  const [registries, setRegistries] = useState<string[]>([]);
  const [registryId, setRegistryId] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();
  const [newRegistry, setNewRegistry] = useState('');
  const [newDevice, setNewDevice] = useState({
    id: '',
    kind: 'device' as 'device' | 'gateway',
    auth: 'association-only' as GatewayAuthMethod,
  });
  const [errors, setErrors] = useState<GatewayErrorEntry[]>([]);
  const [registryGeneration, setRegistryGeneration] = useState(0);
  const { devices, error: listError, revision } = useLiveDevices(accountId ?? undefined, registryId);

  // biome-ignore lint/correctness/useExhaustiveDependencies: registryGeneration is the refetch trigger.
  useEffect(() => {
    if (!accountId) return;
    let live = true;
    api()
      .call('gateways.listRegistries', { accountId })
      .then(
        (r) => {
          if (!live) return;
          const ids = r.registries.map((x) => x.registryId);
          setRegistries(ids);
          setRegistryId((current) => (current && ids.includes(current) ? current : ids[0]));
        },
        (err) => live && setError(errorMessage(err)),
      );
    api()
      .call('gateways.errors', { accountId, limit: MAX_ERRORS })
      .then(
        (r) => live && setErrors(r.errors),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [accountId, registryGeneration]);

  useApiEvent('gateways.changed', (e) => e.accountId === accountId && setRegistryGeneration((g) => g + 1));
  useApiEvent('gateways.error', (e) => {
    if (e.accountId !== accountId) return;
    setErrors((list) => [...list.slice(-(MAX_ERRORS - 1)), e]);
  });

  const gateways = useMemo(() => devices.filter((d) => d.kind === 'gateway'), [devices]);
  const shownErrors = errors
    .filter((e) => e.registryId === registryId)
    .slice(-50)
    .reverse();

  async function run(work: () => Promise<unknown>) {
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <div className="gw-page" data-testid="gateways-page">
      <PageHeader title="Gateways">
        <AccountPicker />
        <label>
          Registry{' '}
          <select
            data-testid="registry-picker"
            value={registryId ?? ''}
            onChange={(e) => setRegistryId(e.target.value)}
          >
            {registries.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </PageHeader>
      <ErrorNote message={error ?? listError} />
      <div className="gw-toolbar">
        <input
          placeholder="new registry id"
          value={newRegistry}
          onChange={(e) => setNewRegistry(e.target.value)}
        />
        <button
          type="button"
          disabled={!accountId || !newRegistry}
          onClick={() =>
            run(async () => {
              await api().call('gateways.createRegistry', { accountId: accountId!, registryId: newRegistry });
              setRegistryId(newRegistry);
              setNewRegistry('');
            })
          }
        >
          Create registry
        </button>
        <span className="gw-sep" />
        <input
          placeholder="new device id"
          value={newDevice.id}
          onChange={(e) => setNewDevice({ ...newDevice, id: e.target.value })}
        />
        <select
          value={newDevice.kind}
          onChange={(e) => setNewDevice({ ...newDevice, kind: e.target.value as 'device' | 'gateway' })}
        >
          <option value="device">device</option>
          <option value="gateway">gateway</option>
        </select>
        {newDevice.kind === 'gateway' ? (
          <select
            value={newDevice.auth}
            onChange={(e) => setNewDevice({ ...newDevice, auth: e.target.value as GatewayAuthMethod })}
          >
            <option value="association-only">association only</option>
            <option value="device-token-only">device token only</option>
            <option value="association-and-device-token">association and device token</option>
          </select>
        ) : null}
        <button
          type="button"
          disabled={!accountId || !registryId || !newDevice.id}
          onClick={() =>
            run(async () => {
              await api().call('gateways.createDevice', {
                accountId: accountId!,
                registryId: registryId!,
                deviceId: newDevice.id,
                kind: newDevice.kind,
                ...(newDevice.kind === 'gateway' ? { authMethod: newDevice.auth } : {}),
              });
              setSelected(newDevice.id);
              setNewDevice({ ...newDevice, id: '' });
            })
          }
        >
          Add
        </button>
        <span className="gw-count" data-testid="gateway-counts">
          {gateways.length} gateways · {devices.length - gateways.length} devices ·{' '}
          {devices.filter((d) => d.connected || d.attachedTo.length > 0).length} online
        </span>
      </div>
      <div className="gw-body">
        <div className="gw-main">
          <DeviceTree devices={devices} selected={selected} onSelect={setSelected} />
          <section className="gw-errors" data-testid="gateway-errors">
            <h3>Gateway errors</h3>
            <ul>
              {shownErrors.map((e) => (
                <li
                  key={`${e.at}-${e.gatewayId}-${e.device_id}-${e.mqtt_message_info.packet_id}-${e.error_type}`}
                >
                  {new Date(e.at).toLocaleTimeString()} <strong>{e.gatewayId}</strong> {e.error_type} (
                  {e.device_id}): {e.description}
                </li>
              ))}
            </ul>
          </section>
        </div>
        {accountId && registryId && selected ? (
          <DeviceDetail
            accountId={accountId}
            registryId={registryId}
            deviceId={selected}
            revision={revision}
            gateways={gateways}
          />
        ) : null}
      </div>
    </div>
  );
}
