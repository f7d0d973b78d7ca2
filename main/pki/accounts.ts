import type { PkiContext } from './context';
import { PkiError } from './errors';

/** What the PKI needs to know about a tenancy account. */
export interface PkiAccount {
  id: string;
  name: string;
}

/** Injected by the core so the PKI can check account ids without importing tenancy. */
export type AccountLookup = (accountId: string) => PkiAccount | undefined;

/**
 * The account with this id, or a NOT_FOUND error. A PKI opened without a lookup (standalone, tests)
 * takes the id at its word and uses it as the name.
 */
export function requireAccount(ctx: PkiContext, accountId: string): PkiAccount {
  if (!ctx.accounts) return { id: accountId, name: accountId };
  const account = ctx.accounts(accountId);
  if (!account) {
    throw new PkiError(
      'NOT_FOUND',
      `No account with id ${accountId}: certificates and tenant CAs can only belong to an existing account`,
    );
  }
  return account;
}

/** The account's name for messages, or its id when it is unknown. */
export function accountLabel(ctx: PkiContext, accountId: string): string {
  return ctx.accounts?.(accountId)?.name ?? accountId;
}
