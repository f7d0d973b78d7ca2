import type { Migration } from './types';

// Will messages waiting out their Will Delay Interval. The will belongs to a persistent session and
// must still be published after a restart (the session has not ended), so it is stored with it.
export const brokerWillsMigration: Migration = {
  version: 8,
  name: 'delayed wills of persistent sessions',
  up: `
    CREATE TABLE broker_pending_wills (
      session_key TEXT PRIMARY KEY REFERENCES broker_sessions(session_key) ON DELETE CASCADE,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      qos INTEGER NOT NULL,
      retain INTEGER NOT NULL,
      properties TEXT,
      due_at INTEGER NOT NULL,
      listener TEXT NOT NULL CHECK (json_valid(listener)),
      remote_address TEXT NOT NULL
    ) WITHOUT ROWID;
  `,
};
