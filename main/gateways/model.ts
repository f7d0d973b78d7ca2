import type {
  DeviceKey,
  DeviceKind,
  GatewayAuthMethod,
  KeyAlgorithm,
  Registry,
} from '../../preload/contract/gateways';
import { ApiError } from '../api/api-error';
import { deviceIdProblem, registryIdProblem } from './ids';
import { generateDeviceKeyPair, KeyProblem, parsePublicKey } from './keys';
import type { DeviceRow, GatewayRepository, KeyRow, RegistryRow } from './repository';

export const MAX_KEYS_PER_DEVICE = 3;

export type DeviceRef = { accountId: string; registryId: string; deviceId: string };
type Ref = [string, string, string];
const refOf = (d: DeviceRef): Ref => [d.accountId, d.registryId, d.deviceId];

/** Key id → fingerprint: listing 10,000 devices should not parse every key each time. */
const fingerprints = new Map<string, string>();

export function keyDto(row: KeyRow): DeviceKey {
  let fingerprint = fingerprints.get(row.id);
  if (fingerprint === undefined) {
    try {
      fingerprint = parsePublicKey(row.pem).fingerprint;
    } catch {
      fingerprint = ''; // stored keys were parsed when added
    }
    fingerprints.set(row.id, fingerprint);
  }
  return {
    id: row.id,
    algorithm: row.algorithm,
    form: row.form,
    expiresAt: row.expires_at,
    fingerprint,
    createdAt: row.created_at,
  };
}

/**
 * Registries, devices, keys and bindings with the operator's validation rules. `isOnline` tells
 * whether a device is connected or attached (deleting one is refused unless forced).
 */
export class GatewayModel {
  constructor(
    private readonly repo: GatewayRepository,
    private readonly now: () => number,
  ) {}

  requireAccount(accountId: string): void {
    if (!this.repo.accountExists(accountId)) throw new ApiError('NOT_FOUND', `Unknown account ${accountId}`);
  }

  requireRegistry(accountId: string, registryId: string): RegistryRow {
    this.requireAccount(accountId);
    const row = this.repo.registry(accountId, registryId);
    if (!row) throw new ApiError('NOT_FOUND', `Unknown registry "${registryId}"`);
    return row;
  }

  requireDevice(ref: DeviceRef): DeviceRow {
    this.requireRegistry(ref.accountId, ref.registryId);
    const row = this.repo.device(...refOf(ref));
    if (!row)
      throw new ApiError('NOT_FOUND', `Unknown device "${ref.deviceId}" in registry "${ref.registryId}"`);
    return row;
  }

  registries(accountId: string): Registry[] {
    this.requireAccount(accountId);
    return this.repo.registries(accountId).map((r) => ({
      accountId: r.account_id,
      registryId: r.registry_id,
      gatewayCount: r.gateways,
      deviceCount: r.devices,
      createdAt: r.created_at,
    }));
  }

  createRegistry(accountId: string, registryId: string): Registry {
    this.requireAccount(accountId);
    const problem = registryIdProblem(registryId);
    if (problem) throw new ApiError('BAD_REQUEST', problem);
    if (this.repo.registry(accountId, registryId)) {
      throw new ApiError('CONFLICT', `A registry "${registryId}" already exists in this account`);
    }
    this.repo.insertRegistry(accountId, registryId, this.now());
    return this.registries(accountId).find((r) => r.registryId === registryId)!;
  }

  createDevice(
    ref: DeviceRef,
    kind: DeviceKind,
    metadata: Record<string, string>,
    authMethod: GatewayAuthMethod | undefined,
    keys: { pem: string; expiresAt?: number | null }[],
  ): void {
    this.requireRegistry(ref.accountId, ref.registryId);
    const problem = deviceIdProblem(ref.deviceId);
    if (problem) throw new ApiError('BAD_REQUEST', problem);
    if (kind === 'device' && authMethod !== undefined) {
      throw new ApiError('BAD_REQUEST', 'Only gateways have an auth method');
    }
    if (this.repo.device(...refOf(ref))) {
      throw new ApiError(
        'CONFLICT',
        `A device "${ref.deviceId}" already exists in registry "${ref.registryId}"`,
      );
    }
    if (keys.length > MAX_KEYS_PER_DEVICE) {
      throw new ApiError('BAD_REQUEST', `A device has at most ${MAX_KEYS_PER_DEVICE} keys`);
    }
    const parsed = keys.map((k) => ({ ...this.parseKey(k.pem), expiresAt: k.expiresAt ?? null, pem: k.pem }));
    this.repo.transaction(() => {
      this.repo.insertDevice(
        refOf(ref),
        kind,
        metadata,
        kind === 'gateway' ? (authMethod ?? 'association-only') : null,
        this.now(),
      );
      for (const key of parsed) this.insertParsedKey(ref, key);
    });
  }

  updateDevice(
    ref: DeviceRef,
    changes: { blocked?: boolean; metadata?: Record<string, string>; authMethod?: GatewayAuthMethod },
  ): DeviceRow {
    const row = this.requireDevice(ref);
    if (changes.authMethod !== undefined && row.kind !== 'gateway') {
      throw new ApiError(
        'BAD_REQUEST',
        `"${ref.deviceId}" is not a gateway: only gateways have an auth method`,
      );
    }
    this.repo.updateDevice(refOf(ref), changes);
    return this.repo.device(...refOf(ref))!;
  }

  deleteDevice(ref: DeviceRef): void {
    this.requireDevice(ref);
    this.repo.deleteDevice(...refOf(ref));
  }

