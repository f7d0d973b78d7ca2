export type { AccountLookup, PkiAccount } from './accounts';
export { type KeyAlgorithm, keyAlgorithms } from './algorithms';
export type { ClientVerification, ClientVerificationFailure, PresentedCertificate } from './client-verifier';
export type {
  BatchIssueRequest,
  BatchProgress,
  BatchResult,
  DeviceCertificateRequest,
} from './device-issuer';
export { CRL_WARNING_DAYS, explainCrlExpiredFailure, type ExpiredTenantCrl } from './crl-expiry';
export { PkiError, type PkiErrorCode } from './errors';
export type { BundleOptions, PemExport } from './exporter';
export type { Inspection, InspectedItem } from './inspector';
export {
  createPki,
  type Pki,
  type PkiOptions,
  type RenewalOptions,
  type TlsTrust,
  type TrustChangedListener,
} from './pki';
export type { CertificateFilter } from './repository';
export type {
  RenewedServerCertificate,
  ServerCertificateRequest,
  ServerCredentials,
} from './server-certificates';
export type { TenantCaRegistration } from './tenant-cas';
export {
  type AuthorityRecord,
  type CertificateKind,
  type CertificateRecord,
  type CommonNameStyle,
  type RevocationReason,
  revocationReasons,
  type TenantCaRecord,
} from './types';
export { createPkiHandlers } from './api-handlers';
export { type PkiHandlerDeps, pkiHandlerDepsFrom } from './tenancy-link';
