import type { Database, Statement } from 'better-sqlite3';

export type EntityRowKind = 'thng' | 'product' | 'collection' | 'actionType' | 'batch' | 'task';

export interface EntityRow {
  id: string;
  account_id: string;
  project_id: string | null;
  kind: EntityRowKind;
  parent_id: string | null;
  name: string;
  body: string;
  created_at: number;
  updated_at: number;
}

export interface PropertyRow {
  key: string;
  value: string;
  timestamp: number;
}

export interface LocationRow {
  longitude: number;
  latitude: number;
  body: string;
  timestamp: number;
}

export interface ActionRow {
  id: string;
  account_id: string;
  project_id: string | null;
  type: string;
  thng_id: string | null;
  product_id: string | null;
  collection_id: string | null;
  body: string;
  timestamp: number;
  created_at: number;
}

export interface KeyBindingRow {
  api_key_id: string;
  thng_id: string | null;
  project_id: string | null;
}

export interface Range {
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

/** Rows trimmed once this many were added to one bounded series since its last trim. */
const TRIM_EVERY = 32;

/** SQLite access for main/resources; bounded series are trimmed as they grow. */
export class ResourceStore {
  private readonly stmts: Record<string, Statement>;
  private readonly sinceTrim = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly caps: { history: number; locations: number; actions: number },
  ) {
    const s = (sql: string) => db.prepare(sql);
    this.stmts = {
      entity: s('SELECT * FROM res_entities WHERE id = ?'),
      insertEntity: s(
        `INSERT INTO res_entities (id, account_id, project_id, kind, parent_id, name, body, created_at, updated_at)
         VALUES (@id, @account_id, @project_id, @kind, @parent_id, @name, @body, @created_at, @updated_at)`,
      ),
      updateEntity: s(
        'UPDATE res_entities SET name = @name, body = @body, project_id = @project_id, updated_at = @updated_at WHERE id = @id',
      ),
      deleteEntity: s('DELETE FROM res_entities WHERE id = ?'),
      countEntities: s('SELECT count(*) AS n FROM res_entities WHERE account_id = ?'),
      property: s('SELECT key, value, timestamp FROM res_property_values WHERE owner_id = ? AND key = ?'),
      properties: s('SELECT key, value, timestamp FROM res_property_values WHERE owner_id = ? ORDER BY key'),
      countProperties: s('SELECT count(*) AS n FROM res_property_values WHERE owner_id = ?'),
      upsertProperty: s(
        `INSERT INTO res_property_values (owner_id, key, value, timestamp) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp
         WHERE excluded.timestamp >= res_property_values.timestamp`,
      ),
      insertHistory: s(
        'INSERT INTO res_property_history (owner_id, key, value, timestamp) VALUES (?, ?, ?, ?)',
      ),
      trimHistory: s(
        `DELETE FROM res_property_history WHERE seq IN (
           SELECT seq FROM res_property_history WHERE owner_id = ? AND key = ?
           ORDER BY timestamp DESC, seq DESC LIMIT -1 OFFSET ?)`,
      ),
      history: s(
        `SELECT key, value, timestamp FROM res_property_history
         WHERE owner_id = ? AND key = ? AND timestamp >= ? AND timestamp <= ?
         ORDER BY timestamp DESC, seq DESC LIMIT ?`,
      ),
      insertLocation: s(
        'INSERT INTO res_locations (thng_id, longitude, latitude, body, timestamp) VALUES (?, ?, ?, ?, ?)',
      ),
      trimLocations: s(
        `DELETE FROM res_locations WHERE seq IN (
           SELECT seq FROM res_locations WHERE thng_id = ? ORDER BY timestamp DESC, seq DESC LIMIT -1 OFFSET ?)`,
      ),
      locations: s(
        `SELECT longitude, latitude, body, timestamp FROM res_locations
         WHERE thng_id = ? AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp DESC, seq DESC LIMIT ?`,
      ),
      insertAction: s(
        `INSERT INTO res_actions (id, account_id, project_id, type, thng_id, product_id, collection_id, body, timestamp, created_at)
         VALUES (@id, @account_id, @project_id, @type, @thng_id, @product_id, @collection_id, @body, @timestamp, @created_at)`,
      ),
      trimActions: s(
        `DELETE FROM res_actions WHERE id IN (
           SELECT id FROM res_actions WHERE account_id = ? ORDER BY created_at DESC LIMIT -1 OFFSET ?)`,
      ),
      addMember: s(
        'INSERT OR IGNORE INTO res_collection_members (collection_id, thng_id, added_at) VALUES (?, ?, ?)',
      ),
      removeMember: s('DELETE FROM res_collection_members WHERE collection_id = ? AND thng_id = ?'),
      clearMembers: s('DELETE FROM res_collection_members WHERE collection_id = ?'),
      members: s(
        'SELECT thng_id FROM res_collection_members WHERE collection_id = ? ORDER BY added_at, thng_id',
      ),
      collectionsOf: s('SELECT collection_id FROM res_collection_members WHERE thng_id = ?'),
      binding: s('SELECT * FROM res_key_bindings WHERE api_key_id = ?'),
      setBinding: s(
        `INSERT INTO res_key_bindings (api_key_id, thng_id, project_id) VALUES (?, ?, ?)
         ON CONFLICT (api_key_id) DO UPDATE SET thng_id = excluded.thng_id, project_id = excluded.project_id`,
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  entity(id: string): EntityRow | undefined {
    return this.stmts['entity']!.get(id) as EntityRow | undefined;
  }

  insertEntity(row: EntityRow): void {
    this.stmts['insertEntity']!.run(row);
  }

  updateEntity(row: Pick<EntityRow, 'id' | 'name' | 'body' | 'project_id' | 'updated_at'>): void {
    this.stmts['updateEntity']!.run(row);
  }

  deleteEntity(id: string): void {
    this.stmts['deleteEntity']!.run(id);
  }

  countEntities(accountId: string): number {
    return (this.stmts['countEntities']!.get(accountId) as { n: number }).n;
  }

  listEntities(
    accountId: string,
    kind: EntityRowKind,
    filter: { projectId?: string | null; parentId?: string; limit: number },
  ): EntityRow[] {
    const where = ['account_id = ?', 'kind = ?'];
    const args: unknown[] = [accountId, kind];
    if (filter.projectId) {
      where.push('project_id = ?');
      args.push(filter.projectId);
    }
    if (filter.parentId) {
      where.push('parent_id = ?');
      args.push(filter.parentId);
    }
    return this.db
      .prepare(`SELECT * FROM res_entities WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id LIMIT ?`)
      .all(...args, filter.limit) as EntityRow[];
  }

  property(ownerId: string, key: string): PropertyRow | undefined {
    return this.stmts['property']!.get(ownerId, key) as PropertyRow | undefined;
  }

  properties(ownerId: string): PropertyRow[] {
    return this.stmts['properties']!.all(ownerId) as PropertyRow[];
  }

  countProperties(ownerId: string): number {
    return (this.stmts['countProperties']!.get(ownerId) as { n: number }).n;
  }

  /** Records one value; the latest value changes only if this one is not older. */
  setProperty(ownerId: string, row: PropertyRow): void {
    this.stmts['upsertProperty']!.run(ownerId, row.key, row.value, row.timestamp);
    this.stmts['insertHistory']!.run(ownerId, row.key, row.value, row.timestamp);
    if (this.due(`p\u0000${ownerId}\u0000${row.key}`)) {
      this.stmts['trimHistory']!.run(ownerId, row.key, this.caps.history);
    }
  }

  history(ownerId: string, key: string, range: Range): PropertyRow[] {
    return this.stmts['history']!.all(
      ownerId,
      key,
      range.from ?? 0,
      range.to ?? Number.MAX_SAFE_INTEGER,
      range.limit,
    ) as PropertyRow[];
  }

  addLocation(thngId: string, row: LocationRow): void {
    this.stmts['insertLocation']!.run(thngId, row.longitude, row.latitude, row.body, row.timestamp);
    if (this.due(`l\u0000${thngId}`)) this.stmts['trimLocations']!.run(thngId, this.caps.locations);
  }

  locations(thngId: string, range: Range): LocationRow[] {
    return this.stmts['locations']!.all(
      thngId,
      range.from ?? 0,
      range.to ?? Number.MAX_SAFE_INTEGER,
      range.limit,
    ) as LocationRow[];
  }

  insertAction(row: ActionRow): void {
    this.stmts['insertAction']!.run(row);
    if (this.due(`a\u0000${row.account_id}`)) {
      this.stmts['trimActions']!.run(row.account_id, this.caps.actions);
    }
  }

  actions(
    accountId: string,
    filter: {
      type?: string;
      column?: 'thng_id' | 'product_id' | 'collection_id';
      id?: string;
      projectId?: string | null;
    },
    range: Range,
  ): ActionRow[] {
    const where = ['account_id = ?', 'timestamp >= ?', 'timestamp <= ?'];
    const args: unknown[] = [accountId, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER];
    if (filter.type && filter.type !== 'all') {
      where.push('type = ?');
      args.push(filter.type);
    }
    if (filter.column && filter.id) {
      where.push(`${filter.column} = ?`);
      args.push(filter.id);
    }
    if (filter.projectId) {
      where.push('project_id = ?');
      args.push(filter.projectId);
    }
    return this.db
      .prepare(
        `SELECT * FROM res_actions WHERE ${where.join(' AND ')} ORDER BY timestamp DESC, created_at DESC LIMIT ?`,
      )
      .all(...args, range.limit) as ActionRow[];
  }

  addMember(collectionId: string, thngId: string, at: number): boolean {
    return this.stmts['addMember']!.run(collectionId, thngId, at).changes > 0;
  }

  removeMember(collectionId: string, thngId: string): boolean {
    return this.stmts['removeMember']!.run(collectionId, thngId).changes > 0;
  }

  clearMembers(collectionId: string): string[] {
    const members = this.members(collectionId);
    this.stmts['clearMembers']!.run(collectionId);
    return members;
  }

  members(collectionId: string): string[] {
    return (this.stmts['members']!.all(collectionId) as { thng_id: string }[]).map((r) => r.thng_id);
  }

  collectionsOf(thngId: string): string[] {
    return (this.stmts['collectionsOf']!.all(thngId) as { collection_id: string }[]).map(
      (r) => r.collection_id,
    );
  }

  binding(apiKeyId: string): KeyBindingRow | undefined {
    return this.stmts['binding']!.get(apiKeyId) as KeyBindingRow | undefined;
  }

  setBinding(apiKeyId: string, thngId: string | null, projectId: string | null): void {
    this.stmts['setBinding']!.run(apiKeyId, thngId, projectId);
  }

  /** Counts additions to one series; true when it is time to trim it. */
  private due(series: string): boolean {
    const count = (this.sinceTrim.get(series) ?? 0) + 1;
    if (count >= TRIM_EVERY || !this.sinceTrim.has(series)) {
      if (this.sinceTrim.size > 100_000) this.sinceTrim.clear();
      this.sinceTrim.set(series, 1);
      return count >= TRIM_EVERY;
    }
    this.sinceTrim.set(series, count);
    return false;
  }
}
