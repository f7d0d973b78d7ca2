import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeviceLive, GatewayDevice } from '../../../../preload/contract/gateways';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { useApiEvent } from '../../api/hooks';

/** How often pushed activity is folded into the list (one render per interval at most). */
const FLUSH_MS = 300;

/**
 * The devices of one registry, refetched on `gateways.changed` and patched from batched
 * `gateways.activity` events: updates are collected in a map and applied once per interval, so
 * 10,000 devices with events arriving cost one render every 300 ms.
 */
export function useLiveDevices(accountId: string | undefined, registryId: string | undefined) {
  const [devices, setDevices] = useState<GatewayDevice[]>([]);
  const [error, setError] = useState<string>();
  const [revision, setRevision] = useState(0);
  const pending = useRef(new Map<string, DeviceLive>());
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the refetch trigger.
  useEffect(() => {
    if (!accountId || !registryId) {
      setDevices([]);
      return;
    }
    let live = true;
    api()
      .call('gateways.listDevices', { accountId, registryId })
      .then(
        (r) => {
          if (!live) return;
          setDevices(r.devices);
          setError(undefined);
        },
        (err) => live && setError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, [accountId, registryId, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useApiEvent('gateways.changed', (e) => {
    if (e.accountId === accountId) reload();
  });
  useApiEvent('gateways.activity', (e) => {
    for (const d of e.devices) {
      if (d.accountId === accountId && d.registryId === registryId) pending.current.set(d.deviceId, d);
    }
  });

  useEffect(() => {
    const timer = setInterval(() => {
      if (pending.current.size === 0) return;
      const updates = pending.current;
      pending.current = new Map();
      setDevices((list) =>
        list.map((d) => (updates.has(d.deviceId) ? { ...d, ...updates.get(d.deviceId)! } : d)),
      );
      setRevision((r) => r + 1);
    }, FLUSH_MS);
    return () => clearInterval(timer);
  }, []);

  return { devices, error, reload, revision };
}
