import type { Database, Statement } from 'better-sqlite3';
import { PREVIEW_BYTES } from '../preview';

/**
 * Newest stored messages searched for a retain flag. Searching all (up to the per-topic bound)
 * would cost as much as reading the whole history; the local broker re-marks retained topics when
 * its tap attaches, and a broker resends them on subscribe.
 */
const RETAINED_LOOKBACK = 64;

/** What stored history says about one topic, as of the reader's cutoff. */
export interface StoredTopic {
  /** Row id in explorer_topics: the paging key. */
  id: number;
  topic: string;
  messages: number;
  lastTime: number;
  lastSize: number;
  /** The first bytes of the last stored payload (one more than a preview, so cuts are detectable). */
  head: Buffer;
  /** Size of the newest retain-flagged message among the last few stored, null when none. */
  retainedSize: number | null;
}

/**
 * Reads per-topic summaries of a connection's stored history in pages, counting only messages
 * stored up to a cutoff taken at construction, so later (live) messages are never counted twice.
 */
export class StoredTopicReader {
  readonly cutoff: number;
  private readonly page: Statement;

  constructor(
    db: Database,
    private readonly connectionId: string,
  ) {
    this.cutoff =
      (db.prepare('SELECT COALESCE(MAX(id), 0) FROM explorer_messages').pluck().get() as number) ?? 0;
    // Pages walk explorer_topics by rowid ('+' keeps the (connection_id, topic) index, which would
    // re-sort the whole connection per page, out of the plan).
    // message_count is kept in step with the rows (pruning included); subtracting the rows after
    // the cutoff is a short index range, unlike counting every stored row of the topic.
    this.page = db.prepare(
      `SELECT t.id, t.topic,
         t.message_count - (SELECT COUNT(*) FROM explorer_messages n WHERE n.topic_id = t.id AND n.id > @cutoff)
           AS messages,
         m.time AS lastTime, m.size AS lastSize, substr(m.payload, 1, @headBytes) AS head,
         (SELECT r.size FROM explorer_messages r
           WHERE r.topic_id = t.id AND r.id <= @cutoff AND r.retain = 1 AND r.id >= COALESCE(
             (SELECT o.id FROM explorer_messages o WHERE o.topic_id = t.id AND o.id <= @cutoff
               ORDER BY o.id DESC LIMIT 1 OFFSET @lookback - 1), 0)
           ORDER BY r.id DESC LIMIT 1) AS retainedSize
       FROM explorer_topics t
       JOIN explorer_messages m ON m.id =
         (SELECT l.id FROM explorer_messages l WHERE l.topic_id = t.id AND l.id <= @cutoff ORDER BY l.id DESC LIMIT 1)
       WHERE t.id > @after AND +t.connection_id = @connectionId
       ORDER BY t.id LIMIT @limit`,
    );
  }

  /** Up to `limit` topics with stored messages whose row id is above `after`, in id order. */
  read(after: number, limit: number): StoredTopic[] {
    return this.page.all({
      connectionId: this.connectionId,
      cutoff: this.cutoff,
      headBytes: PREVIEW_BYTES + 1,
      lookback: RETAINED_LOOKBACK,
      after,
      limit,
    }) as StoredTopic[];
  }
}
