import type { Migration } from './types';

// Commissioning records of gateways set up over USB serial: the signed record (JSON, canonical form)
// and the columns the Commissioning page searches. `commissioning_meta` holds the record signer's
// certificate serial.
export const commissioningMigration: Migration = {
  // Provisionally 14; the list must stay dense, so it follows the last merged one (11) on this branch.
  version: 13,
  name: 'serial commissioning records',
  up: `
    CREATE TABLE commissioning_records (
      id TEXT PRIMARY KEY,
      port TEXT NOT NULL,
      device_serial TEXT,
      device_mac TEXT,
      account_name TEXT,
      client_id TEXT,
      result TEXT NOT NULL CHECK (result IN ('succeeded', 'failed')),
      operator TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER NOT NULL,
      record_json TEXT NOT NULL,
      signature TEXT NOT NULL,
      signer_pem TEXT NOT NULL
    );
    CREATE INDEX commissioning_records_started ON commissioning_records(started_at DESC);
    CREATE TABLE commissioning_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
};
