import type { ApiKeyRow, ApiKeyService } from '../tenancy/api-keys';
import type { ResourceAccess } from './access';
import { ResourceError } from './errors';
import type { ResourceStore } from './store';

/**
 * Turns an API key into what it may reach. The key's `mqtt` scope covers every device-facing
 * protocol (MQTT, native WebSocket, REST); `api.read`/`api.write` keys may also use REST and
 * WebSocket for reading and writing.
 */
export class ResourceKeys {
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
