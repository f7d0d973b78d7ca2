import crypto from 'node:crypto';
import { accountLabel, requireAccount } from './accounts';
import { fingerprintSha256 } from './certificate-builder';
import { type PkiContext, DAY_MS } from './context';
import { commonNameOf } from './csr';
import { PkiError } from './errors';
import { certificatesIn, splitPem, toPem } from './pem';
import { normalizeSerial } from './serial';
import type { StoredTenantCa } from './repository';
import type { TenantCaRecord } from './types';
import { x509 } from './x509';

export const MAX_TENANT_CAS_PER_ACCOUNT = 2;
/** A registration code is good for this long after the upload. */
const REGISTRATION_TTL_MS = DAY_MS;

export interface TenantCaRegistration {
  id: string;
  registrationCode: string;
  /** The verification certificate must carry this CN and be signed by the CA's key. */
  instructions: string;
  expiresAt: number;
}

function crlNextUpdateOf(crlPem: string | null): number | null {
  if (!crlPem) return null;
  try {
    return new x509.X509Crl(crlPem).nextUpdate?.getTime() ?? null;
  } catch {
    return null;
  }
}

function publicRecord(ca: StoredTenantCa): TenantCaRecord {
  const { registrationCode: _code, ...rest } = ca;
  return { ...rest, crlNextUpdate: crlNextUpdateOf(ca.crlPem) };
}

function parseSingleCertificate(pem: string, what: string): x509.X509Certificate {
  const blocks = certificatesIn(pem);
  if (blocks.length !== 1) {
    throw new PkiError(
      'BAD_REQUEST',
      `Expected exactly one PEM certificate for the ${what}, found ${blocks.length}`,
    );
  }
  try {
    return new x509.X509Certificate(blocks[0]!.der);
  } catch (err) {
    throw new PkiError('BAD_REQUEST', `The ${what} cannot be parsed: ${(err as Error).message}`);
  }
}

/** Account-owned CAs, accepted only after proof of possession of the CA key. */
export interface AcceptedTenantCa {
  record: TenantCaRecord;
  certificate: x509.X509Certificate;
  /** Serials listed on the tenant's uploaded CRL. */
  revokedSerials: Set<string>;
}

export class TenantCas {
  private accepted: AcceptedTenantCa[] | undefined;

  constructor(
    private readonly ctx: PkiContext,
    private readonly onTrustChanged: () => void,
  ) {}

  private checkLimit(accountId: string, excludeId?: string): void {
    const accepted = this.ctx.repo
      .tenantCas(accountId)
      .filter((c) => c.status === 'accepted' && c.id !== excludeId);
    if (accepted.length >= MAX_TENANT_CAS_PER_ACCOUNT) {
      throw new PkiError(
        'CONFLICT',
        `Account ${accountLabel(this.ctx, accountId)} already has ${accepted.length} CA certificates (${accepted
          .map((c) => `"${c.subject}"`)
          .join(' and ')}); remove one before adding another`,
        { existing: accepted.map((c) => ({ id: c.id, subject: c.subject })) },
      );
    }
  }

  /** A device must map to exactly one account: no CA of Fieldbench's own, none accepted for another account. */
  private checkNotClaimed(ca: x509.X509Certificate, fingerprint: string, accountId: string): void {
    const local = [this.ctx.authorities.root, this.ctx.authorities.issuing];
    if (local.some((a) => fingerprintSha256(Buffer.from(a.certificate.rawData)) === fingerprint)) {
      throw new PkiError('BAD_REQUEST', `${ca.subject} is one of Fieldbench's own CAs`);
    }
    const elsewhere = this.ctx.repo
      .tenantCas()
      .find(
        (c) => c.status === 'accepted' && c.accountId !== accountId && c.fingerprintSha256 === fingerprint,
      );
    if (elsewhere) {
      throw new PkiError(
        'CONFLICT',
        `${ca.subject} is already registered for another account (${accountLabel(this.ctx, elsewhere.accountId)})`,
      );
    }
  }

  async startRegistration(accountId: string, caPem: string): Promise<TenantCaRegistration> {
    const account = requireAccount(this.ctx, accountId);
    const ca = parseSingleCertificate(caPem, 'CA certificate');
    const basic = ca.getExtension(x509.BasicConstraintsExtension);
    if (!basic?.ca)
      throw new PkiError(
        'BAD_REQUEST',
        `${ca.subject} is not a CA certificate (basicConstraints CA:TRUE missing)`,
      );
    const usage = ca.getExtension(x509.KeyUsagesExtension);
    if (usage && !(usage.usages & x509.KeyUsageFlags.keyCertSign)) {
      throw new PkiError(
        'BAD_REQUEST',
        `${ca.subject} may not sign certificates (keyUsage lacks keyCertSign)`,
      );
    }
    const now = this.ctx.now();
    if (now > ca.notAfter)
      throw new PkiError('BAD_REQUEST', `${ca.subject} expired on ${ca.notAfter.toISOString()}`);
    if (now < ca.notBefore) {
      throw new PkiError('BAD_REQUEST', `${ca.subject} is not valid before ${ca.notBefore.toISOString()}`);
    }
    if (ca.subject === ca.issuer && !(await ca.verify({ signatureOnly: true }).catch(() => false))) {
      throw new PkiError(
        'BAD_REQUEST',
        `${ca.subject} is self-issued but its self-signature does not verify`,
      );
    }
    const fingerprint = fingerprintSha256(Buffer.from(ca.rawData));
    this.checkNotClaimed(ca, fingerprint, accountId);
    const existing = this.ctx.repo.tenantCas(accountId).find((c) => c.fingerprintSha256 === fingerprint);
    if (existing?.status === 'accepted') {
      throw new PkiError('CONFLICT', `${ca.subject} is already registered for account ${account.name}`);
    }
    this.checkLimit(accountId);
    if (existing) this.ctx.repo.deleteTenantCa(existing.id);
    const id = crypto.randomUUID();
    const registrationCode = crypto.randomBytes(16).toString('hex');
    this.ctx.repo.insertTenantCa({
      id,
      accountId,
      subject: ca.subject,
      fingerprintSha256: fingerprint,
      notBefore: ca.notBefore.getTime(),
      notAfter: ca.notAfter.getTime(),
      certificatePem: ca.toString('pem') + '\n',
      registrationCode,
      createdAt: now.getTime(),
    });
    return {
      id,
      registrationCode,
      expiresAt: now.getTime() + REGISTRATION_TTL_MS,
      instructions:
        `Create a key pair and a certificate with subject CN=${registrationCode}, signed by this CA's ` +
        'private key, and submit it to complete the registration.',
    };
  }

