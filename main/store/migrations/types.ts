import type { Database } from 'better-sqlite3';

/** One schema step. Versions are global, dense and append-only: never edit a released step. */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database) => void);
}
