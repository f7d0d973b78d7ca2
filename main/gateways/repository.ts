import crypto from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { DeviceKind, GatewayAuthMethod, KeyAlgorithm } from '../../preload/contract/gateways';

export interface RegistryRow {
  account_id: string;
  registry_id: string;
  created_at: number;
}

export interface DeviceRow {
  account_id: string;
  registry_id: string;
  device_id: string;
  kind: DeviceKind;
  blocked: number;
  metadata: string;
  auth_method: GatewayAuthMethod | null;
  config_version: number;
  config_payload: Buffer | null;
  config_sent_at: number | null;
  config_acked_version: number;
  state_payload: Buffer | null;
  state_at: number | null;
  last_event_at: number | null;
  last_event_payload: Buffer | null;
  created_at: number;
}

export interface KeyRow {
  id: string;
  account_id: string;
  registry_id: string;
  device_id: string;
  algorithm: KeyAlgorithm;
  form: 'public-key' | 'x509';
  pem: string;
  expires_at: number | null;
  created_at: number;
}

type Ref = [accountId: string, registryId: string, deviceId: string];

/** SQLite access for registries, devices, keys and bindings; no validation (see GatewayModel). */
export class GatewayRepository {
  /** Prepared statements by SQL text: logins and attaches run these many times a second. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  accountIdByName(name: string): string | undefined {
    return this.prepare<[string], { id: string }>('SELECT id FROM tenancy_accounts WHERE name = ?').get(name)
      ?.id;
  }

  accountName(id: string): string | undefined {
    return this.prepare<[string], { name: string }>('SELECT name FROM tenancy_accounts WHERE id = ?').get(id)
      ?.name;
  }

  accountExists(id: string): boolean {
    return this.prepare('SELECT 1 FROM tenancy_accounts WHERE id = ?').get(id) !== undefined;
  }

  registries(accountId: string): (RegistryRow & { gateways: number; devices: number })[] {
    return this.prepare<[string], RegistryRow & { gateways: number; devices: number }>(
      `SELECT r.*,
           (SELECT COUNT(*) FROM gateway_devices d WHERE d.account_id = r.account_id AND d.registry_id = r.registry_id AND d.kind = 'gateway') AS gateways,
           (SELECT COUNT(*) FROM gateway_devices d WHERE d.account_id = r.account_id AND d.registry_id = r.registry_id AND d.kind = 'device') AS devices
         FROM gateway_registries r WHERE r.account_id = ? ORDER BY r.registry_id`,
    ).all(accountId);
  }

  registry(accountId: string, registryId: string): RegistryRow | undefined {
    return this.prepare<[string, string], RegistryRow>(
      'SELECT * FROM gateway_registries WHERE account_id = ? AND registry_id = ?',
    ).get(accountId, registryId);
  }

  insertRegistry(accountId: string, registryId: string, at: number): void {
    this.prepare('INSERT INTO gateway_registries (account_id, registry_id, created_at) VALUES (?, ?, ?)').run(
      accountId,
      registryId,
      at,
    );
  }

  deleteRegistry(accountId: string, registryId: string): void {
    this.prepare('DELETE FROM gateway_registries WHERE account_id = ? AND registry_id = ?').run(
      accountId,
      registryId,
    );
  }

  devices(accountId: string, registryId: string): DeviceRow[] {
    return this.prepare<[string, string], DeviceRow>(
      'SELECT * FROM gateway_devices WHERE account_id = ? AND registry_id = ? ORDER BY device_id',
    ).all(accountId, registryId);
  }

  device(...ref: Ref): DeviceRow | undefined {
    return this.prepare<Ref, DeviceRow>(
      'SELECT * FROM gateway_devices WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).get(...ref);
  }

  insertDevice(
    ref: Ref,
    kind: DeviceKind,
    metadata: Record<string, string>,
    authMethod: GatewayAuthMethod | null,
    at: number,
  ): void {
    this.prepare(
      `INSERT INTO gateway_devices (account_id, registry_id, device_id, kind, metadata, auth_method, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(...ref, kind, JSON.stringify(metadata), authMethod, at);
  }

  updateDevice(
    ref: Ref,
    changes: { blocked?: boolean; metadata?: Record<string, string>; authMethod?: GatewayAuthMethod },
  ): void {
    const row = this.device(...ref);
    if (!row) return;
    this.prepare(
      'UPDATE gateway_devices SET blocked = ?, metadata = ?, auth_method = ? WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).run(
      changes.blocked === undefined ? row.blocked : Number(changes.blocked),
      changes.metadata === undefined ? row.metadata : JSON.stringify(changes.metadata),
      changes.authMethod ?? row.auth_method,
      ...ref,
    );
  }

  deleteDevice(...ref: Ref): void {
    this.prepare(
      'DELETE FROM gateway_devices WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).run(...ref);
  }

  keys(...ref: Ref): KeyRow[] {
    return this.prepare<Ref, KeyRow>(
      'SELECT * FROM gateway_device_keys WHERE account_id = ? AND registry_id = ? AND device_id = ? ORDER BY created_at, id',
    ).all(...ref);
  }

  registryKeys(accountId: string, registryId: string): KeyRow[] {
    return this.prepare<[string, string], KeyRow>(
      'SELECT * FROM gateway_device_keys WHERE account_id = ? AND registry_id = ? ORDER BY created_at, id',
    ).all(accountId, registryId);
  }

  insertKey(
    ref: Ref,
    key: { algorithm: KeyAlgorithm; form: KeyRow['form']; pem: string; expiresAt: number | null },
    at: number,
  ): KeyRow {
    const id = crypto.randomUUID();
    this.prepare(
      `INSERT INTO gateway_device_keys (id, account_id, registry_id, device_id, algorithm, form, pem, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, ...ref, key.algorithm, key.form, key.pem, key.expiresAt, at);
    return this.prepare<[string], KeyRow>('SELECT * FROM gateway_device_keys WHERE id = ?').get(id)!;
  }

  deleteKey(ref: Ref, keyId: string): boolean {
    return (
      this.db
        .prepare(
          'DELETE FROM gateway_device_keys WHERE id = ? AND account_id = ? AND registry_id = ? AND device_id = ?',
        )
        .run(keyId, ...ref).changes > 0
    );
  }

  registryBindings(accountId: string, registryId: string): { gateway_id: string; device_id: string }[] {
    return this.prepare<[string, string], { gateway_id: string; device_id: string }>(
      'SELECT gateway_id, device_id FROM gateway_bindings WHERE account_id = ? AND registry_id = ?',
    ).all(accountId, registryId);
  }

  isBound(accountId: string, registryId: string, gatewayId: string, deviceId: string): boolean {
    return (
      this.db
        .prepare(
          'SELECT 1 FROM gateway_bindings WHERE account_id = ? AND registry_id = ? AND gateway_id = ? AND device_id = ?',
        )
        .get(accountId, registryId, gatewayId, deviceId) !== undefined
    );
  }

  bind(accountId: string, registryId: string, gatewayId: string, deviceId: string, at: number): boolean {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO gateway_bindings (account_id, registry_id, gateway_id, device_id, created_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(accountId, registryId, gatewayId, deviceId, at).changes > 0
    );
  }

  unbind(accountId: string, registryId: string, gatewayId: string, deviceId: string): boolean {
    return (
      this.db
        .prepare(
          'DELETE FROM gateway_bindings WHERE account_id = ? AND registry_id = ? AND gateway_id = ? AND device_id = ?',
        )
        .run(accountId, registryId, gatewayId, deviceId).changes > 0
    );
  }

  setConfig(ref: Ref, version: number, payload: Buffer): void {
    this.prepare(
      'UPDATE gateway_devices SET config_version = ?, config_payload = ? WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).run(version, payload, ...ref);
  }

  markConfigSent(ref: Ref, at: number): void {
    this.prepare(
      'UPDATE gateway_devices SET config_sent_at = ? WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).run(at, ...ref);
  }

  markConfigAcked(ref: Ref, version: number): void {
    this.prepare(
      'UPDATE gateway_devices SET config_acked_version = MAX(config_acked_version, ?) WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    ).run(version, ...ref);
  }

  /** Write-behind of the latest event and state of many devices in one transaction. */
  saveLatest(rows: { ref: Ref; eventAt?: number; event?: Buffer; stateAt?: number; state?: Buffer }[]): void {
    const event = this.prepare(
      'UPDATE gateway_devices SET last_event_at = ?, last_event_payload = ? WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    );
    const state = this.prepare(
      'UPDATE gateway_devices SET state_at = ?, state_payload = ? WHERE account_id = ? AND registry_id = ? AND device_id = ?',
    );
    this.transaction(() => {
      for (const row of rows) {
        if (row.event) event.run(row.eventAt, row.event, ...row.ref);
        if (row.state) state.run(row.stateAt, row.state, ...row.ref);
      }
    });
  }
}
