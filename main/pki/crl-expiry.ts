import type { TenantCaRecord } from './types';

/** The Certificates page warns this long before a tenant CRL's nextUpdate. */
export const CRL_WARNING_DAYS = 7;

export interface ExpiredTenantCrl {
  ca: TenantCaRecord;
  accountName: string;
}

/** What a failed-handshake record needs to be rewritten in place. */
export interface RefinableFailure {
  message: string;
  detail: string;
}

/**
 * OpenSSL reports CRL_HAS_EXPIRED (reason `crl-expired`) for any stale CRL of the chain. Fieldbench re-signs
 * its own CRLs before they lapse, so a stale one is a tenant's: name it in the message.
 * Returns whether the failure was rewritten.
 */
export function explainCrlExpiredFailure(
  failure: RefinableFailure,
  expired: readonly ExpiredTenantCrl[],
): boolean {
  if (failure.detail !== 'CRL_HAS_EXPIRED' || expired.length === 0) return false;
  const which = expired
    .map(
      ({ ca, accountName }) =>
        `${ca.subject} of account ${accountName}, expired ${new Date(ca.crlNextUpdate ?? 0).toISOString()}`,
    )
    .join('; ');
  failure.message = `Tenant CRL expired — upload a fresh CRL (${which}).`;
  return true;
}
