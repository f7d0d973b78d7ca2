import { algorithmSpec } from './algorithms';
import { smallInteger } from './der';
import { toPem } from './pem';
import type { SigningAuthority } from './signing-authority';
import type { RevocationReason } from './types';
import { x509 } from './x509';

const CRL_NUMBER_OID = '2.5.29.20';

const reasonCodes: Record<RevocationReason, x509.X509CrlReason> = {
  unspecified: x509.X509CrlReason.unspecified,
  keyCompromise: x509.X509CrlReason.keyCompromise,
  caCompromise: x509.X509CrlReason.cACompromise,
  affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessationOfOperation: x509.X509CrlReason.cessationOfOperation,
  certificateHold: x509.X509CrlReason.certificateHold,
  privilegeWithdrawn: x509.X509CrlReason.privilegeWithdrawn,
};

export interface CrlEntry {
  serial: string;
  reason: RevocationReason;
  revokedAt: number;
}

export async function buildCrl(
  authority: SigningAuthority,
  entries: readonly CrlEntry[],
  crlNumber: number,
  thisUpdate: Date,
  nextUpdate: Date,
): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: authority.certificate.subjectName,
    thisUpdate,
    nextUpdate,
    signingKey: authority.key,
    signingAlgorithm: algorithmSpec(authority.keyAlgorithm).signing,
    extensions: [
      authority.authorityKeyIdentifier,
      new x509.Extension(CRL_NUMBER_OID, false, smallInteger(crlNumber)),
    ],
    entries: entries.map((e) => ({
      serialNumber: e.serial,
      revocationDate: new Date(e.revokedAt),
      reason: reasonCodes[e.reason],
    })),
  });
  // @peculiar/x509 labels it 'CRL'; OpenSSL (and so Node's tls) only reads 'X509 CRL'.
  return toPem('X509 CRL', Buffer.from(crl.rawData));
}
