import crypto from 'node:crypto';
import type { ListenerKind } from '../broker/hooks';
import type { ConnectionOption, EndpointScheme, MessagingService } from '../../preload/contract/tenancy';
import { connectionOptions } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';
import { nameList, parseJson, type TenancyContext } from './context';
import { isDomainName } from './validation';

/** The embedded broker's service instance, created on first start. */
export const LOCAL_SERVICE_NAME = 'local';

export interface ServiceRow {
  id: string;
  name: string;
  kind: 'embedded' | 'external';
  endpoints: string;
  options: string | null;
  created_at: number;
  updated_at: number;
}

interface ServiceEndpoint {
  scheme: EndpointScheme;
  host: string;
  port: number;
}

const OPTION_OF_SCHEME: Record<EndpointScheme, ConnectionOption> = {
  mqtt: 'mqtt',
  mqtts: 'mqtts',
  ws: 'ws',
  wss: 'wss',
};

function sortOptions(options: Iterable<ConnectionOption>): ConnectionOption[] {
  const set = new Set(options);
  return connectionOptions.filter((o) => set.has(o));
}

/** Messaging service instances: the embedded broker (`local`) and declared external clusters. */
export class ServiceRegistry {
  constructor(
    private readonly ctx: TenancyContext,
    private readonly listenerKinds: () => ListenerKind[],
  ) {}

  ensureLocal(): ServiceRow {
    const existing = this.ctx.db
      .prepare<[], ServiceRow>("SELECT * FROM tenancy_services WHERE kind = 'embedded'")
      .get();
    if (existing) return existing;
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db
      .prepare(
        "INSERT INTO tenancy_services (id, name, kind, endpoints, options, created_at, updated_at) VALUES (?, ?, 'embedded', '[]', NULL, ?, ?)",
      )
      .run(id, LOCAL_SERVICE_NAME, now, now);
    return this.require(id);
  }

  row(id: string): ServiceRow | undefined {
    return this.ctx.db.prepare<[string], ServiceRow>('SELECT * FROM tenancy_services WHERE id = ?').get(id);
  }

  require(id: string): ServiceRow {
    const row = this.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No messaging service with id ${id}.`);
    return row;
  }

  /** Connection options the instance supports now (the embedded one follows its running listeners). */
  options(row: ServiceRow): ConnectionOption[] {
    if (row.kind === 'embedded') return sortOptions(this.listenerKinds());
    const declared = parseJson<ConnectionOption[] | null>(row.options, null);
    if (declared) return sortOptions(declared);
    return sortOptions(
      parseJson<ServiceEndpoint[]>(row.endpoints, []).map((e) => OPTION_OF_SCHEME[e.scheme]),
    );
  }

  toDto(row: ServiceRow): MessagingService {
    const assigned = this.ctx.db
      .prepare<[string], { id: string }>('SELECT id FROM tenancy_accounts WHERE service_id = ? ORDER BY name')
      .all(row.id)
      .map((r) => r.id);
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      endpoints: parseJson<ServiceEndpoint[]>(row.endpoints, []),
      options: this.options(row),
      assignedAccountIds: assigned,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  list(): MessagingService[] {
    return this.ctx.db
      .prepare<[], ServiceRow>("SELECT * FROM tenancy_services ORDER BY kind = 'external', name")
      .all()
      .map((row) => this.toDto(row));
  }

  createExternal(input: {
    name: string;
    endpoints: ServiceEndpoint[];
    options?: ConnectionOption[];
  }): MessagingService {
    const name = input.name.trim();
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new ApiError('BAD_REQUEST', 'Service names use 1 to 64 letters, digits, ".", "_" or "-".');
    }
    for (const e of input.endpoints) {
      if (!isDomainName(e.host)) throw new ApiError('BAD_REQUEST', `Invalid host name "${e.host}".`);
    }
    if (this.ctx.db.prepare('SELECT 1 FROM tenancy_services WHERE name = ?').get(name)) {
      throw new ApiError('CONFLICT', `A messaging service named "${name}" already exists.`);
    }
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db
      .prepare(
        "INSERT INTO tenancy_services (id, name, kind, endpoints, options, created_at, updated_at) VALUES (?, ?, 'external', ?, ?, ?, ?)",
      )
      .run(
        id,
        name,
        JSON.stringify(input.endpoints),
        input.options ? JSON.stringify(sortOptions(input.options)) : null,
        now,
        now,
      );
    return this.toDto(this.require(id));
  }

  delete(id: string): void {
    const row = this.require(id);
    if (row.kind === 'embedded')
      throw new ApiError('CONFLICT', 'The embedded broker’s service cannot be deleted.');
    const users = this.ctx.db
      .prepare<[string], { name: string }>(
        'SELECT name FROM tenancy_accounts WHERE service_id = ? ORDER BY name',
      )
      .all(id)
      .map((r) => r.name);
    if (users.length > 0) {
      // Sub-accounts use their level-one ancestor's service without an assignment of their own.
      const inheriting =
        this.ctx.db
          .prepare<[string], { n: number }>(
            `WITH RECURSIVE below(id) AS (
               SELECT c.id FROM tenancy_accounts c JOIN tenancy_accounts p ON c.parent_id = p.id
                 WHERE p.service_id = ? AND p.depth = 1
               UNION ALL SELECT a.id FROM tenancy_accounts a JOIN below b ON a.parent_id = b.id
             ) SELECT COUNT(*) AS n FROM below`,
          )
          .get(id)?.n ?? 0;
      const also =
        inheriting > 0
          ? ` (and ${inheriting} sub-account${inheriting === 1 ? '' : 's'} below, which inherit it)`
          : '';
      throw new ApiError(
        'CONFLICT',
        `Service "${row.name}" is still used by ${users.length === 1 ? 'account' : 'accounts'} ${nameList(users)}${also}; assign ${users.length === 1 ? 'it' : 'them'} another service first.`,
        { accounts: users, inheritingSubAccounts: inheriting },
      );
    }
    this.ctx.db.prepare('DELETE FROM tenancy_services WHERE id = ?').run(id);
  }
}
