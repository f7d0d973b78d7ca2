import { PkiError } from './errors';
import { certificatesIn, splitPem } from './pem';
import { x509 } from './x509';

/** Parses a PEM CSR and checks its self-signature (the requester holds the private key). */
export async function parseVerifiedCsr(pem: string): Promise<x509.Pkcs10CertificateRequest> {
  const block = splitPem(pem).find(
    (b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST',
  );
  if (!block) {
    const hint = certificatesIn(pem).length ? ' (this is a certificate, not a request)' : '';
    throw new PkiError('BAD_REQUEST', `No PEM certificate signing request found${hint}`);
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch (err) {
    throw new PkiError(
      'BAD_REQUEST',
      `The certificate signing request cannot be parsed: ${(err as Error).message}`,
    );
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) throw new PkiError('BAD_REQUEST', 'The certificate signing request signature does not verify');
  return csr;
}

export function commonNameOf(name: x509.Name): string | undefined {
  return name.getField('CN')[0];
}
