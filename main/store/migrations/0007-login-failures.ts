import type { Migration } from './types';

// Failed-login counters per (username, client address), so a lockout survives a restart.
// `failures` holds the epoch-ms times of the failures still inside the counting window (a JSON array);
// `expires_at` is when the row stops mattering (lockout over and every failure out of its window),
// which is what pruning deletes by.
export const loginFailuresMigration: Migration = {
  version: 7,
  name: 'persistent login failure counters',
  up: `
    CREATE TABLE tenancy_login_failures (
      username TEXT NOT NULL,
      address TEXT NOT NULL,
      failures TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(failures)),
      locked_until INTEGER NOT NULL DEFAULT 0,
      expires_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (username, address)
    ) WITHOUT ROWID;
    CREATE INDEX tenancy_login_failures_expiry ON tenancy_login_failures (expires_at);
  `,
};
