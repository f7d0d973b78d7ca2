import type { RequestOf } from '../../../../preload/contract';
import { api } from '../../api/client';
import type { BatchProgress, CertificateRecord, RevocationReason } from './types';

// The one place the Certificates page names PKI operator-API methods and events (preload/contract/pki.ts).

export type CertificateQuery = Omit<RequestOf<'pki.listCertificates'>, 'limit' | 'offset'>;
export type IssueDeviceRequest = RequestOf<'pki.issueDevice'>;

/**
 * The contract pages at 1000; the page reads up to this many (newest first) for the list and the
 * timeline. Each record carries its PEM, so 5000 is a few MB.
 */
export const MAX_LISTED = 5000;
const PAGE = 1000;

export const pkiApi = {
  listAuthorities: () => api().call('pki.listAuthorities', {}),
  /** All certificates matching the filter (newest first), up to MAX_LISTED, in pages of 1000. */
  listCertificates: async (q: CertificateQuery): Promise<{ items: CertificateRecord[]; total: number }> => {
    const first = await api().call('pki.listCertificates', { ...q, limit: PAGE, offset: 0 });
    const items = [...first.items];
    while (items.length < Math.min(first.total, MAX_LISTED)) {
      const next = await api().call('pki.listCertificates', { ...q, limit: PAGE, offset: items.length });
      if (next.items.length === 0) break;
      items.push(...next.items);
    }
    return { items, total: first.total };
  },
  issueDevice: (req: IssueDeviceRequest) => api().call('pki.issueDevice', req),
  batchIssue: (req: RequestOf<'pki.batchIssue'>) => api().call('pki.batchIssue', req),
  onBatchProgress: (cb: (p: BatchProgress) => void) => api().on('pki.batchProgress', cb),
  revoke: (serial: string, reason: RevocationReason) => api().call('pki.revoke', { serial, reason }),
  crl: () => api().call('pki.crl', {}),
  exportPem: (serial: string, includePrivateKey: boolean) =>
    api().call('pki.exportPem', { serial, includePrivateKey }),
  exportPkcs12: (serial: string, password: string) => api().call('pki.exportPkcs12', { serial, password }),
  exportBundle: (
    serial: string,
    options: ({ endpointId: string } | { host: string; port: number }) & { topic?: string },
  ) => api().call('pki.exportBundle', { serial, ...options }),
  /** Text (PEM) goes as is; a binary DER file as base64, decoded on the main side. */
  inspect: (input: { pem: string } | { derBase64: string }, accountId?: string) =>
    api().call('pki.inspect', { ...input, ...(accountId ? { accountId } : {}) }),
  listTenantCas: (accountId?: string) => api().call('pki.listTenantCas', accountId ? { accountId } : {}),
  startTenantCaRegistration: (accountId: string, caPem: string) =>
    api().call('pki.startTenantCaRegistration', { accountId, caPem }),
  completeTenantCaRegistration: (id: string, verificationCertPem: string) =>
    api().call('pki.completeTenantCaRegistration', { id, verificationCertPem }),
  setTenantCaCrl: (id: string, crlPem: string) => api().call('pki.setTenantCaCrl', { id, crlPem }),
  removeTenantCa: (id: string) => api().call('pki.removeTenantCa', { id }),
  onChanged: (cb: (what: string) => void) => api().on('pki.changed', (e) => cb(e.what)),
  onRevoked: (cb: (e: { serial: string; commonName: string; reason: string }) => void) =>
    api().on('pki.certificateRevoked', cb),
};
