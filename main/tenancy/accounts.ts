import crypto from 'node:crypto';
import type { Account, ConnectionOption, UserCoupling } from '../../preload/contract/tenancy';
import { ApiError } from '../api/api-error';
import { DEFAULT_TEMPLATE, writeRules } from './access-rules';
import { nameList, parseJson, REASON, type TenancyContext } from './context';
import type { ServiceRegistry, ServiceRow } from './services';
import { assertAccountName, assertEmail } from './validation';

export const DEFAULT_ROOT_NAME = 'sys';

export interface AccountRow {
  id: string;
  name: string;
  parent_id: string | null;
  depth: number;
  organization: string;
  email: string | null;
  expires_at: number | null;
  enabled: number;
  max_child_accounts: number | null;
  max_devices: number | null;
  service_id: string | null;
  connection_options: string | null;
  user_coupling: UserCoupling;
  created_at: number;
  updated_at: number;
}

export type Usability = { ok: true } | { ok: false; reason: string };

export interface CreateAccountInput {
  parentId: string;
  name: string;
  organization: string;
  email: string | null;
  expiresAt: number | null;
  maxChildAccounts: number | null;
  maxDevices: number | null;
  userCoupling: UserCoupling;
  serviceId: string | null;
}

export interface UpdateAccountInput {
  id: string;
  organization?: string;
  email?: string | null;
  expiresAt?: number | null;
  maxChildAccounts?: number | null;
  maxDevices?: number | null;
  userCoupling?: UserCoupling;
}

/** The account hierarchy: one root, level-one children, deeper descendants. */
export class AccountService {
  constructor(
    private readonly ctx: TenancyContext,
    private readonly services: ServiceRegistry,
  ) {}

  // ---- lookups ----

  row(id: string): AccountRow | undefined {
    return this.ctx.db.prepare<[string], AccountRow>('SELECT * FROM tenancy_accounts WHERE id = ?').get(id);
  }

  require(id: string): AccountRow {
    const row = this.row(id);
    if (!row) throw new ApiError('NOT_FOUND', `No account with id ${id}.`);
    return row;
  }

  root(): AccountRow | undefined {
    return this.ctx.db.prepare<[], AccountRow>('SELECT * FROM tenancy_accounts WHERE depth = 0').get();
  }

  /** The account and its ancestors, root first. */
  chain(row: AccountRow): AccountRow[] {
    const chain = [row];
    let current = row;
    while (current.parent_id !== null) {
      current = this.require(current.parent_id);
      chain.unshift(current);
    }
    return chain;
  }

  /** Ids of the account and all its descendants. */
  subtreeIds(id: string): Set<string> {
    const rows = this.ctx.db
      .prepare<[string], { id: string }>(
        `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT a.id FROM tenancy_accounts a JOIN sub ON a.parent_id = sub.id)
         SELECT id FROM sub`,
      )
      .all(id);
    return new Set(rows.map((r) => r.id));
  }

  /** The root or level-one account whose assignment applies to this account. */
  serviceOwner(row: AccountRow): AccountRow {
    if (row.depth <= 1) return row;
    const owner = this.chain(row)[1];
    if (!owner) throw new Error(`Account ${row.name} has no level-one ancestor`);
    return owner;
  }

  effectiveService(row: AccountRow): ServiceRow | undefined {
    const owner = this.serviceOwner(row);
    return owner.service_id === null ? undefined : this.services.row(owner.service_id);
  }

  effectiveOptions(row: AccountRow): ConnectionOption[] {
    const service = this.effectiveService(row);
    if (!service) return [];
    const supported = this.services.options(service);
    const allowed = parseJson<ConnectionOption[] | null>(row.connection_options, null);
    return allowed === null ? supported : supported.filter((o) => allowed.includes(o));
  }

  /** An account is usable when it and every ancestor is enabled and unexpired. */
  usability(row: AccountRow, now = this.ctx.now()): Usability {
    for (const account of this.chain(row)) {
      const whose = account.id === row.id ? `account "${row.name}"` : `ancestor account "${account.name}"`;
      if (!account.enabled) return { ok: false, reason: `${whose} is disabled` };
      if (account.expires_at !== null && account.expires_at <= now)
        return { ok: false, reason: `${whose} has expired` };
    }
    return { ok: true };
  }

