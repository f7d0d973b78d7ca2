import { x509 } from './x509';

/** A certificate the PKI trusts as the top of a chain. */
export interface TrustAnchor {
  certificate: x509.X509Certificate;
  source: 'fieldbench' | 'tenant';
  accountId: string | null;
  tenantCaId: string | null;
}

export type ChainFailureReason = 'unknown-ca' | 'expired' | 'not-yet-valid' | 'bad-signature' | 'not-a-ca';

export type PathResult =
  | { ok: true; path: x509.X509Certificate[]; anchor: TrustAnchor }
  | { ok: false; reason: ChainFailureReason; message: string };

const MAX_DEPTH = 6;

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

function validityFailure(cert: x509.X509Certificate, at: Date): PathResult | null {
  if (at > cert.notAfter) {
    return {
      ok: false,
      reason: 'expired',
      message: `${cert.subject} expired on ${cert.notAfter.toISOString()}`,
    };
  }
  if (at < cert.notBefore) {
    return {
      ok: false,
      reason: 'not-yet-valid',
      message: `${cert.subject} is not valid before ${cert.notBefore.toISOString()}`,
    };
  }
  return null;
}

/**
 * Walks from the leaf to a trust anchor, using presented intermediates where needed, checking
 * signatures, CA flags and validity at `at` for every certificate on the path.
 */
export async function verifyPath(
  leaf: x509.X509Certificate,
  presented: readonly x509.X509Certificate[],
  anchors: readonly TrustAnchor[],
  at: Date,
): Promise<PathResult> {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const invalid = validityFailure(current, at);
    if (invalid) return invalid;
    for (const anchor of anchors) {
      if (await signedBy(current, anchor.certificate)) {
        const anchorInvalid = validityFailure(anchor.certificate, at);
        if (anchorInvalid) return anchorInvalid;
        return { ok: true, path, anchor };
      }
    }
    let next: x509.X509Certificate | undefined;
    for (const candidate of presented) {
      if (candidate !== current && !path.includes(candidate) && (await signedBy(current, candidate))) {
        next = candidate;
        break;
      }
    }
    if (!next) {
      if (current.subject === current.issuer) {
        return {
          ok: false,
          reason: 'unknown-ca',
          message: `The chain ends at "${current.subject}", which is not trusted`,
        };
      }
      const nameMatch = [...anchors.map((a) => a.certificate), ...presented].some(
        (c) => c !== current && c.subject === current.issuer,
      );
      return nameMatch
        ? {
            ok: false,
            reason: 'bad-signature',
            message: `The signature of ${current.subject} does not verify`,
          }
        : { ok: false, reason: 'unknown-ca', message: `Issuer "${current.issuer}" is not a trusted CA` };
    }
    if (!isCa(next))
      return { ok: false, reason: 'not-a-ca', message: `${next.subject} is not a CA certificate` };
    path.push(next);
    current = next;
  }
  return { ok: false, reason: 'unknown-ca', message: 'Certificate chain is too long' };
}
