/**
 * Secrets shown once at creation (provision password, activation key), kept in page memory only so the
 * operator can still export a complete provision bundle during this session.
 */
const secrets = new Map<string, { password?: string; activationKey?: string }>();

export function rememberSecrets(requestId: string, value: { password?: string; activationKey?: string }) {
  secrets.set(requestId, value);
}

export function secretsOf(requestId: string): { password?: string; activationKey?: string } {
  return secrets.get(requestId) ?? {};
}
