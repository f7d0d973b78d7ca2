import type { Database } from 'better-sqlite3';
import type { KeyAlgorithm } from './algorithms';
import type {
  AuthorityRecord,
  CertificateKind,
  CertificateRecord,
  RevocationReason,
  SubjectAltNames,
  TenantCaRecord,
} from './types';

interface AuthorityRow {
  id: string;
  role: 'root' | 'issuing';
  subject: string;
  serial: string;
  key_algorithm: KeyAlgorithm;
  not_before: number;
  not_after: number;
  cert_pem: string;
  key_sealed: Buffer;
  crl_number: number;
  crl_pem: string | null;
  crl_next_update: number | null;
}

interface CertificateRow {
  serial: string;
  kind: CertificateKind;
  subject: string;
  common_name: string;
  account_id: string | null;
  key_algorithm: CertificateRecord['keyAlgorithm'];
  not_before: number;
  not_after: number;
  status: CertificateRecord['status'];
  revocation_reason: RevocationReason | null;
  revoked_at: number | null;
  fingerprint_sha256: string;
  cert_pem: string;
  has_key: number;
  san_json: string | null;
  validity_days: number;
  replaced_by: string | null;
  batch_id: string | null;
  created_at: number;
}

interface TenantCaRow {
  id: string;
  account_id: string;
  subject: string;
  fingerprint_sha256: string;
  not_before: number;
  not_after: number;
  cert_pem: string;
  status: 'pending' | 'accepted';
  registration_code: string | null;
  crl_pem: string | null;
  created_at: number;
  accepted_at: number | null;
}

export interface StoredAuthority extends AuthorityRecord {
  keySealed: Buffer;
  crlNumber: number;
  crlPem: string | null;
  crlNextUpdate: number | null;
}

export interface NewCertificate {
  serial: string;
  kind: CertificateKind;
  issuerId: string;
  subject: string;
  commonName: string;
  accountId: string | null;
  keyAlgorithm: CertificateRecord['keyAlgorithm'];
  notBefore: number;
  notAfter: number;
  fingerprintSha256: string;
  certificatePem: string;
  keySealed: Buffer | null;
  sans: SubjectAltNames | null;
  validityDays: number;
  batchId: string | null;
  createdAt: number;
}

export interface CertificateFilter {
  kind?: CertificateKind;
  accountId?: string;
  status?: CertificateRecord['status'];
  search?: string;
  limit?: number;
  offset?: number;
}

const CERT_COLUMNS = `serial, kind, subject, common_name, account_id, key_algorithm, not_before, not_after, status,
  revocation_reason, revoked_at, fingerprint_sha256, cert_pem, key_sealed IS NOT NULL AS has_key, san_json,
  validity_days, replaced_by, batch_id, created_at`;

function toAuthority(row: AuthorityRow): StoredAuthority {
  return {
    id: row.id,
    role: row.role,
    subject: row.subject,
    serial: row.serial,
    keyAlgorithm: row.key_algorithm,
    notBefore: row.not_before,
    notAfter: row.not_after,
    certificatePem: row.cert_pem,
    keySealed: row.key_sealed,
    crlNumber: row.crl_number,
    crlPem: row.crl_pem,
    crlNextUpdate: row.crl_next_update,
  };
}

function toCertificate(
  row: CertificateRow,
): CertificateRecord & { sans: SubjectAltNames | null; validityDays: number } {
  return {
    serial: row.serial,
    kind: row.kind,
    commonName: row.common_name,
    subject: row.subject,
    accountId: row.account_id,
    keyAlgorithm: row.key_algorithm,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    revocationReason: row.revocation_reason,
    revokedAt: row.revoked_at,
    fingerprintSha256: row.fingerprint_sha256,
    hasPrivateKey: row.has_key === 1,
    replacedBy: row.replaced_by,
    batchId: row.batch_id,
    createdAt: row.created_at,
    certificatePem: row.cert_pem,
    sans: row.san_json ? (JSON.parse(row.san_json) as SubjectAltNames) : null,
    validityDays: row.validity_days,
  };
}

function toTenantCa(
  row: TenantCaRow,
): Omit<TenantCaRecord, 'crlNextUpdate'> & { registrationCode: string | null } {
  return {
    id: row.id,
    accountId: row.account_id,
    subject: row.subject,
    fingerprintSha256: row.fingerprint_sha256,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    createdAt: row.created_at,
    acceptedAt: row.accepted_at,
    certificatePem: row.cert_pem,
    crlPem: row.crl_pem,
    registrationCode: row.registration_code,
  };
}

export type StoredCertificate = ReturnType<typeof toCertificate>;
export type StoredTenantCa = ReturnType<typeof toTenantCa>;

/** All SQL of the PKI, over the tables of migration 0004. */
export class PkiRepository {
  private readonly insertCert;

  constructor(private readonly db: Database) {
    this.insertCert = db.prepare(`INSERT INTO pki_certificates (serial, kind, issuer_id, subject, common_name,
      account_id, key_algorithm, not_before, not_after, fingerprint_sha256, cert_pem, key_sealed, san_json,
      validity_days, batch_id, created_at)
      VALUES (@serial, @kind, @issuerId, @subject, @commonName, @accountId, @keyAlgorithm, @notBefore, @notAfter,
      @fingerprintSha256, @certificatePem, @keySealed, @sanJson, @validityDays, @batchId, @createdAt)`);
  }

  authorities(): StoredAuthority[] {
    const rows = this.db.prepare('SELECT * FROM pki_authorities ORDER BY role DESC').all() as AuthorityRow[];
    return rows.map(toAuthority);
  }

