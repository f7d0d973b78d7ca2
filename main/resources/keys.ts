import crypto from 'node:crypto';
import type { ApiKeyRow, ApiKeyService } from '../tenancy/api-keys';
import type { ResourceAccess } from './access';
import { ResourceError } from './errors';
import type { ResourceStore } from './store';

/**
 * Turns an API key into what it may reach. The key's `mqtt` scope covers every device-facing
 * protocol (MQTT, native WebSocket, REST); `api.read`/`api.write` keys may also use REST and
 * WebSocket for reading and writing.
 */
/** A key verified this recently is only re-checked for usability (no hash compare, no `last_used_at` write). */
const VERIFIED_FOR_MS = 10_000;
const MAX_VERIFIED = 10_000;

export class ResourceKeys {
  /** SHA-256 of a presented key → the key id it proved, and when. */
  private readonly verified = new Map<string, { id: string; at: number }>();

  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly store: ResourceStore,
  ) {}

  accessOf(row: ApiKeyRow): ResourceAccess {
    const binding = this.store.binding(row.id);
    return {
      accountId: row.account_id,
      apiKeyId: row.id,
      keyName: row.name,
      keyType: row.type,
      thngId: binding?.thng_id ?? null,
      projectId: binding?.project_id ?? null,
    };
  }

  /** The key presented on REST or WebSocket; 401 when unknown, 403 when not usable. */
  authenticate(key: string | undefined, mode: 'read' | 'write'): ResourceAccess {
    if (!key) throw new ResourceError(401, 'An API key is required in the Authorization header');
    const digest = crypto.createHash('sha256').update(key).digest('base64');
    const known = this.verified.get(digest);
    if (known && Date.now() - known.at < VERIFIED_FOR_MS) {
      const access = this.current(known.id);
      if (access) return access;
    }
    const access = this.verify(key, mode);
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(digest, { id: access.apiKeyId, at: Date.now() });
    return access;
  }

  private verify(key: string, mode: 'read' | 'write'): ResourceAccess {
    let check = this.apiKeys.verify(key, 'mqtt');
    if (!check.ok && check.reason !== 'unknown API key') {
      check = this.apiKeys.verify(key, mode === 'read' ? 'api.read' : 'api.write');
    }
    if (!check.ok) {
      throw check.reason === 'unknown API key'
        ? new ResourceError(401, 'Unknown API key')
        : new ResourceError(403, `Not authorized: ${check.reason}`);
    }
    return this.accessOf(check.row);
  }

  /** The access of a key still usable for `mqtt`, or null (revoked, expired, deleted). */
  current(apiKeyId: string): ResourceAccess | null {
    const row = this.apiKeys.row(apiKeyId);
    if (!row) return null;
    const usable = this.apiKeys.usable(row, 'mqtt');
    const fallback = usable.ok ? usable : this.apiKeys.usable(row, 'api.read');
    return fallback.ok ? this.accessOf(row) : null;
  }
}
