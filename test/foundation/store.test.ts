import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {
  DATABASE_FILE,
  latestSchemaVersion,
  type Migration,
  migrations,
  openStore,
  StoreError,
} from '../../main/store';
import { tempDir } from '../helpers/temp-dir';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('store migrations', () => {
  test('a fresh data directory gets every migration and the latest schema version', () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      assert.equal(store.schemaVersion(), latestSchemaVersion);
      assert.equal(latestSchemaVersion, migrations.length);
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all();
      assert.ok(tables.includes('settings') && tables.includes('audit_log'), `tables: ${tables.join(', ')}`);
      assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(fs.statSync(path.join(dir, DATABASE_FILE)).mode & 0o777, 0o600);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    } finally {
      store.close();
    }
  });

  test('re-opening applies nothing twice and keeps data', () => {
    const dir = tempDir();
    const first = openStore(dir);
    first.db.prepare('INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)').run('k', 'v', 1);
    first.close();
    const second = openStore(dir);
    try {
      assert.equal(second.schemaVersion(), latestSchemaVersion);
      assert.equal(second.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('k'), 'v');
    } finally {
      second.close();
    }
  });

  test('only the missing steps run when a newer build adds a migration', () => {
    const dir = tempDir();
    openStore(dir).close();
    const extra: Migration = {
      version: migrations.length + 1,
      name: 'test step',
      up: 'CREATE TABLE added_later (x);',
    };
    const store = openStore(dir, { migrations: [...migrations, extra] });
    try {
      assert.equal(store.schemaVersion(), migrations.length + 1);
      assert.ok(store.db.prepare("SELECT 1 FROM sqlite_master WHERE name='added_later'").get());
    } finally {
      store.close();
    }
  });

  test('a failing migration rolls back completely and names itself', () => {
    const dir = tempDir();
    openStore(dir).close();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken step',
      up: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);',
    };
    assert.throws(
      () => openStore(dir, { migrations: [...migrations, broken] }),
      (err: unknown) =>
        err instanceof StoreError && err.code === 'STORE_MIGRATION_FAILED' && /broken step/.test(err.message),
    );
    const store = openStore(dir);
    try {
      assert.equal(store.schemaVersion(), latestSchemaVersion);
      assert.equal(store.db.prepare("SELECT 1 FROM sqlite_master WHERE name='half_done'").get(), undefined);
    } finally {
      store.close();
    }
  });

  test('a database from a newer version is refused and left untouched', () => {
    const dir = tempDir();
    openStore(dir).close();
    const file = path.join(dir, DATABASE_FILE);
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latestSchemaVersion + 5}`);
    raw.close();
    const before = sha256(file);
    assert.throws(
      () => openStore(dir),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === 'STORE_TOO_NEW' &&
        err.message.includes(`${latestSchemaVersion + 5}`),
    );
    assert.equal(sha256(file), before);
    assert.equal(
      fs.existsSync(path.join(dir, 'fieldbench.lock')),
      false,
      'the lock is released after a refusal',
    );
  });

  test('a corrupt database file is refused and never overwritten', () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    fs.writeFileSync(file, crypto.randomBytes(64 * 1024));
    const before = sha256(file);
    assert.throws(
      () => openStore(dir),
      (err: unknown) =>
        err instanceof StoreError && err.code === 'STORE_CORRUPT' && err.message.includes(file),
    );
    assert.equal(sha256(file), before);
  });

  test('a clean close leaves no WAL that needs recovery', () => {
    const dir = tempDir();
    const store = openStore(dir);
    for (let i = 0; i < 100; i++)
      store.db.prepare('INSERT INTO settings VALUES (?, ?, ?)').run(`k${i}`, 'v', i);
    store.close();
    const wal = path.join(dir, `${DATABASE_FILE}-wal`);
    assert.ok(!fs.existsSync(wal) || fs.statSync(wal).size === 0, 'WAL is empty or gone');
  });
});

describe('data directory lock', () => {
  test('a second process on the same data directory is refused with a clear message', async () => {
    const dir = tempDir();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { openStore } = require(${JSON.stringify(path.resolve(__dirname, '../../main/store'))});
         openStore(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d) => String(d).includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      assert.throws(
        () => openStore(dir),
        (err: unknown) =>
          err instanceof StoreError &&
          err.code === 'STORE_LOCKED' &&
          err.message.includes(`pid ${holder.pid}`),
      );
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // The holder died without cleaning up: its stale lock must not block the next start.
    const store = openStore(dir);
    store.close();
  });
});
