import path from 'node:path';
import { createCa, issueCert, type OpensslCa, readPem } from '../helpers/openssl-pki';
import type { PkiCore } from './core-fixture';

/** A tenant's own CA made by openssl under `dir`. */
export function opensslTenantCa(dir: string, name: string): OpensslCa {
  return createCa(path.join(dir, 'tenants', name), name, { subject: `/O=Tenant/CN=${name}` });
}

/** The PEM of a clientAuth certificate with CN `commonName` signed by `ca`. */
export function signedBy(ca: OpensslCa, fileName: string, commonName: string): { cert: string; key: string } {
  const files = issueCert(ca, fileName, {
    subject: `/CN=${commonName}`,
    keyUsage: 'critical, digitalSignature',
    days: 10,
  });
  return { cert: readPem(files.cert), key: readPem(files.key) };
}

/** Uploads the CA for the account through the operator API and proves possession of its key. */
export async function registerTenantCa(f: PkiCore, ca: OpensslCa, accountId = f.accountId) {
  const registration = await f.call('pki.startTenantCaRegistration', { accountId, caPem: readPem(ca.cert) });
  const proof = signedBy(ca, `proof-${registration.id}`, registration.registrationCode);
  const record = await f.call('pki.completeTenantCaRegistration', {
    id: registration.id,
    verificationCertPem: proof.cert,
  });
  return { registration, record };
}
