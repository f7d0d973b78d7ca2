import { type ChainFailureReason, type TrustAnchor, verifyPath } from './chain-verifier';
import type { PkiContext } from './context';
import { commonNameOf } from './csr';
import { certificatesIn } from './pem';
import type { Revocation } from './revocation';
import { normalizeSerial } from './serial';
import type { TenantCas } from './tenant-cas';
import { x509 } from './x509';

/** A certificate as it may arrive: PEM text, DER bytes, or Node's peer certificate object. */
export type PresentedCertificate = string | Uint8Array | { raw: Uint8Array };

export type ClientVerificationFailure =
  | ChainFailureReason
  | 'no-certificate'
  | 'unparseable'
  | 'revoked'
  | 'wrong-eku'
  | 'unknown-certificate';

export type ClientVerification =
  | {
      ok: true;
      /** The account the certificate authenticates for; null for Fieldbench-issued certificates without one. */
      accountId: string | null;
      commonName: string;
      serial: string;
      issuedBy: 'fieldbench' | 'tenant';
      tenantCaId: string | null;
    }
  | { ok: false; reason: ClientVerificationFailure; message: string };

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

function parse(presented: PresentedCertificate): x509.X509Certificate[] {
  if (typeof presented === 'string')
    return certificatesIn(presented).map((b) => new x509.X509Certificate(b.der));
  const der = presented instanceof Uint8Array ? presented : presented.raw;
  return [new x509.X509Certificate(Buffer.from(der))];
}

export function localAnchors(ctx: PkiContext, tenantCas: TenantCas): TrustAnchor[] {
  const local = [ctx.authorities.issuing, ctx.authorities.root].map((a) => ({
    certificate: a.certificate,
    source: 'fieldbench' as const,
    accountId: null,
    tenantCaId: null,
  }));
  const tenants = tenantCas.acceptedCertificates().map((t) => ({
    certificate: t.certificate,
    source: 'tenant' as const,
    accountId: t.record.accountId,
    tenantCaId: t.record.id,
  }));
  return [...local, ...tenants];
}

/** Application-level check of a mutual-TLS client chain: trust, validity, revocation, EKU, and the account it maps to. */
export async function verifyClientChain(
  ctx: PkiContext,
  tenantCas: TenantCas,
  revocation: Revocation,
  peerCertsLeafFirst: readonly PresentedCertificate[],
): Promise<ClientVerification> {
  let certs: x509.X509Certificate[];
  try {
    certs = peerCertsLeafFirst.flatMap(parse);
  } catch (err) {
    return {
      ok: false,
      reason: 'unparseable',
      message: `Client certificate cannot be parsed: ${(err as Error).message}`,
    };
  }
  const [leaf, ...rest] = certs;
  if (!leaf) return { ok: false, reason: 'no-certificate', message: 'No client certificate was presented' };
  const path = await verifyPath(leaf, rest, localAnchors(ctx, tenantCas), ctx.now());
  if (!path.ok) return path;
  const serial = normalizeSerial(leaf.serialNumber);
  const commonName = commonNameOf(leaf.subjectName) ?? '';
  let accountId = path.anchor.accountId;
  if (path.anchor.source === 'fieldbench') {
    const record = ctx.repo.certificate(serial);
    if (!record) {
      return {
        ok: false,
        reason: 'unknown-certificate',
        message: `Serial ${serial} was not issued by this Fieldbench`,
      };
    }
    if (revocation.isRevoked(serial)) {
      return { ok: false, reason: 'revoked', message: `${commonName} (serial ${serial}) has been revoked` };
    }
    accountId = record.accountId;
  } else {
    const tenant = tenantCas.acceptedCertificates().find((t) => t.record.id === path.anchor.tenantCaId);
    if (path.path.length === 1 && tenant?.revokedSerials.has(serial)) {
      return {
        ok: false,
        reason: 'revoked',
        message: `${commonName} (serial ${serial}) is on the tenant CA's CRL`,
      };
    }
  }
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
  const usages = (eku?.usages ?? []).map(String);
  if (eku && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EKU)) {
    return {
      ok: false,
      reason: 'wrong-eku',
      message: `${commonName} is not valid for TLS client authentication`,
    };
  }
  return {
    ok: true,
    accountId,
    commonName,
    serial,
    issuedBy: path.anchor.source,
    tenantCaId: path.anchor.tenantCaId,
  };
}
