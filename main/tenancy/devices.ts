import crypto from 'node:crypto';
import type { DeviceConnection, UserCoupling } from '../../preload/contract/tenancy';
import type { ClientRef } from '../broker/hooks';
import { ApiError } from '../api/api-error';
import type { AccountRow } from './accounts';
import { REASON, type TenancyContext } from './context';

export interface DeviceRow {
  id: string;
  account_id: string;
  client_id: string;
  status: 'connected' | 'disconnected' | 'missing';
  protocol: string | null;
  listener_id: string | null;
  listener_kind: string | null;
  client_address: string | null;
  username: string | null;
  last_connect_at: number | null;
  last_disconnect_at: number | null;
  last_disconnect_reason: string | null;
  coupling: UserCoupling | null;
  allow_user_change: number;
  reserved_credential_id: string | null;
  bound_credential_id: string | null;
  provisioned_endpoint_id: string | null;
  created_at: number;
  updated_at: number;
}

type DeviceView = DeviceRow & { account_name: string; account_coupling: UserCoupling };

export type Admission =
  | { ok: true; device: DeviceRow }
  | { ok: false; reasonCode: number; reasonString: string };

const PROTOCOL_NAMES: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };

export function protocolName(version: number): string {
  return PROTOCOL_NAMES[version] ?? `MQTT (level ${version})`;
}

const VIEW_SQL = `SELECT d.*, a.name AS account_name, a.user_coupling AS account_coupling
  FROM tenancy_devices d JOIN tenancy_accounts a ON a.id = d.account_id`;

/** Device records: connection status from broker events, plus user coupling and quota at CONNECT. */
export class DeviceService {
  constructor(private readonly ctx: TenancyContext) {}

  row(accountId: string, clientId: string): DeviceRow | undefined {
    return this.ctx.db
      .prepare<[string, string], DeviceRow>(
        'SELECT * FROM tenancy_devices WHERE account_id = ? AND client_id = ?',
      )
      .get(accountId, clientId);
  }

  toDto(view: DeviceView): DeviceConnection {
    return {
      id: view.id,
      accountId: view.account_id,
      accountName: view.account_name,
      clientId: view.client_id,
      status: view.status,
      protocol: view.protocol,
      listenerId: view.listener_id,
      listenerKind: view.listener_kind,
      clientAddress: view.client_address,
      username: view.username,
      lastConnectAt: view.last_connect_at,
      lastDisconnectAt: view.last_disconnect_at,
      lastDisconnectReason: view.last_disconnect_reason,
      coupling: view.coupling,
      effectiveCoupling: view.coupling ?? view.account_coupling,
      allowUserChange: view.allow_user_change === 1,
      reservedCredentialId: view.reserved_credential_id,
      boundCredentialId: view.bound_credential_id,
      provisionedEndpointId: view.provisioned_endpoint_id,
    };
  }

  get(accountId: string, clientId: string): DeviceConnection | undefined {
    const view = this.ctx.db
      .prepare<[string, string], DeviceView>(`${VIEW_SQL} WHERE d.account_id = ? AND d.client_id = ?`)
      .get(accountId, clientId);
    return view && this.toDto(view);
  }

  list(accountIds: Iterable<string>, status?: DeviceRow['status']): DeviceConnection[] {
    const ids = JSON.stringify([...accountIds]);
    return this.ctx.db
      .prepare<[string, string | null, string | null], DeviceView>(
        `${VIEW_SQL} WHERE d.account_id IN (SELECT value FROM json_each(?)) AND (? IS NULL OR d.status = ?)
         ORDER BY a.name, d.client_id`,
      )
      .all(ids, status ?? null, status ?? null)
      .map((view) => this.toDto(view));
  }

  /**
   * Decides at CONNECT whether this client id may join the account with this credential:
   * device quota for new devices, then user coupling. Creates the record and binds the credential.
   */
  admit(
    account: AccountRow,
    clientId: string,
    credential: { id: string; username: string } | null,
  ): Admission {
    return this.ctx.db.transaction((): Admission => {
      let device = this.row(account.id, clientId);
      if (!device) {
        if (account.max_devices !== null) {
          const count =
            this.ctx.db
              .prepare<[string], { n: number }>(
                'SELECT COUNT(*) AS n FROM tenancy_devices WHERE account_id = ?',
              )
              .get(account.id)?.n ?? 0;
          if (count >= account.max_devices) {
            return {
              ok: false,
              reasonCode: REASON.quotaExceeded,
              reasonString: `account "${account.name}" has reached its device limit (${account.max_devices})`,
            };
          }
        }
        device = this.insert(account.id, clientId);
      }
      if (!credential) return { ok: true, device };
      const coupling = device.coupling ?? account.user_coupling;
      if (coupling === 'strict') {
        const refusal = this.strictRefusal(account, device, credential);
        if (refusal) return { ok: false, reasonCode: REASON.notAuthorized, reasonString: refusal };
        if (device.bound_credential_id !== credential.id) {
          this.ctx.db
            .prepare('UPDATE tenancy_devices SET bound_credential_id = ?, updated_at = ? WHERE id = ?')
            .run(credential.id, this.ctx.now(), device.id);
        }
      }
      return { ok: true, device };
    })();
  }

  private strictRefusal(
    account: AccountRow,
    device: DeviceRow,
    credential: { id: string; username: string },
  ): string | null {
    if (device.reserved_credential_id !== null && device.reserved_credential_id !== credential.id) {
      return `client "${device.client_id}" must use its reserved credential`;
    }
    const holder = this.ctx.db
      .prepare<[string, string, string], { client_id: string }>(
        'SELECT client_id FROM tenancy_devices WHERE account_id = ? AND reserved_credential_id = ? AND id != ?',
      )
      .get(account.id, credential.id, device.id);
    if (holder) return `credential "${credential.username}" is reserved for another device`;
    if (
      device.bound_credential_id !== null &&
      device.bound_credential_id !== credential.id &&
      device.allow_user_change === 0
    ) {
      return `client "${device.client_id}" is bound to another credential (strict user coupling)`;
    }
    return null;
  }

