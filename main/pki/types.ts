import type { KeyAlgorithm } from './algorithms';

export type CertificateKind = 'server' | 'device';
export type CertificateStatus = 'active' | 'revoked';

export const revocationReasons = [
  'unspecified',
  'keyCompromise',
  'caCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
] as const;
export type RevocationReason = (typeof revocationReasons)[number];

/** How a device certificate's CN is formed from the requested name. */
export type CommonNameStyle = 'client-id' | 'account-prefixed';

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/** An issued certificate as listed to operators (no key material). */
export interface CertificateRecord {
  serial: string;
  kind: CertificateKind;
  commonName: string;
  subject: string;
  accountId: string | null;
  keyAlgorithm: KeyAlgorithm | 'external';
  notBefore: number;
  notAfter: number;
  status: CertificateStatus;
  revocationReason: RevocationReason | null;
  revokedAt: number | null;
  fingerprintSha256: string;
  hasPrivateKey: boolean;
  replacedBy: string | null;
  batchId: string | null;
  createdAt: number;
  certificatePem: string;
}

export interface AuthorityRecord {
  id: string;
  role: 'root' | 'issuing';
  subject: string;
  serial: string;
  keyAlgorithm: KeyAlgorithm;
  notBefore: number;
  notAfter: number;
  certificatePem: string;
}

export interface TenantCaRecord {
  id: string;
  accountId: string;
  subject: string;
  fingerprintSha256: string;
  notBefore: number;
  notAfter: number;
  status: 'pending' | 'accepted';
  createdAt: number;
  acceptedAt: number | null;
  certificatePem: string;
  /** The tenant's own CRL, if uploaded; needed by TLS listeners that check CRLs for every CA. */
  crlPem: string | null;
  /** When the uploaded CRL stops being valid (its nextUpdate), epoch ms; TLS refuses the CA's devices after it. */
  crlNextUpdate: number | null;
}
