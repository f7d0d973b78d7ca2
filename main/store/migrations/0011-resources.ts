import type { Migration } from './types';

// EVRYTHNG-style resources (main/resources). Thngs, products, collections, action types, batches and
// tasks share one table: they differ only in a few fields, kept as JSON in `body`. Properties keep
// their latest value beside a bounded history; actions and locations are append-only and bounded too.
export const resourcesMigration: Migration = {
  version: 11,
  name: 'resources (thngs, products, collections, properties, actions, locations)',
  up: `
    CREATE TABLE res_entities (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      project_id TEXT,
      kind TEXT NOT NULL CHECK (kind IN ('thng', 'product', 'collection', 'actionType', 'batch', 'task')),
      parent_id TEXT REFERENCES res_entities(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      body TEXT NOT NULL CHECK (json_valid(body)),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX res_entities_by_account ON res_entities(account_id, kind, created_at);
    CREATE INDEX res_entities_by_parent ON res_entities(parent_id);

    CREATE TABLE res_collection_members (
      collection_id TEXT NOT NULL REFERENCES res_entities(id) ON DELETE CASCADE,
      thng_id TEXT NOT NULL REFERENCES res_entities(id) ON DELETE CASCADE,
      added_at INTEGER NOT NULL,
      PRIMARY KEY (collection_id, thng_id)
    ) WITHOUT ROWID;
    CREATE INDEX res_collection_members_by_thng ON res_collection_members(thng_id);

    CREATE TABLE res_property_values (
      owner_id TEXT NOT NULL REFERENCES res_entities(id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL CHECK (json_valid(value)),
      timestamp INTEGER NOT NULL,
      PRIMARY KEY (owner_id, key)
    ) WITHOUT ROWID;

    CREATE TABLE res_property_history (
      seq INTEGER PRIMARY KEY,
      owner_id TEXT NOT NULL REFERENCES res_entities(id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      timestamp INTEGER NOT NULL
    );
    CREATE INDEX res_property_history_by_key ON res_property_history(owner_id, key, timestamp);

    CREATE TABLE res_locations (
      seq INTEGER PRIMARY KEY,
      thng_id TEXT NOT NULL REFERENCES res_entities(id) ON DELETE CASCADE,
      longitude REAL NOT NULL,
      latitude REAL NOT NULL,
      body TEXT NOT NULL,
      timestamp INTEGER NOT NULL
    );
    CREATE INDEX res_locations_by_thng ON res_locations(thng_id, timestamp);

    CREATE TABLE res_actions (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      project_id TEXT,
      type TEXT NOT NULL,
      thng_id TEXT,
      product_id TEXT,
      collection_id TEXT,
      body TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX res_actions_by_account ON res_actions(account_id, created_at);
    CREATE INDEX res_actions_by_thng ON res_actions(thng_id, created_at);

    -- What a device key is bound to (its own Thng) and an optional project scope for any key.
    CREATE TABLE res_key_bindings (
      api_key_id TEXT PRIMARY KEY REFERENCES tenancy_api_keys(id) ON DELETE CASCADE,
      thng_id TEXT REFERENCES res_entities(id) ON DELETE SET NULL,
      project_id TEXT
    ) WITHOUT ROWID;
  `,
};