  toDto(row: AccountRow): Account {
    const chain = this.chain(row);
    const owner = this.serviceOwner(row);
    const counts = this.ctx.db
      .prepare<[string, string], { children: number; devices: number }>(
        `SELECT (SELECT COUNT(*) FROM tenancy_accounts WHERE parent_id = ?) AS children,
                (SELECT COUNT(*) FROM tenancy_devices WHERE account_id = ?) AS devices`,
      )
      .get(row.id, row.id) ?? { children: 0, devices: 0 };
    return {
      id: row.id,
      name: row.name,
      parentId: row.parent_id,
      depth: row.depth,
      path: chain.map((a) => a.name),
      organization: row.organization,
      email: row.email,
      expiresAt: row.expires_at,
      enabled: row.enabled === 1,
      usable: this.usability(row).ok,
      maxChildAccounts: row.max_child_accounts,
      maxDevices: row.max_devices,
      serviceId: row.depth <= 1 ? row.service_id : null,
      effectiveServiceId: owner.service_id,
      serviceInheritedFrom: owner.id === row.id ? null : owner.id,
      connectionOptions: parseJson<ConnectionOption[] | null>(row.connection_options, null),
      effectiveConnectionOptions: this.effectiveOptions(row),
      userCoupling: row.user_coupling,
      childCount: counts.children,
      deviceCount: counts.devices,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  list(parentId?: string): Account[] {
    const rows =
      parentId === undefined
        ? this.ctx.db.prepare<[], AccountRow>('SELECT * FROM tenancy_accounts ORDER BY depth, name').all()
        : this.ctx.db
            .prepare<[string], AccountRow>('SELECT * FROM tenancy_accounts WHERE parent_id = ? ORDER BY name')
            .all(this.require(parentId).id);
    return rows.map((row) => this.toDto(row));
  }

  // ---- changes ----

  /** Creates the root account (and assigns it to `serviceId`) unless one exists. */
  ensureRoot(name: string, serviceId: string): AccountRow {
    const existing = this.root();
    if (existing) return existing;
    assertAccountName(name);
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db
      .prepare(
        `INSERT INTO tenancy_accounts (id, name, parent_id, depth, organization, service_id, created_at, updated_at)
         VALUES (?, ?, NULL, 0, 'System', ?, ?, ?)`,
      )
      .run(id, name, serviceId, now, now);
    writeRules(this.ctx.db, id, null, DEFAULT_TEMPLATE);
    this.ctx.logger.info({ account: name }, 'created root account');
    return this.require(id);
  }

  create(input: CreateAccountInput): AccountRow {
    assertAccountName(input.name);
    assertEmail(input.email);
    const parent = this.require(input.parentId);
    this.assertNameFree(input.name);
    this.assertWithinParentExpiry(parent, input.expiresAt, input.name);
    if (parent.max_child_accounts !== null) {
      const children = this.countChildren(parent.id);
      if (children >= parent.max_child_accounts) {
        throw new ApiError(
          'CONFLICT',
          `Account "${parent.name}" may have at most ${parent.max_child_accounts} child accounts (it has ${children}).`,
        );
      }
    }
    const depth = parent.depth + 1;
    if (input.serviceId !== null) {
      if (depth > 1) {
        throw new ApiError(
          'BAD_REQUEST',
          'Only level-one accounts are assigned a messaging service; deeper accounts inherit their level-one ancestor’s.',
        );
      }
      this.services.require(input.serviceId);
    }
    const now = this.ctx.now();
    const id = crypto.randomUUID();
    this.ctx.db.transaction(() => {
      this.ctx.db
        .prepare(
          `INSERT INTO tenancy_accounts (id, name, parent_id, depth, organization, email, expires_at, max_child_accounts,
             max_devices, service_id, user_coupling, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.name,
          parent.id,
          depth,
          input.organization,
          input.email,
          input.expiresAt,
          input.maxChildAccounts,
          input.maxDevices,
          input.serviceId,
          input.userCoupling,
          now,
          now,
        );
      writeRules(this.ctx.db, id, null, DEFAULT_TEMPLATE);
    })();
    return this.require(id);
  }

  update(input: UpdateAccountInput): AccountRow {
    const row = this.require(input.id);
    if (input.email !== undefined) assertEmail(input.email);
    if (input.expiresAt !== undefined) {
      if (row.parent_id !== null)
        this.assertWithinParentExpiry(this.require(row.parent_id), input.expiresAt, row.name);
      if (input.expiresAt !== null) {
        const outliving = this.ctx.db
          .prepare<[string, number], { name: string }>(
            'SELECT name FROM tenancy_accounts WHERE parent_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY name',
          )
          .all(row.id, input.expiresAt)
          .map((r) => r.name);
        if (outliving.length > 0) {
          throw new ApiError(
            'CONFLICT',
            `Child accounts ${nameList(outliving)} would outlive "${row.name}"; give them an earlier expiration first.`,
            { children: outliving },
          );
        }
      }
    }
    const next = {
      organization: input.organization ?? row.organization,
      email: input.email === undefined ? row.email : input.email,
      expires_at: input.expiresAt === undefined ? row.expires_at : input.expiresAt,
      max_child_accounts:
        input.maxChildAccounts === undefined ? row.max_child_accounts : input.maxChildAccounts,
      max_devices: input.maxDevices === undefined ? row.max_devices : input.maxDevices,
      user_coupling: input.userCoupling ?? row.user_coupling,
    };
    this.ctx.db
      .prepare(
        `UPDATE tenancy_accounts SET organization = @organization, email = @email, expires_at = @expires_at,
           max_child_accounts = @max_child_accounts, max_devices = @max_devices, user_coupling = @user_coupling,
           updated_at = @now WHERE id = @id`,
      )
      .run({ ...next, now: this.ctx.now(), id: row.id });
    this.ctx.invalidate();
    const updated = this.require(row.id);
    const usable = this.usability(updated);
    if (!usable.ok) this.disconnectSubtree(updated, usable.reason);
    return updated;
  }

  rename(id: string, name: string): AccountRow {
    assertAccountName(name);
    const row = this.require(id);
    if (row.name === name) return row;
    if (row.name.toLowerCase() !== name.toLowerCase()) this.assertNameFree(name);
    this.ctx.db
      .prepare('UPDATE tenancy_accounts SET name = ?, updated_at = ? WHERE id = ?')
      .run(name, this.ctx.now(), id);
    this.ctx.invalidate();
    // Connected clients carry the old topic namespace; make them reconnect into the new one.
    this.ctx.disconnect(
      (c) => c.principal.accountId === id,
      REASON.administrativeAction,
      `account renamed from "${row.name}" to "${name}"`,
    );
    return this.require(id);
  }

  setEnabled(id: string, enabled: boolean): AccountRow {
    const row = this.require(id);
    this.ctx.db
      .prepare('UPDATE tenancy_accounts SET enabled = ?, updated_at = ? WHERE id = ?')
      .run(enabled ? 1 : 0, this.ctx.now(), id);
    this.ctx.invalidate();
    if (!enabled) this.disconnectSubtree(row, `account "${row.name}" is disabled`);
    return this.require(id);
  }

  expire(id: string): AccountRow {
    const row = this.require(id);
    const now = this.ctx.now();
    this.ctx.db
      .prepare('UPDATE tenancy_accounts SET expires_at = ?, updated_at = ? WHERE id = ?')
      .run(now, now, id);
    this.ctx.invalidate();
    this.disconnectSubtree(row, `account "${row.name}" has expired`);
    return this.require(id);
  }

  delete(id: string): AccountRow {
    const row = this.require(id);
    if (row.depth === 0) throw new ApiError('CONFLICT', 'The root account cannot be deleted.');
    const children = this.ctx.db
      .prepare<[string], { name: string }>(
        'SELECT name FROM tenancy_accounts WHERE parent_id = ? ORDER BY name',
      )
      .all(id)
      .map((r) => r.name);
    const devices = this.ctx.db
      .prepare<[string], { client_id: string }>(
        'SELECT client_id FROM tenancy_devices WHERE account_id = ? ORDER BY client_id',
      )
      .all(id)
      .map((r) => r.client_id);
    if (children.length > 0 || devices.length > 0) {
      const parts: string[] = [];
      if (children.length > 0) parts.push(`child accounts ${nameList(children)}`);
      if (devices.length > 0) parts.push(`devices ${nameList(devices)}`);
      throw new ApiError('CONFLICT', `Account "${row.name}" still has ${parts.join(' and ')}.`, {
        children,
        devices,
      });
    }
    this.ctx.db.prepare('DELETE FROM tenancy_accounts WHERE id = ?').run(id);
    this.ctx.invalidate();
    this.ctx.disconnect(
      (c) => c.principal.accountId === id,
      REASON.notAuthorized,
      `account "${row.name}" was deleted`,
    );
    return row;
  }

  /** Assigns a root or level-one account; null unassigns and drops every device in the subtree. */
  assignService(accountId: string, serviceId: string | null): AccountRow {
    const row = this.require(accountId);
    if (row.depth > 1) {
      const owner = this.serviceOwner(row);
      throw new ApiError(
        'CONFLICT',
        `Account "${row.name}" inherits its messaging service from level-one account "${owner.name}"; change it there.`,
        { inheritedFrom: owner.id },
      );
    }
    const service = serviceId === null ? undefined : this.services.require(serviceId);
    this.ctx.db
      .prepare('UPDATE tenancy_accounts SET service_id = ?, updated_at = ? WHERE id = ?')
      .run(serviceId, this.ctx.now(), accountId);
    this.ctx.invalidate();
    // A level-one assignment covers its descendants; the root's covers only the root itself.
    const affected = row.depth === 0 ? new Set([row.id]) : this.subtreeIds(row.id);
    const reason = !service
      ? `account "${row.name}" has no messaging service`
      : service.kind === 'embedded'
        ? null
        : `account "${row.name}" moved to messaging service "${service.name}"`;
    if (reason !== null) {
      this.ctx.disconnect(
        (c) => c.principal.accountId !== null && affected.has(c.principal.accountId),
        REASON.notAuthorized,
        reason,
      );
    }
    return this.require(accountId);
  }

  setConnectionOptions(accountId: string, options: ConnectionOption[] | null): AccountRow {
    const row = this.require(accountId);
    if (options !== null) {
      const service = this.effectiveService(row);
      if (!service) {
        throw new ApiError(
          'CONFLICT',
          `Account "${row.name}" has no messaging service, so no connection option can be enabled.`,
        );
      }
      const supported = this.services.options(service);
      const lacking = options.filter((o) => !supported.includes(o));
      if (lacking.length > 0) {
        throw new ApiError(
          'BAD_REQUEST',
          `Messaging service "${service.name}" does not offer ${lacking.join(', ')}` +
            (service.kind === 'embedded' ? ' (no such listener is running)' : '') +
            `; it supports ${supported.length > 0 ? supported.join(', ') : 'no options right now'}.`,
          { unsupported: lacking, supported, serviceId: service.id },
        );
      }
    }
    const stored = options === null ? null : JSON.stringify([...new Set(options)]);
    this.ctx.db
      .prepare('UPDATE tenancy_accounts SET connection_options = ?, updated_at = ? WHERE id = ?')
      .run(stored, this.ctx.now(), accountId);
    this.ctx.invalidate();
    if (options !== null) {
      this.ctx.disconnect(
        (c) => c.principal.accountId === accountId && !options.includes(c.listener.kind),
        REASON.notAuthorized,
        `connection option no longer allowed for account "${row.name}"`,
      );
    }
    return this.require(accountId);
  }

  /** Disconnects the devices of an account and all its descendants. */
  disconnectSubtree(row: AccountRow, reason: string, code: number = REASON.notAuthorized): void {
    const ids = this.subtreeIds(row.id);
    this.ctx.disconnect(
      (c) => c.principal.accountId !== null && ids.has(c.principal.accountId),
      code,
      reason,
    );
  }

  private countChildren(id: string): number {
    return (
      this.ctx.db
        .prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM tenancy_accounts WHERE parent_id = ?')
        .get(id)?.n ?? 0
    );
  }

  private assertNameFree(name: string): void {
    if (this.ctx.db.prepare('SELECT 1 FROM tenancy_accounts WHERE name = ?').get(name)) {
      throw new ApiError('CONFLICT', `An account named "${name}" already exists.`);
    }
  }

  private assertWithinParentExpiry(parent: AccountRow, expiresAt: number | null, childName: string): void {
    if (parent.expires_at === null) return;
    if (expiresAt === null || expiresAt > parent.expires_at) {
      throw new ApiError(
        'BAD_REQUEST',
        `Account "${childName}" may not outlive its parent "${parent.name}", which expires at ${new Date(parent.expires_at).toISOString()}.`,
      );
    }
  }
}
