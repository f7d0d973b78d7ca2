import fs from 'node:fs';
import path from 'node:path';
import type { MethodName, RequestOf, ResponseOf } from '../../../preload/contract';

/** The operator API as the simulator needs it (in-process dispatch or the WebSocket client). */
export interface SimulatorApi {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
}

export interface Fleet {
  /** Gateway id → its device ids. */
  gateways: Map<string, string[]>;
  /** Private key PEM per gateway / device id (devices only when known). */
  keys: Map<string, string>;
}

export function fleetIds(prefix: string, gateways: number, devicesPerGateway: number): Map<string, string[]> {
  const fleet = new Map<string, string[]>();
  for (let g = 0; g < gateways; g++) {
    const gatewayId = `${prefix}-gw-${g}`;
    fleet.set(
      gatewayId,
      Array.from({ length: devicesPerGateway }, (_, d) => `${prefix}-gw-${g}-dev-${d}`),
    );
  }
  return fleet;
}

const isConflict = (err: unknown) => /CONFLICT|already/.test((err as Error).message ?? '');

async function ensureDevice(
  api: SimulatorApi,
  ref: { accountId: string; registryId: string; deviceId: string },
  kind: 'gateway' | 'device',
): Promise<string> {
  await api.call('gateways.createDevice', { ...ref, kind }).catch((err: unknown) => {
    if (!isConflict(err)) throw err;
  });
  try {
    return (await api.call('gateways.generateKey', { ...ref, algorithm: 'ES256' })).privateKeyPem;
  } catch (err) {
    if (!isConflict(err)) throw err;
    // Three keys already (an earlier run): make room by removing the oldest.
    const { device } = await api.call('gateways.getDevice', ref);
    await api.call('gateways.removeKey', { ...ref, keyId: device.keys[0]!.id });
    return (await api.call('gateways.generateKey', { ...ref, algorithm: 'ES256' })).privateKeyPem;
  }
}

/** Creates (or reuses) the registry, gateways and devices, fresh ES256 keys, and the bindings. */
export async function provisionThroughApi(
  api: SimulatorApi,
  accountId: string,
  registryId: string,
  ids: Map<string, string[]>,
): Promise<Fleet> {
  await api.call('gateways.createRegistry', { accountId, registryId }).catch((err: unknown) => {
    if (!isConflict(err)) throw err;
  });
  const keys = new Map<string, string>();
  for (const [gatewayId, devices] of ids) {
    keys.set(gatewayId, await ensureDevice(api, { accountId, registryId, deviceId: gatewayId }, 'gateway'));
    for (const deviceId of devices) {
      keys.set(deviceId, await ensureDevice(api, { accountId, registryId, deviceId }, 'device'));
      await api.call('gateways.bind', { accountId, registryId, gatewayId, deviceId });
    }
  }
  return { gateways: ids, keys };
}

/** Reads `<id>.pem` private keys from a directory (devices and gateways already provisioned). */
export function keysFromFiles(dir: string, ids: Map<string, string[]>): Fleet {
  const keys = new Map<string, string>();
  for (const [gatewayId, devices] of ids) {
    for (const id of [gatewayId, ...devices]) {
      const file = path.join(dir, `${id}.pem`);
      if (fs.existsSync(file)) keys.set(id, fs.readFileSync(file, 'utf8'));
      else if (id === gatewayId) throw new Error(`No key file for gateway ${id}: ${file}`);
    }
  }
  return { gateways: ids, keys };
}
