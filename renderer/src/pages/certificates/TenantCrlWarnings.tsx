import type { TenantCaRecord } from './types';

/** Warn this long before a tenant CRL's nextUpdate (as main/pki/crl-expiry.ts does). */
const CRL_WARNING_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * Mutual-TLS listeners check a CRL for every CA of a device's chain; once a tenant's uploaded CRL passes
 * its nextUpdate, OpenSSL refuses all of that tenant's devices. Only the tenant can sign a fresh one.
 */
export function TenantCrlWarnings({
  cas,
  nameOf,
  now = Date.now(),
}: {
  cas: TenantCaRecord[];
  nameOf(accountId: string): string | null;
  now?: number;
}) {
  const due = cas.filter(
    (ca) =>
      ca.status === 'accepted' &&
      ca.crlNextUpdate !== null &&
      ca.crlNextUpdate <= now + CRL_WARNING_DAYS * DAY_MS,
  );
  if (due.length === 0) return null;
  return (
    <div className="cert-crl-warnings" role="alert">
      {due.map((ca) => {
        const at = ca.crlNextUpdate ?? 0;
        const expired = at <= now;
        return (
          <p key={ca.id} className={expired ? 'brk-bad' : 'cert-warn'} data-testid="tenant-crl-warning">
            <strong>
              {expired ? 'Tenant CRL expired' : 'Tenant CRL expires soon'}: {ca.subject} (account{' '}
              {nameOf(ca.accountId)})
            </strong>{' '}
            — {expired ? 'expired on' : 'next update due'}{' '}
            <time dateTime={new Date(at).toISOString()}>{new Date(at).toLocaleString()}</time>.{' '}
            {expired
              ? 'Its devices are refused by mutual-TLS listeners until a fresh CRL is uploaded.'
              : 'Ask the tenant for a fresh CRL and upload it before then, or its devices will be refused.'}
          </p>
        );
      })}
    </div>
  );
}
