import crypto from 'node:crypto';
import type { Credential } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';
import { REASON, type TenancyContext } from './context';
import type { LoginFailureTracker } from './lockout';
import { hashPassword } from './password-hash';
import { assertPassword, assertUsername } from './validation';

export interface CredentialRow {
  id: string;
  account_id: string;
  username: string;
  password_hash: string;
  enabled: number;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

/** Username/password credentials; usernames are unique system-wide so they identify the account. */
export class CredentialService {
  constructor(
    private readonly ctx: TenancyContext,
    private readonly failures: LoginFailureTracker,
  ) {}

  row(id: string): CredentialRow | undefined {
    return this.ctx.db
      .prepare<[string], CredentialRow>('SELECT * FROM tenancy_credentials WHERE id = ?')
      .get(id);
  }

  require(id: string): CredentialRow {
    const row = this.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No credential with id ${id}.`);
    return row;
  }

  byUsername(username: string): CredentialRow | undefined {
    return this.ctx.db
      .prepare<[string], CredentialRow>('SELECT * FROM tenancy_credentials WHERE username = ?')
      .get(username);
  }

  toDto(row: CredentialRow): Credential {
    return {
      id: row.id,
      accountId: row.account_id,
      username: row.username,
      enabled: row.enabled === 1,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastUsedAt: row.last_used_at,
      lockedAddresses: this.failures.lockedAddresses(row.username),
    };
  }

  list(accountId: string): Credential[] {
    return this.ctx.db
      .prepare<[string], CredentialRow>(
        'SELECT * FROM tenancy_credentials WHERE account_id = ? ORDER BY username',
      )
      .all(accountId)
      .map((row) => this.toDto(row));
  }

  async create(input: {
    accountId: string;
    username: string;
    password: string;
    expiresAt: number | null;
    enabled: boolean;
  }): Promise<CredentialRow> {
    assertUsername(input.username);
    assertPassword(input.password);
    if (this.byUsername(input.username)) {
      throw new ApiError('CONFLICT', `The username "${input.username}" is already taken.`);
    }
    const hash = await hashPassword(input.password);
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    const insert = this.ctx.db.prepare(
      `INSERT INTO tenancy_credentials (id, account_id, username, password_hash, enabled, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    try {
      insert.run(id, input.accountId, input.username, hash, input.enabled ? 1 : 0, input.expiresAt, now, now);
    } catch (err) {
      // Another request took the username while the password was being hashed.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ApiError('CONFLICT', `The username "${input.username}" is already taken.`);
      }
      throw err;
    }
    return this.require(id);
  }

  update(id: string, changes: { enabled?: boolean; expiresAt?: number | null }): CredentialRow {
    const row = this.require(id);
    const enabled = changes.enabled === undefined ? row.enabled : changes.enabled ? 1 : 0;
    const expiresAt = changes.expiresAt === undefined ? row.expires_at : changes.expiresAt;
    this.ctx.db
      .prepare('UPDATE tenancy_credentials SET enabled = ?, expires_at = ?, updated_at = ? WHERE id = ?')
      .run(enabled, expiresAt, this.ctx.now(), id);
    this.ctx.invalidate();
    const now = this.ctx.now();
    if (enabled === 0) this.disconnectUsers(id, `credential "${row.username}" is disabled`);
    else if (expiresAt !== null && expiresAt <= now)
      this.disconnectUsers(id, `credential "${row.username}" has expired`);
    return this.require(id);
  }

  async setPassword(id: string, password: string): Promise<CredentialRow> {
    assertPassword(password);
    const row = this.require(id);
    const hash = await hashPassword(password);
    this.ctx.db
      .prepare('UPDATE tenancy_credentials SET password_hash = ?, updated_at = ? WHERE id = ?')
      .run(hash, this.ctx.now(), id);
    this.failures.clear(row.username);
    return this.require(id);
  }

  unlock(id: string, address?: string): CredentialRow {
    const row = this.require(id);
    this.failures.clear(row.username, address);
    return row;
  }

  delete(id: string): CredentialRow {
    const row = this.require(id);
    this.ctx.db.prepare('DELETE FROM tenancy_credentials WHERE id = ?').run(id);
    this.ctx.invalidate();
    this.failures.clear(row.username);
    this.disconnectUsers(id, `credential "${row.username}" was deleted`);
    return row;
  }

  markUsed(id: string): void {
    this.ctx.db
      .prepare('UPDATE tenancy_credentials SET last_used_at = ? WHERE id = ?')
      .run(this.ctx.now(), id);
  }

  private disconnectUsers(credentialId: string, reason: string): void {
    this.ctx.disconnect(
      (c) => c.principal.attributes?.['credentialId'] === credentialId,
      REASON.notAuthorized,
      reason,
    );
  }
}
