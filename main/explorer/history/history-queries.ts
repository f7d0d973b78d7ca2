import type { Database } from 'better-sqlite3';
import type { ExplorerMessage } from '../../../preload/contract/explorer';
import { makePreview } from '../preview';
import { splitAccount } from '../topic-match';
import type { StoredRow } from './history-store';

const INLINE_PAYLOAD_BYTES = 16 * 1024;
const ROW_COLUMNS = `m.id, t.connection_id, t.topic, m.time, m.qos, m.retain, m.size, m.truncated, m.payload,
  m.properties, m.client_id`;

/** Read side of the history: pages, single messages, search and export scans. */
export class HistoryQueries {
  constructor(private readonly db: Database) {}

  page(connectionId: string, topic: string, before: number | undefined, limit: number): StoredRow[] {
    return this.db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id
         WHERE t.connection_id = ? AND t.topic = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`,
      )
      .all(connectionId, topic, before ?? Number.MAX_SAFE_INTEGER, limit) as StoredRow[];
  }

  byId(id: number): StoredRow | undefined {
    return this.db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id WHERE m.id = ?`,
      )
      .get(id) as StoredRow | undefined;
  }

  /** Newest `limit` rows since `since`, returned oldest first. */
  recent(connectionId: string, topic: string, since: number | undefined, limit: number): StoredRow[] {
    const rows = this.db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id
         WHERE t.connection_id = ? AND t.topic = ? AND m.time >= ? ORDER BY m.id DESC LIMIT ?`,
      )
      .all(connectionId, topic, since ?? 0, limit) as StoredRow[];
    return rows.reverse();
  }

  /** Topics of a connection with a stored payload containing `needle` (byte search). */
  topicsContaining(connectionId: string, needle: string, limit: number): string[] {
    return this.db
      .prepare(
        `SELECT DISTINCT t.topic FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id
         WHERE t.connection_id = ? AND instr(m.payload, ?) > 0 LIMIT ?`,
      )
      .pluck()
      .all(connectionId, Buffer.from(needle, 'utf8'), limit) as string[];
  }

  /** All rows of a connection, oldest first, lazily. */
  iterate(connectionId: string, since: number | undefined): IterableIterator<StoredRow> {
    return this.db
      .prepare(
        `SELECT ${ROW_COLUMNS} FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id
         WHERE t.connection_id = ? AND m.time >= ? ORDER BY m.id`,
      )
      .iterate(connectionId, since ?? 0) as IterableIterator<StoredRow>;
  }

  count(connectionId: string, topic: string): number {
    return (
      (this.db
        .prepare(
          `SELECT COUNT(*) FROM explorer_messages m JOIN explorer_topics t ON t.id = m.topic_id
           WHERE t.connection_id = ? AND t.topic = ?`,
        )
        .pluck()
        .get(connectionId, topic) as number) ?? 0
    );
  }
}

export function toMessageDto(row: StoredRow): ExplorerMessage {
  const { account, displayTopic } = splitAccount(row.topic);
  const preview = makePreview(row.payload);
  const dto: ExplorerMessage = {
    id: row.id,
    connectionId: row.connection_id,
    topic: row.topic,
    displayTopic,
    time: row.time,
    qos: row.qos as 0 | 1 | 2,
    retain: row.retain === 1,
    size: row.size,
    truncated: row.truncated === 1,
    storedSize: row.payload.length,
    payload: row.payload.length <= INLINE_PAYLOAD_BYTES ? row.payload.toString('base64') : null,
    preview: preview.text,
    previewKind: preview.kind,
  };
  if (account !== undefined) dto.account = account;
  if (row.properties) dto.properties = JSON.parse(row.properties) as Record<string, unknown>;
  if (row.client_id) dto.clientId = row.client_id;
  return dto;
}
