import type { Database } from 'better-sqlite3';

/** Small key/value facts the core keeps between runs (e.g. which server certificate the listeners use). */
export class Settings {
  constructor(private readonly db: Database) {}

  get(key: string): string | undefined {
    return this.db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck().get(key);
  }

  set(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, value, Date.now());
  }
}
