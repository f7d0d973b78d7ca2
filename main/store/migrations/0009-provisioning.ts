import type { Migration } from './types';

// Provision requests (one per device to be provisioned into a target account), their attachments
// (at most one configuration and nine applications, each with its SHA-256) and the job timeline.
// The throw-away password is stored as a scrypt hash, the activation key as a SHA-256 (it is a
// 32-character random key, so a fast hash is enough); both are shown to the operator once.
export const provisioningMigration: Migration = {
  version: 9,
  name: 'device provisioning requests',
  up: `
    CREATE TABLE provision_requests (
      id TEXT PRIMARY KEY,
      target_account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      client_id TEXT NOT NULL,
      username TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      activation_key_sha256 TEXT,
      enabled INTEGER NOT NULL DEFAULT 1,
      activates_at INTEGER,
      expires_at INTEGER,
      retry_max_attempts INTEGER NOT NULL CHECK (retry_max_attempts >= 1),
      secure_url INTEGER NOT NULL DEFAULT 1,
      coupling TEXT NOT NULL DEFAULT 'loose' CHECK (coupling IN ('loose', 'strict')),
      status TEXT NOT NULL DEFAULT 'CREATED',
      retries INTEGER NOT NULL DEFAULT 0,
      device_request_id TEXT,
      device_identity TEXT,
      issued_credential_id TEXT,
      issued_username TEXT,
      issued_certificate_serial TEXT,
      last_step_at INTEGER,
      last_reason TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (target_account_id, client_id)
    );
    CREATE INDEX provision_requests_username ON provision_requests(username);

    CREATE TABLE provision_attachments (
      id TEXT PRIMARY KEY,
      request_id TEXT NOT NULL REFERENCES provision_requests(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('configuration', 'application')),
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size INTEGER NOT NULL,
      content BLOB NOT NULL,
      UNIQUE (request_id, position)
    );

    CREATE TABLE provision_steps (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      request_id TEXT NOT NULL REFERENCES provision_requests(id) ON DELETE CASCADE,
      at INTEGER NOT NULL,
      status TEXT NOT NULL,
      reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX provision_steps_request ON provision_steps(request_id, id);
  `,
};
