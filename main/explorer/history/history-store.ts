import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { FlowMessage } from '../types';

export interface HistoryOptions {
  /** Messages kept per topic (oldest pruned in batches). */
  maxMessagesPerTopic?: number;
  /** Total stored payload bytes across all topics. */
  maxTotalBytes?: number;
  /** Payloads above this are stored truncated and flagged, with the real size kept. */
  maxPayloadBytes?: number;
  /** Queued messages are written at least this often, in one transaction. */
  flushIntervalMs?: number;
  /** Messages queued while the database lags; beyond this the oldest are dropped (counted). */
  maxQueued?: number;
}

export interface StoredRow {
  id: number;
  connection_id: string;
  topic: string;
  time: number;
  qos: number;
  retain: number;
  size: number;
  truncated: number;
  payload: Buffer;
  properties: string | null;
  client_id: string | null;
}

const PRUNE_SLACK = 0.1;
const GLOBAL_PRUNE_BATCH = 2000;
const GLOBAL_PRUNE_TARGET = 0.9;
const BATCH_SIZE = 2000;

/** SQLite-backed message history: batched writes, per-topic and total-size bounds. */
export class HistoryStore {
  readonly maxPayloadBytes: number;
  private readonly maxPerTopic: number;
  private readonly maxTotalBytes: number;
  private readonly maxQueued: number;
  private queue: FlowMessage[] = [];
  private readonly topicIds = new Map<string, number>();
  private totalBytes: number;
  private timer: NodeJS.Timeout | undefined;
  dropped = 0;
  written = 0;

  private readonly st: {
    insertTopic: Statement;
    topicId: Statement;
    insertMessage: Statement;
    bumpCount: Statement;
    pruneTopic: Statement;
    oldest: Statement;
    countsUpTo: Statement;
    deleteUpTo: Statement;
    decCount: Statement;
  };

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    options: HistoryOptions = {},
  ) {
    this.maxPerTopic = options.maxMessagesPerTopic ?? 1000;
    this.maxTotalBytes = options.maxTotalBytes ?? 256 * 1024 * 1024;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
    this.maxQueued = options.maxQueued ?? 50_000;
    this.st = {
      insertTopic: db.prepare('INSERT OR IGNORE INTO explorer_topics (connection_id, topic) VALUES (?, ?)'),
      topicId: db.prepare('SELECT id FROM explorer_topics WHERE connection_id = ? AND topic = ?').pluck(),
      insertMessage: db.prepare(
        `INSERT INTO explorer_messages (topic_id, time, qos, retain, size, truncated, payload, properties, client_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bumpCount: db
        .prepare(
          'UPDATE explorer_topics SET message_count = message_count + ? WHERE id = ? RETURNING message_count',
        )
        .pluck(),
      pruneTopic: db.prepare(
        `DELETE FROM explorer_messages WHERE id IN
           (SELECT id FROM explorer_messages WHERE topic_id = ? ORDER BY id LIMIT ?)
         RETURNING length(payload) AS bytes`,
      ),
      oldest: db.prepare('SELECT id, length(payload) AS bytes FROM explorer_messages ORDER BY id LIMIT ?'),
      countsUpTo: db.prepare(
        'SELECT topic_id AS topicId, COUNT(*) AS n FROM explorer_messages WHERE id <= ? GROUP BY topic_id',
      ),
      deleteUpTo: db.prepare('DELETE FROM explorer_messages WHERE id <= ?'),
      decCount: db.prepare('UPDATE explorer_topics SET message_count = message_count - ? WHERE id = ?'),
    };
    this.totalBytes =
      (db
        .prepare('SELECT COALESCE(SUM(length(payload)), 0) FROM explorer_messages')
        .pluck()
        .get() as number) ?? 0;
    this.timer = setInterval(() => this.flushSafely(), options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  get storedBytes(): number {
    return this.totalBytes;
  }

  add(message: FlowMessage): void {
    this.queue.push(message);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
  }

  /** Writes everything queued, in transactions of up to BATCH_SIZE messages. */
  flush(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_SIZE);
      this.db.transaction(() => this.writeBatch(batch))();
      this.written += batch.length;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flushSafely();
  }

  topicIdOf(connectionId: string, topic: string): number | undefined {
    return this.st.topicId.get(connectionId, topic) as number | undefined;
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.logger.error({ err }, 'explorer history write failed');
    }
  }

  private writeBatch(batch: FlowMessage[]): void {
    const added = new Map<number, number>();
    for (const m of batch) {
      const topicId = this.ensureTopic(m.connectionId, m.topic);
      const truncated = m.payload.length > this.maxPayloadBytes;
      const stored = truncated ? m.payload.subarray(0, this.maxPayloadBytes) : m.payload;
      this.st.insertMessage.run(
        topicId,
        m.time,
        m.qos,
        m.retain ? 1 : 0,
        m.payload.length,
        truncated ? 1 : 0,
        stored,
        m.properties ? JSON.stringify(m.properties, jsonBinary) : null,
        m.clientId ?? null,
      );
      this.totalBytes += stored.length;
      added.set(topicId, (added.get(topicId) ?? 0) + 1);
    }
    const pruneAbove = Math.ceil(this.maxPerTopic * (1 + PRUNE_SLACK));
    for (const [topicId, count] of added) {
      const total = this.st.bumpCount.get(count, topicId) as number;
      if (total > pruneAbove) this.pruneTopic(topicId, total - this.maxPerTopic);
    }
    if (this.totalBytes > this.maxTotalBytes) this.pruneOldest();
  }

  /** Deletes the oldest messages until the total is back under 90% of the limit (so pruning runs in batches). */
  private pruneOldest(): void {
    while (this.totalBytes > this.maxTotalBytes * GLOBAL_PRUNE_TARGET) {
      const toFree = this.totalBytes - this.maxTotalBytes * GLOBAL_PRUNE_TARGET;
      const rows = this.st.oldest.all(GLOBAL_PRUNE_BATCH) as { id: number; bytes: number }[];
      if (rows.length === 0) break;
      let freed = 0;
      let lastId = 0;
      for (const row of rows) {
        freed += row.bytes;
        lastId = row.id;
        if (freed >= toFree) break;
      }
      const perTopic = this.st.countsUpTo.all(lastId) as { topicId: number; n: number }[];
      this.st.deleteUpTo.run(lastId);
      this.totalBytes -= freed;
      for (const { topicId, n } of perTopic) this.st.decCount.run(n, topicId);
    }
  }

  private pruneTopic(topicId: number, excess: number): void {
    const rows = this.st.pruneTopic.all(topicId, excess) as { bytes: number }[];
    for (const row of rows) this.totalBytes -= row.bytes;
    this.st.decCount.run(rows.length, topicId);
  }

  private ensureTopic(connectionId: string, topic: string): number {
    const key = `${connectionId}\u0000${topic}`;
    let id = this.topicIds.get(key);
    if (id === undefined) {
      this.st.insertTopic.run(connectionId, topic);
      id = this.st.topicId.get(connectionId, topic) as number;
      if (this.topicIds.size >= 200_000) this.topicIds.clear();
      this.topicIds.set(key, id);
    }
    return id;
  }
}

/** JSON replacer that turns Buffers into `{ base64 }` so properties survive storage. */
export function jsonBinary(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data?: number[] }).data;
    if (Array.isArray(data)) return { base64: Buffer.from(data).toString('base64') };
  }
  return value;
}
