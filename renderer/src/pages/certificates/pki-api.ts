import { api } from '../../api/client';
import type {
  AuthorityRecord,
  BatchProgress,
  CertificateRecord,
  CommonNameStyle,
  Inspection,
  KeyAlgorithm,
  RevocationReason,
  TenantCaRecord,
  TenantCaRegistration,
} from './types';

// The one place the Certificates page names PKI operator-API methods and events.
// PROVISIONAL until preload/contract/pki.ts lands: the calls go through an untyped view of the API.

interface LooseApi {
  call(method: string, request: unknown): Promise<unknown>;
  on(event: string, listener: (data: unknown) => void): () => void;
}
const loose = () => api() as unknown as LooseApi;
const call = <T>(method: string, request: unknown) => loose().call(method, request) as Promise<T>;

export interface CertificateQuery {
  search?: string;
  status?: 'active' | 'revoked';
  kind?: 'device' | 'server';
  accountId?: string;
  limit?: number;
}

export interface IssueDeviceRequest {
  name?: string;
  accountId?: string | null;
  commonNameStyle?: CommonNameStyle;
  csrPem?: string;
  keyAlgorithm?: KeyAlgorithm;
  validityDays?: number;
}

export const pkiApi = {
  listAuthorities: () => call<{ authorities: AuthorityRecord[] }>('pki.listAuthorities', {}),
  listCertificates: (q: CertificateQuery) =>
    call<{ items: CertificateRecord[]; total: number }>('pki.listCertificates', q),
  issueDevice: (req: IssueDeviceRequest) => call<CertificateRecord>('pki.issueDevice', req),
  batchIssue: (req: Omit<IssueDeviceRequest, 'name' | 'csrPem'> & { csv: string }) =>
    call<{ batchId: string; issued: { serial: string; commonName: string }[] }>('pki.batchIssue', req),
  onBatchProgress: (cb: (p: BatchProgress) => void) =>
    loose().on('pki.batchProgress', (d) => cb(d as BatchProgress)),
  revoke: (serial: string, reason: RevocationReason) =>
    call<CertificateRecord>('pki.revoke', { serial, reason }),
  exportPem: (serial: string, includePrivateKey: boolean) =>
    call<{ certificatePem: string; chainPem: string; privateKeyPem: string | null }>('pki.exportPem', {
      serial,
      includePrivateKey,
    }),
  exportPkcs12: (serial: string, password: string) =>
    call<{ base64: string }>('pki.exportPkcs12', { serial, password }),
  exportBundle: (serial: string, options: { host: string; port: number; topic?: string }) =>
    call<{ base64: string }>('pki.exportBundle', { serial, ...options }),
  inspect: (pem: string, accountId?: string) =>
    call<Inspection>('pki.inspect', { pem, ...(accountId ? { accountId } : {}) }),
  listTenantCas: (accountId?: string) =>
    call<{ cas: TenantCaRecord[] }>('pki.listTenantCas', accountId ? { accountId } : {}),
  startTenantCaRegistration: (accountId: string, caPem: string) =>
    call<TenantCaRegistration>('pki.startTenantCaRegistration', { accountId, caPem }),
  completeTenantCaRegistration: (id: string, verificationCertPem: string) =>
    call<TenantCaRecord>('pki.completeTenantCaRegistration', { id, verificationCertPem }),
  removeTenantCa: (id: string) => call<unknown>('pki.removeTenantCa', { id }),
  onChanged: (cb: () => void) => loose().on('pki.changed', () => cb()),
};
