import crypto from 'node:crypto';
import type { Endpoint, EndpointScheme } from '../../preload/contract/tenancy';
import type { ListenerKind } from '../broker/hooks';
import { ApiError } from '../api/api-error';
import type { AccountRow, AccountService } from './accounts';
import type { TenancyContext } from './context';
import { type EndpointFields, validateEndpoint } from './validation';

export interface RunningListener {
  kind: ListenerKind;
  host: string;
  port: number;
  /** WebSocket path, for ws/wss listeners (default /mqtt). */
  path?: string;
}

export interface EndpointRow {
  id: string;
  account_id: string;
  scheme: EndpointScheme;
  domain: string;
  port: number;
  secure: number;
  created_at: number;
  updated_at: number;
}

const KINDS_OF_SCHEME: Record<EndpointScheme, ListenerKind[]> = {
  mqtt: ['mqtt'],
  mqtts: ['mqtts', 'mqtts-mutual'],
  ws: ['ws'],
  wss: ['wss'],
};

/** Running listeners that serve this scheme on this port. */
export function listenersServing(
  listeners: readonly RunningListener[],
  scheme: EndpointScheme,
  port: number,
): RunningListener[] {
  return listeners.filter((l) => l.port === port && KINDS_OF_SCHEME[scheme].includes(l.kind));
}

/** The secure flag a scheme requires; unknown schemes get false and fail validation on the scheme. */
function impliesSecure(scheme: string): boolean {
  return /^(mqtts|wss)$/i.test(scheme);
}

