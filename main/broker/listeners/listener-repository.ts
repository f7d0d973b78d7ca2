import type { Database } from 'better-sqlite3';
import { parseListenerOptions } from './listener-options';
import type { ListenerKind, ListenerRecord } from './types';

interface ListenerRow {
  id: string;
  kind: ListenerKind;
  host: string;
  port: number;
  enabled: number;
  options: string;
}

/** SQLite persistence of listener records (table `listeners`, migration 0006). TLS material is never stored here. */
export class ListenerRepository {
  constructor(private readonly db: Database) {}

  all(): ListenerRecord[] {
    const rows = this.db
      .prepare('SELECT id, kind, host, port, enabled, options FROM listeners ORDER BY created_at, id')
      .all() as ListenerRow[];
    return rows.map(toRecord);
  }

  insert(record: ListenerRecord): void {
    this.db
      .prepare(
        `INSERT INTO listeners (id, kind, host, port, enabled, options, created_at, updated_at)
         VALUES (@id, @kind, @host, @port, @enabled, @options, @now, @now)`,
      )
      .run(toRow(record));
  }

  update(record: ListenerRecord): void {
    this.db
      .prepare(
        `UPDATE listeners SET kind = @kind, host = @host, port = @port, enabled = @enabled,
           options = @options, updated_at = @now WHERE id = @id`,
      )
      .run(toRow(record));
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM listeners WHERE id = ?').run(id);
  }
}

function toRecord(row: ListenerRow): ListenerRecord {
  return {
    id: row.id,
    kind: row.kind,
    host: row.host,
    port: row.port,
    enabled: row.enabled === 1,
    options: parseListenerOptions(JSON.parse(row.options)),
    ephemeral: false,
  };
}

function toRow(record: ListenerRecord) {
  return {
    id: record.id,
    kind: record.kind,
    host: record.host,
    port: record.port,
    enabled: record.enabled ? 1 : 0,
    options: JSON.stringify(record.options),
    now: new Date().toISOString(),
  };
}