  insertAuthorities(list: readonly StoredAuthority[], createdAt: number): void {
    const insert = this.db.prepare(`INSERT INTO pki_authorities (id, role, subject, serial, key_algorithm,
      not_before, not_after, cert_pem, key_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const a of list) {
        insert.run(
          a.id,
          a.role,
          a.subject,
          a.serial,
          a.keyAlgorithm,
          a.notBefore,
          a.notAfter,
          a.certificatePem,
          a.keySealed,
          createdAt,
        );
      }
    })();
  }

  saveCrl(authorityId: string, crlNumber: number, crlPem: string, nextUpdate: number): void {
    this.db
      .prepare('UPDATE pki_authorities SET crl_number = ?, crl_pem = ?, crl_next_update = ? WHERE id = ?')
      .run(crlNumber, crlPem, nextUpdate, authorityId);
  }

  insertCertificates(certs: readonly NewCertificate[]): void {
    this.db.transaction(() => {
      for (const c of certs) this.insertCert.run({ ...c, sanJson: c.sans ? JSON.stringify(c.sans) : null });
    })();
  }

  certificate(serial: string): StoredCertificate | undefined {
    const row = this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates WHERE serial = ?`)
      .get(serial) as CertificateRow | undefined;
    return row && toCertificate(row);
  }

  sealedKey(serial: string): Buffer | null {
    const row = this.db.prepare('SELECT key_sealed FROM pki_certificates WHERE serial = ?').get(serial) as
      | { key_sealed: Buffer | null }
      | undefined;
    return row?.key_sealed ?? null;
  }

  listCertificates(filter: CertificateFilter): { items: StoredCertificate[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (filter.kind) {
      where.push('kind = @kind');
      args.kind = filter.kind;
    }
    if (filter.accountId !== undefined) {
      where.push('account_id = @accountId');
      args.accountId = filter.accountId;
    }
    if (filter.status) {
      where.push('status = @status');
      args.status = filter.status;
    }
    if (filter.search) {
      where.push("(common_name LIKE @search ESCAPE '\\' OR serial LIKE @search ESCAPE '\\')");
      args.search = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM pki_certificates ${clause}`).get(args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates ${clause} ORDER BY created_at DESC, serial
        LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: filter.limit ?? 100, offset: filter.offset ?? 0 }) as CertificateRow[];
    return { items: rows.map(toCertificate), total };
  }

  /** Active server certificates not yet replaced, expiring before `before`. */
  serverCertificatesExpiringBefore(before: number): StoredCertificate[] {
    const rows = this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates
        WHERE kind = 'server' AND status = 'active' AND replaced_by IS NULL AND not_after < ?`)
      .all(before) as CertificateRow[];
    return rows.map(toCertificate);
  }

  markReplaced(serial: string, replacedBy: string): void {
    this.db.prepare('UPDATE pki_certificates SET replaced_by = ? WHERE serial = ?').run(replacedBy, serial);
  }

  markRevoked(serial: string, reason: RevocationReason, at: number): boolean {
    const result = this.db
      .prepare(`UPDATE pki_certificates SET status = 'revoked', revocation_reason = ?, revoked_at = ?
        WHERE serial = ? AND status = 'active'`)
      .run(reason, at, serial);
    return result.changes === 1;
  }

  revokedBy(issuerId: string): { serial: string; reason: RevocationReason; revokedAt: number }[] {
    return this.db
      .prepare(`SELECT serial, revocation_reason AS reason, revoked_at AS revokedAt FROM pki_certificates
        WHERE issuer_id = ? AND status = 'revoked' ORDER BY revoked_at`)
      .all(issuerId) as { serial: string; reason: RevocationReason; revokedAt: number }[];
  }

  isRevoked(serial: string): boolean {
    const row = this.db.prepare('SELECT status FROM pki_certificates WHERE serial = ?').get(serial) as
      | { status: string }
      | undefined;
    return row?.status === 'revoked';
  }

  tenantCas(accountId?: string): StoredTenantCa[] {
    const rows = (
      accountId === undefined
        ? this.db.prepare('SELECT * FROM pki_tenant_cas ORDER BY created_at').all()
        : this.db
            .prepare('SELECT * FROM pki_tenant_cas WHERE account_id = ? ORDER BY created_at')
            .all(accountId)
    ) as TenantCaRow[];
    return rows.map(toTenantCa);
  }

  tenantCa(id: string): StoredTenantCa | undefined {
    const row = this.db.prepare('SELECT * FROM pki_tenant_cas WHERE id = ?').get(id) as
      | TenantCaRow
      | undefined;
    return row && toTenantCa(row);
  }

  insertTenantCa(ca: Omit<StoredTenantCa, 'acceptedAt' | 'status' | 'crlPem'>): void {
    this.db
      .prepare(`INSERT INTO pki_tenant_cas (id, account_id, subject, fingerprint_sha256, not_before, not_after,
        cert_pem, status, registration_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`)
      .run(
        ca.id,
        ca.accountId,
        ca.subject,
        ca.fingerprintSha256,
        ca.notBefore,
        ca.notAfter,
        ca.certificatePem,
        ca.registrationCode,
        ca.createdAt,
      );
  }

  acceptTenantCa(id: string, at: number): void {
    this.db
      .prepare(
        "UPDATE pki_tenant_cas SET status = 'accepted', registration_code = NULL, accepted_at = ? WHERE id = ?",
      )
      .run(at, id);
  }

  saveTenantCaCrl(id: string, crlPem: string): void {
    this.db.prepare('UPDATE pki_tenant_cas SET crl_pem = ? WHERE id = ?').run(crlPem, id);
  }

  deleteTenantCa(id: string): boolean {
    return this.db.prepare('DELETE FROM pki_tenant_cas WHERE id = ?').run(id).changes === 1;
  }
}