function toDto(row: EndpointRow): Endpoint {
  return {
    id: row.id,
    accountId: row.account_id,
    scheme: row.scheme,
    domain: row.domain,
    port: row.port,
    secure: row.secure === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Endpoints devices are told to connect to; an account without its own uses its nearest ancestor's. */
export class EndpointService {
  constructor(
    private readonly ctx: TenancyContext,
    private readonly accounts: AccountService,
    private readonly runningListeners: () => RunningListener[],
  ) {}

  row(id: string): EndpointRow | undefined {
    return this.ctx.db.prepare<[string], EndpointRow>('SELECT * FROM tenancy_endpoints WHERE id = ?').get(id);
  }

  require(id: string): EndpointRow {
    const row = this.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No endpoint with id ${id}.`);
    return row;
  }

  toDto = toDto;

  private own(accountId: string): EndpointRow[] {
    return this.ctx.db
      .prepare<[string], EndpointRow>(
        'SELECT * FROM tenancy_endpoints WHERE account_id = ? ORDER BY scheme, domain, port',
      )
      .all(accountId);
  }

  /** The account's own endpoints, or those of its nearest ancestor that has some. */
  effective(accountId: string): { endpoints: Endpoint[]; inheritedFrom: string | null } {
    const chain = this.accounts.chain(this.accounts.require(accountId)).reverse();
    for (const account of chain) {
      const rows = this.own(account.id);
      if (rows.length > 0) {
        return { endpoints: rows.map(toDto), inheritedFrom: account.id === accountId ? null : account.id };
      }
    }
    return { endpoints: [], inheritedFrom: null };
  }

  /**
   * Names devices dial to reach the embedded broker over TLS: the secure endpoints in effect (own or
   * inherited) for accounts on the embedded service. Accounts on external services, and unassigned
   * ones, connect elsewhere or nowhere, so their names stay out of the embedded broker's certificate.
   */
  secureDomains(): string[] {
    const names = new Set<string>();
    const accounts = this.ctx.db.prepare<[], AccountRow>('SELECT * FROM tenancy_accounts').all();
    for (const account of accounts) {
      if (this.accounts.effectiveService(account)?.kind !== 'embedded') continue;
      for (const endpoint of this.effective(account.id).endpoints) {
        if (endpoint.secure) names.add(endpoint.domain.toLowerCase());
      }
    }
    return [...names].sort();
  }

  /** Without `secure`, the flag follows the scheme (true for mqtts and wss). */
  create(accountId: string, fields: Omit<EndpointFields, 'secure'> & { secure?: boolean }): EndpointRow {
    this.accounts.require(accountId);
    const valid = validateEndpoint({ ...fields, secure: fields.secure ?? impliesSecure(fields.scheme) });
    this.assertUnique(accountId, valid, null);
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db
      .prepare(
        `INSERT INTO tenancy_endpoints (id, account_id, scheme, domain, port, secure, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, accountId, valid.scheme, valid.domain, valid.port, valid.secure ? 1 : 0, now, now);
    return this.require(id);
  }

  update(id: string, changes: Partial<EndpointFields>, confirm: boolean): EndpointRow {
    const row = this.require(id);
    const scheme = changes.scheme ?? row.scheme;
    const valid = validateEndpoint({
      scheme,
      domain: changes.domain ?? row.domain,
      port: changes.port ?? row.port,
      // Changing only the scheme implies the matching secure flag.
      secure: changes.secure ?? (changes.scheme === undefined ? row.secure === 1 : impliesSecure(scheme)),
    });
    const unchanged = valid.scheme === row.scheme && valid.domain === row.domain && valid.port === row.port;
    if (unchanged) return row;
    this.assertUnique(row.account_id, valid, row.id);
    if (!confirm) this.assertNoDependents(row, 'Editing');
    this.ctx.db
      .prepare(
        'UPDATE tenancy_endpoints SET scheme = ?, domain = ?, port = ?, secure = ?, updated_at = ? WHERE id = ?',
      )
      .run(valid.scheme, valid.domain, valid.port, valid.secure ? 1 : 0, this.ctx.now(), id);
    return this.require(id);
  }

  delete(id: string, confirm: boolean): EndpointRow {
    const row = this.require(id);
    if (!confirm) this.assertNoDependents(row, 'Deleting');
    this.ctx.db.prepare('DELETE FROM tenancy_endpoints WHERE id = ?').run(id);
    return row;
  }

  /** What would break if the endpoint changed: running listeners serving it and provisioned devices. */
  dependents(row: EndpointRow): { listeners: RunningListener[]; devices: string[] } {
    const listeners = listenersServing(this.runningListeners(), row.scheme, row.port);
    const devices = this.ctx.db
      .prepare<[string], { client_id: string }>(
        'SELECT client_id FROM tenancy_devices WHERE provisioned_endpoint_id = ? ORDER BY client_id',
      )
      .all(row.id)
      .map((r) => r.client_id);
    return { listeners, devices };
  }

  private assertNoDependents(row: EndpointRow, verb: string): void {
    const { listeners, devices } = this.dependents(row);
    if (listeners.length === 0 && devices.length === 0) return;
    const parts: string[] = [];
    if (listeners.length > 0) {
      parts.push(`a running ${listeners.map((l) => `${l.kind} listener on ${l.host}:${l.port}`).join(', ')}`);
    }
    if (devices.length > 0) {
      const shown = devices.slice(0, 10).join(', ');
      parts.push(
        `${devices.length} device(s) provisioned with it (${shown}${devices.length > 10 ? ', …' : ''})`,
      );
    }
    throw new ApiError(
      'CONFLICT',
      `${verb} endpoint ${row.scheme}://${row.domain}:${row.port} affects ${parts.join(' and ')}; repeat with confirm to proceed.`,
      { listeners, devices, requiresConfirm: true },
    );
  }

  private assertUnique(
    accountId: string,
    e: { scheme: string; domain: string; port: number },
    selfId: string | null,
  ) {
    const clash = this.ctx.db
      .prepare<[string, string, string, number], { id: string }>(
        'SELECT id FROM tenancy_endpoints WHERE account_id = ? AND scheme = ? AND domain = ? AND port = ?',
      )
      .get(accountId, e.scheme, e.domain, e.port);
    if (clash && clash.id !== selfId) {
      throw new ApiError(
        'CONFLICT',
        `The account already has the endpoint ${e.scheme}://${e.domain}:${e.port}.`,
      );
    }
  }
}
