import type { Database } from 'better-sqlite3';

/** Pinned topics per connection, persisted and mirrored in memory for per-delta lookups. */
export class PinStore {
  private readonly pins = new Map<string, Set<string>>();

  constructor(private readonly db: Database) {
    const rows = db.prepare('SELECT connection_id, topic FROM explorer_pins').all() as {
      connection_id: string;
      topic: string;
    }[];
    for (const row of rows) this.setOf(row.connection_id).add(row.topic);
  }

  isPinned(connectionId: string, topic: string): boolean {
    return this.pins.get(connectionId)?.has(topic) ?? false;
  }

  set(connectionId: string, topic: string, pinned: boolean): void {
    if (pinned) {
      this.db
        .prepare('INSERT OR IGNORE INTO explorer_pins (connection_id, topic) VALUES (?, ?)')
        .run(connectionId, topic);
      this.setOf(connectionId).add(topic);
    } else {
      this.db
        .prepare('DELETE FROM explorer_pins WHERE connection_id = ? AND topic = ?')
        .run(connectionId, topic);
      this.pins.get(connectionId)?.delete(topic);
    }
  }

  list(connectionId: string): string[] {
    return [...(this.pins.get(connectionId) ?? [])].sort();
  }

  private setOf(connectionId: string): Set<string> {
    let set = this.pins.get(connectionId);
    if (!set) {
      set = new Set();
      this.pins.set(connectionId, set);
    }
    return set;
  }
}
