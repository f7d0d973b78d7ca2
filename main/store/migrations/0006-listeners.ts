import type { Migration } from './types';

// Broker listener records. TLS material is not stored here: the PKI supplies it per listener id.
export const listenersMigration: Migration = {
  version: 6,
  name: 'broker listener records',
  up: `
    CREATE TABLE listeners (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('mqtt', 'mqtts', 'mqtts-mutual', 'ws', 'wss')),
      host TEXT NOT NULL,
      port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
      enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      options TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `,
};
