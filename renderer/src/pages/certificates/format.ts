const DAY = 86_400_000;

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function daysLeft(notAfter: number, now = Date.now()): number {
  return Math.floor((notAfter - now) / DAY);
}

export function expiryText(notAfter: number, now = Date.now()): string {
  const d = daysLeft(notAfter, now);
  if (d < 0) return `expired ${-d} d ago`;
  if (d === 0) return 'expires today';
  if (d >= 730) return `${Math.floor(d / 365)} years left`;
  return `${d} d left`;
}

/** Colon-separated hex, abbreviated for tables. */
export function shortFingerprint(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return `${clean.slice(0, 8)}…${clean.slice(-8)}`;
}

export function colonHex(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return clean.match(/.{1,2}/g)?.join(':') ?? clean;
}

export const reasonLabels: Record<string, string> = {
  unspecified: 'Unspecified',
  keyCompromise: 'Key compromise',
  caCompromise: 'CA compromise',
  affiliationChanged: 'Affiliation changed',
  superseded: 'Superseded',
  cessationOfOperation: 'Cessation of operation (device retired)',
  certificateHold: 'Certificate hold',
  privilegeWithdrawn: 'Privilege withdrawn',
};
