import type { z } from 'zod';
import type { EventDataOf, ResponseOf } from '../../../../preload/contract';
import {
  type PkiCertificate,
  type pkiAuthoritySchema,
  type pkiInspectionSchema,
  pkiKeyAlgorithms,
  pkiRevocationReasons,
  type pkiTenantCaSchema,
} from '../../../../preload/contract/pki';

// The Certificates page's names for the PKI contract's shapes.

export const keyAlgorithms = pkiKeyAlgorithms;
export type KeyAlgorithm = (typeof pkiKeyAlgorithms)[number];
export const revocationReasons = pkiRevocationReasons;
export type RevocationReason = (typeof pkiRevocationReasons)[number];
export type CommonNameStyle = 'client-id' | 'account-prefixed';

export type CertificateRecord = PkiCertificate;
export type AuthorityRecord = z.infer<typeof pkiAuthoritySchema>;
export type TenantCaRecord = z.infer<typeof pkiTenantCaSchema>;
export type TenantCaRegistration = ResponseOf<'pki.startTenantCaRegistration'>;
export type Inspection = z.infer<typeof pkiInspectionSchema>;
export type InspectedItem = Inspection['items'][number];
export type InspectedCertificate = Extract<InspectedItem, { type: 'certificate' }>;
export type KeyInfo = InspectedCertificate['key'];
export type BatchProgress = EventDataOf<'pki.batchProgress'>;
