import type {
  Algorithm,
  EcdsaParams,
  EcKeyGenParams,
  EcKeyImportParams,
  RsaHashedImportParams,
  RsaHashedKeyGenParams,
} from './x509';
export const keyAlgorithms = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

interface AlgorithmSpec {
  /** WebCrypto parameters to generate or import a signing key. */
  keyParams: EcKeyImportParams | RsaHashedImportParams;
  generateParams: EcKeyGenParams | RsaHashedKeyGenParams;
  /** Signature algorithm used when this key signs certificates and CRLs. */
  signing: Algorithm | EcdsaParams;
}

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);

function rsa(bits: number): AlgorithmSpec {
  const keyParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return {
    keyParams,
    generateParams: { ...keyParams, modulusLength: bits, publicExponent: RSA_EXPONENT },
    signing: keyParams,
  };
}

function ec(curve: 'P-256' | 'P-384', hash: 'SHA-256' | 'SHA-384'): AlgorithmSpec {
  const keyParams = { name: 'ECDSA', namedCurve: curve };
  return { keyParams, generateParams: keyParams, signing: { name: 'ECDSA', hash } as EcdsaParams };
}

const specs: Record<KeyAlgorithm, AlgorithmSpec> = {
  'ec-p256': ec('P-256', 'SHA-256'),
  'ec-p384': ec('P-384', 'SHA-384'),
  'rsa-2048': rsa(2048),
  'rsa-3072': rsa(3072),
  'rsa-4096': rsa(4096),
};

export function algorithmSpec(algorithm: KeyAlgorithm): AlgorithmSpec {
  return specs[algorithm];
}

export function isKeyAlgorithm(value: string): value is KeyAlgorithm {
  return (keyAlgorithms as readonly string[]).includes(value);
}
