import type { KeyObject } from 'node:crypto';
import type { CryptoKey } from './x509';
import type { KeyAlgorithm } from './algorithms';
import type { x509 } from './x509';

/** A CA loaded for signing: its certificate and its (non-extractable) private key. */
export interface SigningAuthority {
  id: string;
  role: 'root' | 'issuing';
  certificate: x509.X509Certificate;
  pem: string;
  key: CryptoKey;
  /** The same private key for Node's crypto.sign (the fast leaf path). */
  nodeKey: KeyObject;
  /** Exact DER of the CA's subject Name: the issuer field of what it signs. */
  subjectDer: Buffer;
  keyAlgorithm: KeyAlgorithm;
  /** Cached so each issued certificate does not recompute it. */
  authorityKeyIdentifier: x509.AuthorityKeyIdentifierExtension;
}