  private insert(accountId: string, clientId: string): DeviceRow {
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db
      .prepare(
        'INSERT INTO tenancy_devices (id, account_id, client_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, accountId, clientId, now, now);
    const row = this.row(accountId, clientId);
    if (!row) throw new Error('device insert vanished');
    return row;
  }

  /** Operator settings for one device; creates its record so a device can be prepared before it connects. */
  configure(
    account: AccountRow,
    clientId: string,
    changes: {
      coupling?: UserCoupling | null;
      allowUserChange?: boolean;
      reservedCredentialId?: string | null;
    },
  ): DeviceConnection {
    if (changes.reservedCredentialId) {
      const owner = this.ctx.db
        .prepare<[string], { account_id: string }>('SELECT account_id FROM tenancy_credentials WHERE id = ?')
        .get(changes.reservedCredentialId);
      if (!owner) throw new ApiError('NOT_FOUND', `No credential with id ${changes.reservedCredentialId}.`);
      if (owner.account_id !== account.id) {
        throw new ApiError('BAD_REQUEST', 'A device can only reserve a credential of its own account.');
      }
      const holder = this.ctx.db
        .prepare<[string, string], { client_id: string }>(
          'SELECT client_id FROM tenancy_devices WHERE reserved_credential_id = ? AND client_id != ?',
        )
        .get(changes.reservedCredentialId, clientId);
      if (holder) {
        throw new ApiError(
          'CONFLICT',
          `That credential is already reserved for device "${holder.client_id}".`,
        );
      }
    }
    const device = this.row(account.id, clientId) ?? this.insert(account.id, clientId);
    this.ctx.db
      .prepare(
        `UPDATE tenancy_devices SET coupling = ?, allow_user_change = ?, reserved_credential_id = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(
        changes.coupling === undefined ? device.coupling : changes.coupling,
        changes.allowUserChange === undefined ? device.allow_user_change : changes.allowUserChange ? 1 : 0,
        changes.reservedCredentialId === undefined
          ? device.reserved_credential_id
          : changes.reservedCredentialId,
        this.ctx.now(),
        device.id,
      );
    this.ctx.invalidate();
    const dto = this.get(account.id, clientId);
    if (!dto) throw new Error('device vanished');
    return dto;
  }

  /** Records which endpoint a device was provisioned with (used by the provisioning capability). */
  markProvisioned(account: Pick<AccountRow, 'id'>, clientId: string, endpointId: string | null): void {
    const device = this.row(account.id, clientId) ?? this.insert(account.id, clientId);
    this.ctx.db
      .prepare('UPDATE tenancy_devices SET provisioned_endpoint_id = ?, updated_at = ? WHERE id = ?')
      .run(endpointId, this.ctx.now(), device.id);
  }

  delete(id: string): DeviceRow {
    const row = this.ctx.db
      .prepare<[string], DeviceRow>('SELECT * FROM tenancy_devices WHERE id = ?')
      .get(id);
    if (!row) throw new ApiError('NOT_FOUND', `No device record with id ${id}.`);
    if (row.status === 'connected') {
      throw new ApiError('CONFLICT', `Device "${row.client_id}" is connected; disconnect it first.`);
    }
    this.ctx.db.prepare('DELETE FROM tenancy_devices WHERE id = ?').run(id);
    return row;
  }

  recordConnected(client: ClientRef, protocolVersion: number): DeviceRow | undefined {
    const accountId = client.principal.accountId;
    if (accountId === null) return undefined;
    const now = this.ctx.now();
    const attrs = client.principal.attributes ?? {};
    const user =
      client.principal.kind === 'api-key'
        ? `api-key:${String(attrs['apiKeyName'] ?? '')}`
        : (client.principal.username ??
          (attrs['certificateSerial'] ? `certificate:${String(attrs['certificateSerial'])}` : null));
    const device = this.row(accountId, client.clientId) ?? this.insert(accountId, client.clientId);
    this.ctx.db
      .prepare(
        `UPDATE tenancy_devices SET status = 'connected', protocol = ?, listener_id = ?, listener_kind = ?,
           client_address = ?, username = ?, last_connect_at = ?, updated_at = ? WHERE id = ?`,
      )
      .run(
        protocolName(protocolVersion),
        client.listener.id,
        client.listener.kind,
        client.remoteAddress,
        user,
        now,
        now,
        device.id,
      );
    return this.row(accountId, client.clientId);
  }

  recordDisconnected(
    client: ClientRef,
    status: 'disconnected' | 'missing',
    reason: string,
  ): DeviceRow | undefined {
    const accountId = client.principal.accountId;
    if (accountId === null) return undefined;
    const now = this.ctx.now();
    this.ctx.db
      .prepare(
        `UPDATE tenancy_devices SET status = ?, last_disconnect_at = ?, last_disconnect_reason = ?, updated_at = ?
         WHERE account_id = ? AND client_id = ?`,
      )
      .run(status, now, reason, now, accountId, client.clientId);
    return this.row(accountId, client.clientId);
  }

  /** After a restart nobody is connected; earlier "connected" records ended without a DISCONNECT. */
  markAllMissing(reason: string): void {
    const now = this.ctx.now();
    this.ctx.db
      .prepare(
        `UPDATE tenancy_devices SET status = 'missing', last_disconnect_at = ?, last_disconnect_reason = ?, updated_at = ?
         WHERE status = 'connected'`,
      )
      .run(now, reason, now);
  }
}
