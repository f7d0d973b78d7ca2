// Shapes of the PKI operator API as the Certificates page uses them. They mirror main/pki's records;
// when preload/contract/pki.ts defines them, these become re-exports of the contract's types.

export const keyAlgorithms = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

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

export type CommonNameStyle = 'client-id' | 'account-prefixed';

export interface CertificateRecord {
  serial: string;
  kind: 'server' | 'device';
  commonName: string;
  subject: string;
  accountId: string | null;
  keyAlgorithm: string;
  notBefore: number;
  notAfter: number;
  status: 'active' | 'revoked';
  revocationReason: string | null;
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
  keyAlgorithm: string;
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
}

export interface TenantCaRegistration {
  id: string;
  registrationCode: string;
  instructions: string;
  expiresAt: number;
}

export interface KeyInfo {
  type: string;
  bits: number | null;
  curve: string | null;
}

export interface InspectedCertificate {
  type: 'certificate';
  subject: string;
  issuer: string;
  commonName: string | null;
  serial: string;
  notBefore: string;
  notAfter: string;
  validNow: boolean;
  isCa: boolean;
  selfSigned: boolean;
  subjectAltNames: string[];
  signatureAlgorithm: string;
  key: KeyInfo;
  sha1Fingerprint: string;
  sha256Fingerprint: string;
  extensions: { oid: string; name: string; critical: boolean; value: string }[];
}

export type InspectedItem =
  | InspectedCertificate
  | { type: 'csr'; subject: string; key: KeyInfo; signatureValid: boolean; subjectAltNames: string[] }
  | { type: 'private-key' | 'public-key'; encrypted: boolean; key: KeyInfo | null }
  | { type: 'crl'; issuer: string; thisUpdate: string; nextUpdate: string | null; revokedSerials: string[] }
  | { type: 'unknown'; label: string; error: string };

export interface Inspection {
  items: InspectedItem[];
  chain: {
    verified: boolean;
    trustedBy: 'fieldbench' | 'tenant' | null;
    accountId: string | null;
    message: string;
  } | null;
}

export interface BatchProgress {
  batchId: string;
  done: number;
  total: number;
}
