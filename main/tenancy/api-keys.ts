import crypto from 'node:crypto';
import type { AccessRule, ApiKey, ApiKeyScope, ApiKeyType } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';
import { assertRules } from './access-rules';
import { parseJson, REASON, type TenancyContext } from './context';

export interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  type: ApiKeyType;
  key_hash: string;
  hint: string;
  scopes: string;
  permissions: string;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

const KEY_PREFIX = 'fbk';

export const DEFAULT_SCOPES: Record<ApiKeyType, ApiKeyScope[]> = {
  operator: ['api.read', 'api.write'],
  application: ['mqtt', 'api.read'],
  device: ['mqtt'],
};

// Keys carry 256 random bits, so a fast hash is enough; only the hash is stored.
function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** `fbk_<id>_<secret>` → its parts, or undefined when it is not shaped like one of our keys. */
function parseKey(key: string): { id: string; secret: string } | undefined {
  const match = /^fbk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(key);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : undefined;
}

export type KeyCheck = { ok: true; row: ApiKeyRow } | { ok: false; reason: string };

/** Per-account API keys for operators, applications and devices. */
export class ApiKeyService {
  constructor(private readonly ctx: TenancyContext) {}

  row(id: string): ApiKeyRow | undefined {
    return this.ctx.db.prepare<[string], ApiKeyRow>('SELECT * FROM tenancy_api_keys WHERE id = ?').get(id);
  }

  require(id: string): ApiKeyRow {
    const row = this.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No API key with id ${id}.`);
    return row;
  }

  toDto(row: ApiKeyRow): ApiKey {
    return {
      id: row.id,
      accountId: row.account_id,
      name: row.name,
      type: row.type,
      scopes: parseJson<ApiKeyScope[]>(row.scopes, []),
      permissions: parseJson<AccessRule[]>(row.permissions, []),
      hint: row.hint,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastUsedAt: row.last_used_at,
    };
  }

  list(accountId: string): ApiKey[] {
    return this.ctx.db
      .prepare<[string], ApiKeyRow>(
        'SELECT * FROM tenancy_api_keys WHERE account_id = ? ORDER BY created_at, id',
      )
      .all(accountId)
      .map((row) => this.toDto(row));
  }

  create(input: {
    accountId: string;
    name: string;
    type: ApiKeyType;
    scopes?: ApiKeyScope[];
    permissions: AccessRule[];
    expiresAt: number | null;
  }): { row: ApiKeyRow; key: string } {
    assertRules(input.permissions);
    const id = crypto.randomBytes(16).toString('hex');
    const secret = crypto.randomBytes(32).toString('base64url');
    const key = `${KEY_PREFIX}_${id}_${secret}`;
    const now = this.ctx.now();
    this.ctx.db
      .prepare(
        `INSERT INTO tenancy_api_keys (id, account_id, name, type, key_hash, hint, scopes, permissions, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.accountId,
        input.name,
        input.type,
        hashSecret(secret),
        `${KEY_PREFIX}_${id.slice(0, 8)}…`,
        JSON.stringify([...new Set(input.scopes ?? DEFAULT_SCOPES[input.type])]),
        JSON.stringify(input.permissions),
        input.expiresAt,
        now,
        now,
      );
    return { row: this.require(id), key };
  }

  update(
    id: string,
    changes: { name?: string; scopes?: ApiKeyScope[]; permissions?: AccessRule[]; expiresAt?: number | null },
  ): ApiKeyRow {
    const row = this.require(id);
    if (changes.permissions) assertRules(changes.permissions);
    this.ctx.db
      .prepare(
        'UPDATE tenancy_api_keys SET name = ?, scopes = ?, permissions = ?, expires_at = ?, updated_at = ? WHERE id = ?',
      )
      .run(
        changes.name ?? row.name,
        changes.scopes ? JSON.stringify([...new Set(changes.scopes)]) : row.scopes,
        changes.permissions ? JSON.stringify(changes.permissions) : row.permissions,
        changes.expiresAt === undefined ? row.expires_at : changes.expiresAt,
        this.ctx.now(),
        id,
      );
    this.ctx.invalidate();
    const updated = this.require(id);
    const check = this.usable(updated, 'mqtt');
    if (!check.ok) this.disconnectUsers(id, check.reason);
    return updated;
  }

  revoke(id: string): ApiKeyRow {
    const row = this.require(id);
    if (row.revoked_at === null) {
      this.ctx.db
        .prepare('UPDATE tenancy_api_keys SET revoked_at = ?, updated_at = ? WHERE id = ?')
        .run(this.ctx.now(), this.ctx.now(), id);
      this.ctx.invalidate();
    }
    this.disconnectUsers(id, `API key "${row.name}" was revoked`);
    return this.require(id);
  }

  /** Finds the key a client presented and checks that it may be used for `scope`. */
  verify(key: string, scope: ApiKeyScope): KeyCheck {
    const parsed = parseKey(key);
    const row = parsed ? this.row(parsed.id) : undefined;
    if (!parsed || !row) return { ok: false, reason: 'unknown API key' };
    const expected = Buffer.from(row.key_hash, 'hex');
    const actual = Buffer.from(hashSecret(parsed.secret), 'hex');
    if (!crypto.timingSafeEqual(expected, actual)) return { ok: false, reason: 'unknown API key' };
    const usable = this.usable(row, scope);
    if (!usable.ok) return usable;
    this.ctx.db
      .prepare('UPDATE tenancy_api_keys SET last_used_at = ? WHERE id = ?')
      .run(this.ctx.now(), row.id);
    return { ok: true, row };
  }

  usable(row: ApiKeyRow, scope: ApiKeyScope): KeyCheck {
    if (row.revoked_at !== null) return { ok: false, reason: `API key "${row.name}" is revoked` };
    if (row.expires_at !== null && row.expires_at <= this.ctx.now()) {
      return { ok: false, reason: `API key "${row.name}" has expired` };
    }
    if (!parseJson<ApiKeyScope[]>(row.scopes, []).includes(scope)) {
      return { ok: false, reason: `API key "${row.name}" lacks the "${scope}" scope` };
    }
    return { ok: true, row };
  }

  private disconnectUsers(apiKeyId: string, reason: string): void {
    this.ctx.disconnect(
      (c) => c.principal.attributes?.['apiKeyId'] === apiKeyId,
      REASON.notAuthorized,
      reason,
    );
  }
}
