import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { lockDataDir } from './data-dir-lock';
import { StoreError } from './errors';
import { latestSchemaVersion, type Migration, migrations as allMigrations } from './migrations';

export const DATABASE_FILE = 'fieldbench.db';
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'];

/**
 * The database and its companions are owner-only. SQLite creates `-wal`/`-shm` with the database file's
 * mode, so the file is created 0600 before SQLite opens it; companions an older version left readable
 * are tightened too.
 */
function restrictDatabaseFiles(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const suffix of ['', ...COMPANION_SUFFIXES]) {
    try {
      if (fs.statSync(file + suffix).mode & 0o077) fs.chmodSync(file + suffix, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export interface Store {
  readonly db: Database;
  readonly path: string;
  schemaVersion(): number;
  sizeBytes(): number;
  close(): void;
}

export interface OpenStoreOptions {
  /** Replaces the built-in migration list; tests use it to simulate other versions. */
  migrations?: readonly Migration[];
  /** Skip the data-directory lock (only for tools that open a copy read-only). */
  skipLock?: boolean;
}

function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT');
}

function applyMigrations(db: Database, migrations: readonly Migration[], file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `Database ${file} has schema version ${current}, but this Fieldbench only knows up to ${latest}. ` +
        'It was written by a newer Fieldbench; upgrade Fieldbench instead. The file was left untouched.',
    );
  }
  for (const migration of migrations.slice(current)) {
    const step = db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      step();
    } catch (err) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `Migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`,
      );
    }
  }
}

/** Opens (creating if needed) the one SQLite database of a data directory and brings its schema up to date. */
export function openStore(dataDir: string, options: OpenStoreOptions = {}): Store {
  const migrations = options.migrations ?? allMigrations;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration list is not dense at ${m.name}`);
  });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = options.skipLock ? () => {} : lockDataDir(dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Database | undefined;
  try {
    restrictDatabaseFiles(file);
    db = new BetterSqlite3(file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
    } catch (err) {
      if (isCorruptionError(err)) {
        throw new StoreError(
          'STORE_CORRUPT',
          `Database ${file} is not a valid Fieldbench database or is damaged (${(err as Error).message}). ` +
            'Fieldbench will not modify it. Move it aside (or restore a backup) and start again.',
        );
      }
      throw err;
    }
    applyMigrations(db, migrations, file);
    restrictDatabaseFiles(file);
  } catch (err) {
    db?.close();
    unlock();
    throw err;
  }
  const opened = db;
  return {
    db: opened,
    path: file,
    schemaVersion: () => opened.pragma('user_version', { simple: true }) as number,
    sizeBytes: () => {
      let total = 0;
      for (const suffix of ['', '-wal']) {
        try {
          total += fs.statSync(file + suffix).size;
        } catch {
          // no WAL yet
        }
      }
      return total;
    },
    close: () => {
      if (opened.open) {
        // Fold the WAL back so the file is self-contained after a clean stop.
        try {
          opened.pragma('wal_checkpoint(TRUNCATE)');
        } catch {
          // a checkpoint failure must not block shutdown
        }
        opened.close();
      }
      unlock();
    },
  };
}

export { latestSchemaVersion };
