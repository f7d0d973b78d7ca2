import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyAlgorithm } from '../../preload/contract/gateways';

export interface DeviceJwtOptions {
  /** The account name (the JWT's `aud`). */
  audience: string;
  /** Seconds since the epoch; default now. */
  issuedAt?: number;
  /** Default 1 hour. */
  lifetimeSeconds?: number;
  /** Default: from the key (EC → ES256, RSA → RS256). */
  algorithm?: KeyAlgorithm;
}

/** Signs a device login JWT the way device firmware does (for the simulator, tools and tests). */
export function signDeviceJwt(privateKeyPem: string, options: DeviceJwtOptions): Promise<string> {
  const key = crypto.createPrivateKey(privateKeyPem);
  const algorithm = options.algorithm ?? (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? 3600))
    .setAudience(options.audience)
    .sign(key);
}
