import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DATABASE_FILE, openStore } from '../../main/store';
import { tempDir } from '../helpers/temp-dir';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('the database and its WAL companions are owner-only', () => {
  let previousUmask: number;
  before(() => {
    previousUmask = process.umask(0o022);
  });
  after(() => {
    process.umask(previousUmask);
  });

  test('a fresh store: fieldbench.db, -wal and -shm are all 0600 under umask 022', () => {
    const dir = tempDir();
    const store = openStore(dir);
    try {
      store.db
        .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)')
        .run('mode-test', '"x"', Date.now());
      const db = path.join(dir, DATABASE_FILE);
      for (const file of [db, `${db}-wal`, `${db}-shm`]) {
        assert.ok(fs.existsSync(file), `${path.basename(file)} exists while the store is open`);
        assert.equal(modeOf(file).toString(8), '600', `${path.basename(file)} mode`);
      }
    } finally {
      store.close();
    }
  });

  test('companions left readable by an older version are tightened when the store opens', () => {
    const dir = tempDir();
    openStore(dir).close();
    const db = path.join(dir, DATABASE_FILE);
    fs.chmodSync(db, 0o644);
    const store = openStore(dir);
    try {
      store.db
        .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)')
        .run('mode-test', '"y"', Date.now());
      for (const file of [db, `${db}-wal`, `${db}-shm`]) {
        assert.equal(modeOf(file).toString(8), '600', `${path.basename(file)} mode`);
      }
    } finally {
      store.close();
    }
  });
});
