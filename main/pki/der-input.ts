import crypto from 'node:crypto';
import { PkiError } from './errors';
import { toPem } from './pem';
import { x509 } from './x509';

const MAX_DER_BYTES = 150_000;

function parses(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch {
    return false;
  }
}

/**
 * Wraps a binary (DER) file — a .der/.cer certificate, CSR, CRL or key — in the PEM block the inspector
 * reads. A DER file holds one object, so the first type that parses is the answer.
 */
export function derToPem(der: Buffer): string {
  if (der.length === 0) throw new PkiError('BAD_REQUEST', 'The file is empty');
  if (der.length > MAX_DER_BYTES) {
    throw new PkiError('BAD_REQUEST', `The file is too large for a certificate (${der.length} bytes)`);
  }
  // Every DER object of these kinds is an ASN.1 SEQUENCE.
  if (der[0] !== 0x30) {
    throw new PkiError(
      'BAD_REQUEST',
      'The file is neither PEM text nor DER (binary ASN.1): it does not start with a SEQUENCE',
    );
  }
  if (parses(() => new x509.X509Certificate(der))) return toPem('CERTIFICATE', der);
  if (parses(() => new x509.Pkcs10CertificateRequest(der))) return toPem('CERTIFICATE REQUEST', der);
  if (parses(() => new x509.X509Crl(der))) return toPem('X509 CRL', der);
  const key = privateKeyPkcs8(der);
  if (key) return toPem('PRIVATE KEY', key);
  if (parses(() => crypto.createPublicKey({ key: der, format: 'der', type: 'spki' })))
    return toPem('PUBLIC KEY', der);
  throw new PkiError(
    'BAD_REQUEST',
    'The DER file is not a certificate, CSR, CRL, private key (PKCS#8, SEC1, PKCS#1) or public key',
  );
}

/** `openssl pkey -outform DER` writes EC keys as SEC1 and RSA keys as PKCS#1: normalise to PKCS#8. */
function privateKeyPkcs8(der: Buffer): Buffer | undefined {
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      const key = crypto.createPrivateKey({ key: der, format: 'der', type });
      return key.export({ format: 'der', type: 'pkcs8' });
    } catch {
      // Not this encoding; try the next.
    }
  }
  return undefined;
}

/** Decodes base64 sent by the renderer, refusing text that is not base64. */
export function decodeBase64File(base64: string): Buffer {
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new PkiError('BAD_REQUEST', 'derBase64 is not valid base64');
  }
  return Buffer.from(compact, 'base64');
}