  deleteRegistry(accountId: string, registryId: string): void {
    this.requireRegistry(accountId, registryId);
    this.repo.deleteRegistry(accountId, registryId);
  }

  private parseKey(pem: string) {
    try {
      return parsePublicKey(pem);
    } catch (err) {
      if (err instanceof KeyProblem) throw new ApiError('BAD_REQUEST', err.message);
      throw err;
    }
  }

  private insertParsedKey(
    ref: DeviceRef,
    key: ReturnType<GatewayModel['parseKey']> & { pem: string; expiresAt: number | null },
  ): KeyRow {
    const expiresAt = key.expiresAt ?? key.certificateExpiresAt;
    return this.repo.insertKey(
      refOf(ref),
      { algorithm: key.algorithm, form: key.form, pem: key.pem.trim(), expiresAt },
      this.now(),
    );
  }

  addKey(ref: DeviceRef, pem: string, expiresAt: number | null | undefined): DeviceKey {
    this.requireDevice(ref);
    const parsed = this.parseKey(pem);
    const existing = this.repo.keys(...refOf(ref));
    if (existing.length >= MAX_KEYS_PER_DEVICE) {
      throw new ApiError(
        'CONFLICT',
        `"${ref.deviceId}" already has ${MAX_KEYS_PER_DEVICE} keys (the most allowed); remove one first`,
      );
    }
    if (existing.some((k) => keyDto(k).fingerprint === parsed.fingerprint)) {
      throw new ApiError('CONFLICT', `"${ref.deviceId}" already has this key`);
    }
    return keyDto(this.insertParsedKey(ref, { ...parsed, pem, expiresAt: expiresAt ?? null }));
  }

  removeKey(ref: DeviceRef, keyId: string): void {
    this.requireDevice(ref);
    if (!this.repo.deleteKey(refOf(ref), keyId)) {
      throw new ApiError('NOT_FOUND', `"${ref.deviceId}" has no key ${keyId}`);
    }
  }

  generateKey(
    ref: DeviceRef,
    algorithm: KeyAlgorithm,
    expiresAt: number | null | undefined,
  ): { key: DeviceKey; privateKeyPem: string } {
    this.requireDevice(ref);
    if (this.repo.keys(...refOf(ref)).length >= MAX_KEYS_PER_DEVICE) {
      throw new ApiError(
        'CONFLICT',
        `"${ref.deviceId}" already has ${MAX_KEYS_PER_DEVICE} keys; remove one first`,
      );
    }
    const pair = generateDeviceKeyPair(algorithm);
    const key = this.addKey(ref, pair.publicKeyPem, expiresAt);
    return { key, privateKeyPem: pair.privateKeyPem };
  }

  bind(accountId: string, registryId: string, gatewayId: string, deviceId: string): void {
    const gateway = this.requireDevice({ accountId, registryId, deviceId: gatewayId });
    const device = this.requireDevice({ accountId, registryId, deviceId });
    if (gateway.kind !== 'gateway') throw new ApiError('BAD_REQUEST', `"${gatewayId}" is not a gateway`);
    if (device.kind === 'gateway') {
      throw new ApiError('BAD_REQUEST', `"${deviceId}" is a gateway: a gateway cannot be bound to a gateway`);
    }
    this.repo.bind(accountId, registryId, gatewayId, deviceId, this.now());
  }

  unbind(accountId: string, registryId: string, gatewayId: string, deviceId: string): void {
    this.requireDevice({ accountId, registryId, deviceId: gatewayId });
    this.requireDevice({ accountId, registryId, deviceId });
    if (!this.repo.unbind(accountId, registryId, gatewayId, deviceId)) {
      throw new ApiError('NOT_FOUND', `"${deviceId}" is not bound to "${gatewayId}"`);
    }
  }

  /** Devices of a registry with keys and bindings; live fields are filled in by the caller. */
  devices(
    accountId: string,
    registryId: string,
  ): { row: DeviceRow; keys: DeviceKey[]; bindings: string[] }[] {
    this.requireRegistry(accountId, registryId);
    const keys = new Map<string, DeviceKey[]>();
    for (const k of this.repo.registryKeys(accountId, registryId)) {
      const list = keys.get(k.device_id) ?? [];
      list.push(keyDto(k));
      keys.set(k.device_id, list);
    }
    const bindings = new Map<string, string[]>();
    const add = (id: string, other: string) => {
      const list = bindings.get(id) ?? [];
      list.push(other);
      bindings.set(id, list);
    };
    for (const b of this.repo.registryBindings(accountId, registryId)) {
      add(b.gateway_id, b.device_id);
      add(b.device_id, b.gateway_id);
    }
    return this.repo.devices(accountId, registryId).map((row) => ({
      row,
      keys: keys.get(row.device_id) ?? [],
      bindings: (bindings.get(row.device_id) ?? []).sort(),
    }));
  }

  device(ref: DeviceRef): { row: DeviceRow; keys: DeviceKey[]; bindings: string[] } {
    const row = this.requireDevice(ref);
    const all = this.repo.registryBindings(ref.accountId, ref.registryId);
    const bindings =
      row.kind === 'gateway'
        ? all.filter((b) => b.gateway_id === ref.deviceId).map((b) => b.device_id)
        : all.filter((b) => b.device_id === ref.deviceId).map((b) => b.gateway_id);
    return { row, keys: this.repo.keys(...refOf(ref)).map(keyDto), bindings: bindings.sort() };
  }
}
