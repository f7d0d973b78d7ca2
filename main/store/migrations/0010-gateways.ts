import type { Migration } from './types';

// Registries, gateways and devices per account (OmniCore / IoT Core style), their public keys
// (at most 3 per device, enforced in code), gateway ↔ device bindings, and each device's latest
// config, state and event. Event and state history is kept in memory (bounded), not here.
// Provisional: the file is 0010 as planned, but the list must stay dense, so on this branch (which has
// no 0009 yet) the version is 9. The lead sets it to its final number at merge time.
export const gatewaysMigration: Migration = {
  version: 10,
  name: 'gateways and device registries',
  up: `
    CREATE TABLE gateway_registries (
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      registry_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, registry_id)
    ) WITHOUT ROWID;

    CREATE TABLE gateway_devices (
      account_id TEXT NOT NULL,
      registry_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('gateway', 'device')),
      blocked INTEGER NOT NULL DEFAULT 0,
      metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
      auth_method TEXT CHECK (auth_method IN ('association-only', 'device-token-only', 'association-and-device-token')),
      config_version INTEGER NOT NULL DEFAULT 0,
      config_payload BLOB,
      config_sent_at INTEGER,
      config_acked_version INTEGER NOT NULL DEFAULT 0,
      state_payload BLOB,
      state_at INTEGER,
      last_event_at INTEGER,
      last_event_payload BLOB,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, registry_id, device_id),
      FOREIGN KEY (account_id, registry_id) REFERENCES gateway_registries(account_id, registry_id) ON DELETE CASCADE
    ) WITHOUT ROWID;

    CREATE TABLE gateway_device_keys (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      registry_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      algorithm TEXT NOT NULL CHECK (algorithm IN ('RS256', 'ES256')),
      form TEXT NOT NULL CHECK (form IN ('public-key', 'x509')),
      pem TEXT NOT NULL,
      expires_at INTEGER,
      created_at INTEGER NOT NULL,
      FOREIGN KEY (account_id, registry_id, device_id)
        REFERENCES gateway_devices(account_id, registry_id, device_id) ON DELETE CASCADE
    );
    CREATE INDEX gateway_device_keys_device ON gateway_device_keys (account_id, registry_id, device_id);

    CREATE TABLE gateway_bindings (
      account_id TEXT NOT NULL,
      registry_id TEXT NOT NULL,
      gateway_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, registry_id, gateway_id, device_id),
      FOREIGN KEY (account_id, registry_id, gateway_id)
        REFERENCES gateway_devices(account_id, registry_id, device_id) ON DELETE CASCADE,
      FOREIGN KEY (account_id, registry_id, device_id)
        REFERENCES gateway_devices(account_id, registry_id, device_id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX gateway_bindings_device ON gateway_bindings (account_id, registry_id, device_id);
  `,
};
