import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { KeyAlgorithm } from '../../preload/contract/gateways';

/** IoT Core's rule: a token may live at most 24 hours, plus 10 minutes for clock skew. */
export const MAX_LIFETIME_SECONDS = 24 * 3600;
export const CLOCK_SKEW_SECONDS = 600;
/** Tokens larger than this are not even parsed. */
const MAX_TOKEN_BYTES = 8192;

export type JwtRefusal =
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-audience'
  | 'lifetime-too-long'
  | 'key-expired';

export type JwtCheck =
  | { ok: true; expiresAt: number; keyId: string }
  | { ok: false; reason: JwtRefusal; message: string };

export interface CandidateKey {
  id: string;
  algorithm: KeyAlgorithm;
  key: KeyObject;
  expiresAt: number | null;
}

const ALGORITHMS: readonly string[] = ['RS256', 'ES256'];

function refused(reason: JwtRefusal, message: string): JwtCheck {
  return { ok: false, reason, message };
}

/**
 * Verifies a device JWT (RS256/ES256, `iat`, `exp`, `aud` = account name) with `jose` against the
 * device's keys. `nowMs` is the clock the claims are checked against.
 */
export async function verifyDeviceJwt(
  token: string,
  keys: readonly CandidateKey[],
  audience: string,
  nowMs: number,
): Promise<JwtCheck> {
  if (token.length === 0 || token.length > MAX_TOKEN_BYTES)
    return refused('malformed', 'the password is not a JWT');
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return refused('malformed', 'the password is not a JWT');
  }
  if (alg === undefined || !ALGORITHMS.includes(alg)) {
    return refused(
      'malformed',
      `the JWT is signed with ${alg ?? 'no algorithm'}; RS256 or ES256 is required`,
    );
  }
  const candidates = keys.filter((k) => k.algorithm === alg);
  if (candidates.length === 0) return refused('bad-signature', `the device has no ${alg} key`);
  const currentDate = new Date(nowMs);
  let expiredKey = false;
  for (const candidate of candidates) {
    try {
      const { payload } = await jwtVerify(token, candidate.key, {
        algorithms: [alg],
        audience,
        requiredClaims: ['iat', 'exp', 'aud'],
        currentDate,
      });
      if (candidate.expiresAt !== null && candidate.expiresAt <= nowMs) {
        expiredKey = true;
        continue;
      }
      const iat = payload.iat!;
      const exp = payload.exp!;
      if (iat > nowMs / 1000 + CLOCK_SKEW_SECONDS) {
        return refused('not-yet-valid', 'the JWT was issued in the future (iat)');
      }
      if (exp - iat > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
        return refused(
          'lifetime-too-long',
          `the JWT is valid for ${exp - iat} s; at most ${MAX_LIFETIME_SECONDS} s (24 h) plus ${CLOCK_SKEW_SECONDS} s skew is allowed`,
        );
      }
      return { ok: true, expiresAt: exp * 1000, keyId: candidate.id };
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) continue;
      if (err instanceof errors.JWTExpired) return refused('expired', 'the JWT has expired');
      if (err instanceof errors.JWTClaimValidationFailed) {
        if (err.claim === 'aud') {
          return refused('wrong-audience', `the JWT's audience is not the account name "${audience}"`);
        }
        if (err.claim === 'nbf') return refused('not-yet-valid', 'the JWT is not valid yet (nbf)');
        if (err.claim === 'iat' && err.reason === 'check_failed') {
          return refused('not-yet-valid', 'the JWT was issued in the future (iat)');
        }
        return refused('malformed', `the JWT's claims are not valid: ${err.message}`);
      }
      if (err instanceof errors.JOSEError)
        return refused('malformed', `the JWT is not valid: ${err.message}`);
      throw err;
    }
  }
  return expiredKey
    ? refused('key-expired', 'the JWT is signed with a key that has expired')
    : refused('bad-signature', "the JWT signature does not match any of the device's keys");
}
