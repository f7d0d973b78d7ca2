import type { Migration } from './types';

// Times are Unix milliseconds; serials are uppercase hex without leading zeros; private keys are
// only stored sealed by the KeyProtector (never PEM in clear).
export const pkiMigration: Migration = {
  version: 4,
  name: 'certificate authorities and issued certificates',
  up: `
    CREATE TABLE pki_authorities (
      id TEXT PRIMARY KEY,
      role TEXT NOT NULL CHECK (role IN ('root', 'issuing')),
      subject TEXT NOT NULL,
      serial TEXT NOT NULL,
      key_algorithm TEXT NOT NULL,
      not_before INTEGER NOT NULL,
      not_after INTEGER NOT NULL,
      cert_pem TEXT NOT NULL,
      key_sealed BLOB NOT NULL,
      crl_number INTEGER NOT NULL DEFAULT 0,
      crl_pem TEXT,
      crl_next_update INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX pki_authorities_role ON pki_authorities(role);

    CREATE TABLE pki_certificates (
      serial TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('server', 'device')),
      issuer_id TEXT NOT NULL REFERENCES pki_authorities(id),
      subject TEXT NOT NULL,
      common_name TEXT NOT NULL,
      account_id TEXT,
      key_algorithm TEXT NOT NULL,
      not_before INTEGER NOT NULL,
      not_after INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
      revocation_reason TEXT,
      revoked_at INTEGER,
      fingerprint_sha256 TEXT NOT NULL,
      cert_pem TEXT NOT NULL,
      key_sealed BLOB,
      san_json TEXT,
      validity_days INTEGER NOT NULL,
      replaced_by TEXT,
      batch_id TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX pki_certificates_account ON pki_certificates(account_id);
    CREATE INDEX pki_certificates_kind_expiry ON pki_certificates(kind, not_after);
    CREATE INDEX pki_certificates_common_name ON pki_certificates(common_name);

    CREATE TABLE pki_tenant_cas (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      subject TEXT NOT NULL,
      fingerprint_sha256 TEXT NOT NULL,
      not_before INTEGER NOT NULL,
      not_after INTEGER NOT NULL,
      cert_pem TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'accepted')),
      registration_code TEXT,
      crl_pem TEXT,
      created_at INTEGER NOT NULL,
      accepted_at INTEGER
    );
    CREATE UNIQUE INDEX pki_tenant_cas_account_fp ON pki_tenant_cas(account_id, fingerprint_sha256);
  `,
};
