import type { CryptoKey, CryptoKeyPair } from './x509';
import crypto from 'node:crypto';
import type { KeyProtector } from '../secrets';
import { type KeyAlgorithm, algorithmSpec } from './algorithms';
import { subtle } from './x509';

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(algorithmSpec(algorithm).generateParams, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/** A fresh key pair as DER (PKCS#8 private, SPKI public), generated on the libuv thread pool. */
export function generateDerKeyPair(algorithm: KeyAlgorithm): Promise<{ pkcs8: Buffer; spki: Buffer }> {
  const encoding = {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, spki: Buffer, pkcs8: Buffer) =>
      err ? reject(err) : resolve({ pkcs8, spki });
    if (algorithm.startsWith('ec')) {
      crypto.generateKeyPair(
        'ec',
        { namedCurve: algorithm === 'ec-p384' ? 'P-384' : 'P-256', ...encoding },
        done,
      );
    } else {
      crypto.generateKeyPair('rsa', { modulusLength: Number(algorithm.slice(4)), ...encoding }, done);
    }
  });
}

export async function exportPkcs8(privateKey: CryptoKey): Promise<Buffer> {
  return Buffer.from(await subtle.exportKey('pkcs8', privateKey));
}

export async function importSigningKey(pkcs8: Buffer, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', pkcs8, algorithmSpec(algorithm).keyParams, false, ['sign']);
}

export function pkcs8ToPem(pkcs8: Buffer): string {
  return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

/** Private keys are only ever stored sealed by the key protector. */
export function sealKey(protector: KeyProtector, pkcs8: Buffer): Buffer {
  return protector.encrypt(pkcs8);
}

export function unsealKey(protector: KeyProtector, sealed: Buffer): Buffer {
  return protector.decrypt(sealed);
}

/** Which of our algorithm names a Node key object corresponds to, or null for anything else. */
export function keyAlgorithmOf(key: crypto.KeyObject): KeyAlgorithm | null {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ec-p256';
    if (details.namedCurve === 'secp384r1') return 'ec-p384';
    return null;
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength;
    if (bits === 2048) return 'rsa-2048';
    if (bits === 3072) return 'rsa-3072';
    if (bits === 4096) return 'rsa-4096';
  }
  return null;
}
