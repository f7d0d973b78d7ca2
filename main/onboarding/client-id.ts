import type { OnboardingMode } from '../../preload/contract/onboarding';

/** Why a certificate login was refused by the onboarding rules (also the TLS failure log's reason). */
export type OnboardingRefusal = 'client-id-mismatch' | 'wrong-tenant-prefix' | 'reconnect-too-early';

/** Reasons the registration service reports for certificates the PKI refused. */
export type CertificateFailure = 'certificate-revoked' | 'unknown-ca' | 'certificate-expired' | 'other';

export function certificateFailureOf(verificationReason: string): CertificateFailure {
  if (verificationReason === 'revoked') return 'certificate-revoked';
  if (verificationReason === 'expired') return 'certificate-expired';
  return verificationReason === 'unknown-ca' ? 'unknown-ca' : 'other';
}

export type ClientIdCheck =
  | { ok: true }
  | { ok: false; refusal: OnboardingRefusal; message: string; reasonString: string };

/**
 * The client-id convention of an account's mode:
 * - strict: client id = CN;
 * - eu1: client id = `<tenant>_<CN>`, the CN being the agent name only;
 * - eu2: client id = CN, and the CN is `<tenant>_<agent>`.
 */
export function checkClientId(
  mode: OnboardingMode,
  tenant: string,
  clientId: string,
  commonName: string,
): ClientIdCheck {
  const prefix = `${tenant}_`;
  if (mode === 'eu2' && !(commonName.startsWith(prefix) && commonName.length > prefix.length)) {
    const other = commonName.includes('_') ? commonName.slice(0, commonName.indexOf('_')) : null;
    const message = other
      ? `The certificate's common name "${commonName}" carries tenant prefix "${other}_", not "${prefix}" (eu2 mode).`
      : `The certificate's common name "${commonName}" lacks the tenant prefix "${prefix}" (eu2 mode).`;
    return { ok: false, refusal: 'wrong-tenant-prefix', message, reasonString: message };
  }
  const expected = mode === 'eu1' ? `${prefix}${commonName}` : commonName;
  if (clientId === expected) return { ok: true };
  const convention =
    mode === 'eu1'
      ? ` (eu1 mode: client id = "${prefix}" + the common name)`
      : mode === 'eu2'
        ? ' (eu2 mode)'
        : '';
  return {
    ok: false,
    refusal: 'client-id-mismatch',
    message: `The device connected as "${clientId}" but its certificate for "${commonName}" requires client id "${expected}"${convention}.`,
    reasonString: `Client id "${clientId}" does not match the certificate's common name "${commonName}": expected "${expected}"${convention}`,
  };
}
