import type { Database } from 'better-sqlite3';
import type {
  ProvisionAttachment,
  ProvisionRequest,
  ProvisionStatus,
  ProvisionStep,
} from '../../preload/contract/provisioning';

export interface RequestRow {
  id: string;
  target_account_id: string;
  client_id: string;
  username: string;
  password_hash: string;
  activation_key_sha256: string | null;
  enabled: number;
  activates_at: number | null;
  expires_at: number | null;
  retry_max_attempts: number;
  secure_url: number;
  coupling: 'loose' | 'strict';
  status: ProvisionStatus;
  retries: number;
  device_request_id: string | null;
  device_identity: string | null;
  issued_credential_id: string | null;
  issued_username: string | null;
  issued_certificate_serial: string | null;
  last_step_at: number | null;
  last_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface AttachmentRow {
  id: string;
  request_id: string;
  position: number;
  kind: 'configuration' | 'application';
  name: string;
  sha256: string;
  size: number;
  content: Buffer;
}

export type NewRequest = Omit<
  RequestRow,
  | 'status'
  | 'retries'
  | 'device_request_id'
  | 'device_identity'
  | 'issued_credential_id'
  | 'issued_username'
  | 'issued_certificate_serial'
  | 'last_step_at'
  | 'last_reason'
  | 'updated_at'
>;

/** The issued identity a job carries between the provision reply and completion. */
export interface Issued {
  credentialId: string | null;
  username: string | null;
  certificateSerial: string | null;
}

/** SQLite access for provision requests, attachments and job steps; no business rules here. */
export class ProvisionRepository {
  constructor(private readonly db: Database) {}

  row(id: string): RequestRow | undefined {
    return this.db.prepare<[string], RequestRow>('SELECT * FROM provision_requests WHERE id = ?').get(id);
  }

  byTarget(accountId: string, clientId: string): RequestRow | undefined {
    return this.db
      .prepare<[string, string], RequestRow>(
        'SELECT * FROM provision_requests WHERE target_account_id = ? AND client_id = ?',
      )
      .get(accountId, clientId);
  }

  byUsername(username: string): RequestRow[] {
    return this.db
      .prepare<[string], RequestRow>('SELECT * FROM provision_requests WHERE username = ?')
      .all(username);
  }

  hasUsername(username: string): boolean {
    return (
      this.db
        .prepare<[string], { n: number }>('SELECT 1 AS n FROM provision_requests WHERE username = ?')
        .get(username) !== undefined
    );
  }

  all(): RequestRow[] {
    return this.db
      .prepare<[], RequestRow>('SELECT * FROM provision_requests ORDER BY created_at DESC, id')
      .all();
  }

  inStatuses(statuses: readonly ProvisionStatus[]): RequestRow[] {
    const marks = statuses.map(() => '?').join(', ');
    return this.db
      .prepare<ProvisionStatus[], RequestRow>(`SELECT * FROM provision_requests WHERE status IN (${marks})`)
      .all(...statuses);
  }

  insert(row: NewRequest, attachments: Omit<AttachmentRow, 'request_id'>[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO provision_requests (id, target_account_id, client_id, username, password_hash,
             activation_key_sha256, enabled, activates_at, expires_at, retry_max_attempts, secure_url, coupling,
             last_step_at, last_reason, created_at, updated_at)
           VALUES (@id, @target_account_id, @client_id, @username, @password_hash, @activation_key_sha256,
             @enabled, @activates_at, @expires_at, @retry_max_attempts, @secure_url, @coupling,
             @created_at, 'request created', @created_at, @created_at)`,
        )
        .run(row);
      const add = this.db.prepare(
        `INSERT INTO provision_attachments (id, request_id, position, kind, name, sha256, size, content)
         VALUES (@id, @request_id, @position, @kind, @name, @sha256, @size, @content)`,
      );
      for (const a of attachments) add.run({ ...a, request_id: row.id });
      this.addStep(row.id, row.created_at, 'CREATED', 'request created');
    })();
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM provision_requests WHERE id = ?').run(id);
  }

  /** Moves the job to `status` and appends the step, in one transaction. */
  step(
    id: string,
    at: number,
    status: ProvisionStatus,
    reason: string,
    changes: Partial<Pick<RequestRow, 'retries' | 'enabled' | 'device_request_id' | 'device_identity'>> & {
      issued?: Issued;
    } = {},
  ): void {
    this.db.transaction(() => {
      const sets = ['status = @status', 'last_step_at = @at', 'last_reason = @reason', 'updated_at = @at'];
      const params: Record<string, unknown> = { id, at, status, reason };
      for (const key of ['retries', 'enabled', 'device_request_id', 'device_identity'] as const) {
        if (changes[key] !== undefined) {
          sets.push(`${key} = @${key}`);
          params[key] = changes[key];
        }
      }
      if (changes.issued) {
        sets.push(
          'issued_credential_id = @credentialId',
          'issued_username = @username',
          'issued_certificate_serial = @certificateSerial',
        );
        Object.assign(params, changes.issued);
      }
      this.db.prepare(`UPDATE provision_requests SET ${sets.join(', ')} WHERE id = @id`).run(params);
      this.addStep(id, at, status, reason);
    })();
  }

  private addStep(id: string, at: number, status: ProvisionStatus, reason: string): void {
    this.db
      .prepare('INSERT INTO provision_steps (request_id, at, status, reason) VALUES (?, ?, ?, ?)')
      .run(id, at, status, reason);
  }

  timeline(id: string): ProvisionStep[] {
    return this.db
      .prepare<[string], ProvisionStep>(
        'SELECT at, status, reason FROM provision_steps WHERE request_id = ? ORDER BY id',
      )
      .all(id);
  }

  attachments(id: string): AttachmentRow[] {
    return this.db
      .prepare<[string], AttachmentRow>(
        'SELECT * FROM provision_attachments WHERE request_id = ? ORDER BY position',
      )
      .all(id);
  }

  attachmentMeta(id: string): ProvisionAttachment[] {
    return this.db
      .prepare<[string], ProvisionAttachment>(
        'SELECT id, kind, name, sha256, size FROM provision_attachments WHERE request_id = ? ORDER BY position',
      )
      .all(id);
  }

  /** `length` bytes of an attachment from `offset`, without loading the whole file. */
  chunk(attachmentId: string, offset: number, length: number): Buffer {
    const row = this.db
      .prepare<[number, number, string], { part: Buffer }>(
        'SELECT substr(content, ?, ?) AS part FROM provision_attachments WHERE id = ?',
      )
      .get(offset + 1, length, attachmentId);
    return row?.part ?? Buffer.alloc(0);
  }

  toDto(row: RequestRow, accountName: string): ProvisionRequest {
    return {
      id: row.id,
      targetAccountId: row.target_account_id,
      targetAccountName: accountName,
      clientId: row.client_id,
      username: row.username,
      hasActivationKey: row.activation_key_sha256 !== null,
      enabled: row.enabled === 1,
      activatesAt: row.activates_at,
      expiresAt: row.expires_at,
      retryMaxAttempts: row.retry_max_attempts,
      secureUrl: row.secure_url === 1,
      coupling: row.coupling,
      status: row.status,
      retries: row.retries,
      deviceIdentity: row.device_identity
        ? (JSON.parse(row.device_identity) as Record<string, string>)
        : null,
      issuedUsername: row.issued_username,
      issuedCertificateSerial: row.issued_certificate_serial,
      lastStepAt: row.last_step_at,
      lastReason: row.last_reason,
      attachments: this.attachmentMeta(row.id),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
