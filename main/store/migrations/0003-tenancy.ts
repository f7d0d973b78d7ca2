import type { Migration } from './types';

// Quota columns follow one convention everywhere: NULL = unlimited, 0 = none allowed.
export const tenancyMigration: Migration = {
  version: 3,
  name: 'accounts, messaging services, endpoints, credentials',
  up: `
    CREATE TABLE tenancy_services (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      kind TEXT NOT NULL CHECK (kind IN ('embedded', 'external')),
      endpoints TEXT NOT NULL DEFAULT '[]',
      options TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE tenancy_accounts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      parent_id TEXT REFERENCES tenancy_accounts(id) ON DELETE RESTRICT,
      depth INTEGER NOT NULL,
      organization TEXT NOT NULL DEFAULT '',
      email TEXT,
      expires_at INTEGER,
      enabled INTEGER NOT NULL DEFAULT 1,
      max_child_accounts INTEGER CHECK (max_child_accounts IS NULL OR max_child_accounts >= 0),
      max_devices INTEGER CHECK (max_devices IS NULL OR max_devices >= 0),
      service_id TEXT REFERENCES tenancy_services(id) ON DELETE RESTRICT,
      connection_options TEXT,
      user_coupling TEXT NOT NULL DEFAULT 'loose' CHECK (user_coupling IN ('loose', 'strict')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      CHECK ((depth = 0) = (parent_id IS NULL)),
      CHECK (service_id IS NULL OR depth <= 1)
    );
    CREATE UNIQUE INDEX tenancy_accounts_one_root ON tenancy_accounts(depth) WHERE depth = 0;
    CREATE INDEX tenancy_accounts_parent ON tenancy_accounts(parent_id);

    CREATE TABLE tenancy_endpoints (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      scheme TEXT NOT NULL CHECK (scheme IN ('mqtt', 'mqtts', 'ws', 'wss')),
      domain TEXT NOT NULL COLLATE NOCASE,
      port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
      secure INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (account_id, scheme, domain, port)
    );

    CREATE TABLE tenancy_credentials (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      enabled INTEGER NOT NULL DEFAULT 1,
      expires_at INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_used_at INTEGER
    );
    CREATE INDEX tenancy_credentials_account ON tenancy_credentials(account_id);

    -- credential_id NULL: the account's default template, used by credentials without rules of their own.
    CREATE TABLE tenancy_access_rules (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      credential_id TEXT REFERENCES tenancy_credentials(id) ON DELETE CASCADE,
      filter TEXT NOT NULL,
      action TEXT NOT NULL CHECK (action IN ('publish', 'subscribe', 'both')),
      position INTEGER NOT NULL
    );
    CREATE INDEX tenancy_access_rules_owner ON tenancy_access_rules(account_id, credential_id);

    CREATE TABLE tenancy_api_keys (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      type TEXT NOT NULL CHECK (type IN ('operator', 'application', 'device')),
      key_hash TEXT NOT NULL,
      hint TEXT NOT NULL,
      scopes TEXT NOT NULL,
      permissions TEXT NOT NULL,
      expires_at INTEGER,
      revoked_at INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_used_at INTEGER
    );
    CREATE INDEX tenancy_api_keys_account ON tenancy_api_keys(account_id);

    CREATE TABLE tenancy_devices (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE RESTRICT,
      client_id TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'disconnected' CHECK (status IN ('connected', 'disconnected', 'missing')),
      protocol TEXT,
      listener_id TEXT,
      listener_kind TEXT,
      client_address TEXT,
      username TEXT,
      last_connect_at INTEGER,
      last_disconnect_at INTEGER,
      last_disconnect_reason TEXT,
      coupling TEXT CHECK (coupling IS NULL OR coupling IN ('loose', 'strict')),
      allow_user_change INTEGER NOT NULL DEFAULT 0,
      reserved_credential_id TEXT REFERENCES tenancy_credentials(id) ON DELETE SET NULL,
      bound_credential_id TEXT REFERENCES tenancy_credentials(id) ON DELETE SET NULL,
      provisioned_endpoint_id TEXT REFERENCES tenancy_endpoints(id) ON DELETE SET NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (account_id, client_id)
    );
    CREATE INDEX tenancy_devices_reserved ON tenancy_devices(reserved_credential_id);
    CREATE INDEX tenancy_devices_endpoint ON tenancy_devices(provisioned_endpoint_id);
  `,
};
