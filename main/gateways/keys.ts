import crypto, { type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '../../preload/contract/gateways';

export interface ParsedKey {
  algorithm: KeyAlgorithm;
  form: 'public-key' | 'x509';
  key: KeyObject;
  fingerprint: string;
  /** The certificate's notAfter (X.509 form only). */
  certificateExpiresAt: number | null;
}

export class KeyProblem extends Error {}

const MIN_RSA_BITS = 2048;

/** A device public key: PEM `PUBLIC KEY` (RSA or P-256) or an X.509 certificate carrying one. */
export function parsePublicKey(pem: string): ParsedKey {
  const text = pem.trim();
  let key: KeyObject;
  let form: ParsedKey['form'];
  let certificateExpiresAt: number | null = null;
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      const cert = new crypto.X509Certificate(text);
      key = cert.publicKey;
      form = 'x509';
      certificateExpiresAt = Date.parse(cert.validTo);
    } else if (text.includes('PRIVATE KEY-----')) {
      throw new KeyProblem("That is a private key: give the device's public key or certificate");
    } else {
      key = crypto.createPublicKey({ key: text, format: 'pem' });
      form = 'public-key';
    }
  } catch (err) {
    if (err instanceof KeyProblem) throw err;
    throw new KeyProblem(
      `The key is not a parseable PEM public key or X.509 certificate: ${(err as Error).message}`,
    );
  }
  const algorithm = algorithmOf(key);
  const fingerprint = crypto
    .createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return { algorithm, form, key, fingerprint, certificateExpiresAt };
}

function algorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw new KeyProblem(`RSA keys need at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new KeyProblem(
    `Unsupported key type ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}: use RSA (RS256) or EC P-256 (ES256)`,
  );
}

/** A fresh key pair for a device: the PEM public key to store and the PEM private key to hand out once. */
export function generateDeviceKeyPair(algorithm: KeyAlgorithm): {
  publicKeyPem: string;
  privateKeyPem: string;
} {
  const pair =
    algorithm === 'ES256'
      ? crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