  async completeRegistration(id: string, verificationCertPem: string): Promise<TenantCaRecord> {
    const pending = this.ctx.repo.tenantCa(id);
    if (!pending) throw new PkiError('NOT_FOUND', `No tenant CA registration ${id}`);
    if (pending.status !== 'pending' || !pending.registrationCode) {
      throw new PkiError('CONFLICT', `Tenant CA ${pending.subject} is already accepted`);
    }
    if (this.ctx.now().getTime() > pending.createdAt + REGISTRATION_TTL_MS) {
      throw new PkiError('BAD_REQUEST', 'The registration code has expired; upload the CA certificate again');
    }
    const verification = parseSingleCertificate(verificationCertPem, 'verification certificate');
    const cn = commonNameOf(verification.subjectName);
    if (cn !== pending.registrationCode) {
      throw new PkiError(
        'BAD_REQUEST',
        `The verification certificate's CN must be the registration code ${pending.registrationCode}`,
      );
    }
    const ca = new x509.X509Certificate(pending.certificatePem);
    const signed = await verification
      .verify({ publicKey: ca.publicKey, signatureOnly: true })
      .catch(() => false);
    if (!signed) {
      throw new PkiError(
        'BAD_REQUEST',
        `The verification certificate is not signed by the key of ${ca.subject}`,
      );
    }
    this.checkLimit(pending.accountId, id);
    this.checkNotClaimed(ca, pending.fingerprintSha256, pending.accountId);
    this.ctx.repo.acceptTenantCa(id, this.ctx.now().getTime());
    this.ctx.logger?.info({ accountId: pending.accountId, subject: pending.subject }, 'accepted tenant CA');
    this.accepted = undefined;
    this.onTrustChanged();
    return this.get(id);
  }

  get(id: string): TenantCaRecord {
    const ca = this.ctx.repo.tenantCa(id);
    if (!ca) throw new PkiError('NOT_FOUND', `No tenant CA ${id}`);
    return publicRecord(ca);
  }

  list(accountId?: string): TenantCaRecord[] {
    return this.ctx.repo.tenantCas(accountId).map(publicRecord);
  }

  remove(id: string): void {
    const ca = this.ctx.repo.tenantCa(id);
    if (!ca) throw new PkiError('NOT_FOUND', `No tenant CA ${id}`);
    this.ctx.repo.deleteTenantCa(id);
    this.accepted = undefined;
    if (ca.status === 'accepted') this.onTrustChanged();
  }

  /**
   * Stores the tenant's CRL for an accepted CA (it must be signed by that CA). Node's `tls` `crl`
   * option checks CRLs for every CA of a chain, so without one the tenant's devices fail at TLS
   * listeners that use CRLs; the serials on it also count as revoked in `verifyClientChain`.
   */
  async setCrl(id: string, crlPem: string): Promise<TenantCaRecord> {
    const ca = this.ctx.repo.tenantCa(id);
    if (!ca) throw new PkiError('NOT_FOUND', `No tenant CA ${id}`);
    if (ca.status !== 'accepted')
      throw new PkiError('CONFLICT', 'Complete the CA registration before uploading its CRL');
    const block = splitPem(crlPem).find((b) => b.label === 'X509 CRL' || b.label === 'CRL');
    if (!block) throw new PkiError('BAD_REQUEST', 'No PEM CRL (BEGIN X509 CRL) found');
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(block.der);
    } catch (err) {
      throw new PkiError('BAD_REQUEST', `The CRL cannot be parsed: ${(err as Error).message}`);
    }
    const caCert = new x509.X509Certificate(ca.certificatePem);
    const signed = await crl.verify({ publicKey: caCert.publicKey }).catch(() => false);
    if (crl.issuer !== caCert.subject || !signed) {
      throw new PkiError('BAD_REQUEST', `The CRL is not issued and signed by ${caCert.subject}`);
    }
    if (crl.nextUpdate && crl.nextUpdate < this.ctx.now()) {
      throw new PkiError('BAD_REQUEST', `The CRL expired on ${crl.nextUpdate.toISOString()}`);
    }
    this.ctx.repo.saveTenantCaCrl(id, toPem('X509 CRL', block.der));
    this.accepted = undefined;
    this.onTrustChanged();
    return this.get(id);
  }

  /** Accepted tenant CAs, parsed once and cached until the set changes. */
  acceptedCertificates(): AcceptedTenantCa[] {
    this.accepted ??= this.ctx.repo
      .tenantCas()
      .filter((c) => c.status === 'accepted')
      .map((c) => ({
        record: publicRecord(c),
        certificate: new x509.X509Certificate(c.certificatePem),
        revokedSerials: new Set(
          c.crlPem ? new x509.X509Crl(c.crlPem).entries.map((e) => normalizeSerial(e.serialNumber)) : [],
        ),
      }));
    return this.accepted;
  }
}
