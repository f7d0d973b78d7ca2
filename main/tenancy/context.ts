import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ClientRef } from '../broker/hooks';

/** What the broker lets tenancy do to connected clients. */
export interface BrokerControl {
  disconnectWhere(
    predicate: (client: ClientRef) => boolean,
    reasonCode: number,
    reasonString?: string,
  ): unknown;
  /** Drops the broker's own cached publish decisions, if it keeps any. */
  invalidateAuthorizations?(): void;
}

/** Shared plumbing of the tenancy services. */
export interface TenancyContext {
  readonly db: Database;
  readonly logger: Logger;
  now(): number;
  /** Drops every cached authorization decision; call after any change that affects access. */
  invalidate(): void;
  /** Disconnects connected clients matching the predicate (a no-op until a broker is attached). */
  disconnect(predicate: (client: ClientRef) => boolean, reasonCode: number, reasonString: string): void;
}

export const REASON = {
  notAuthorized: 0x87,
  badCredentials: 0x86,
  quotaExceeded: 0x97,
  administrativeAction: 0x98,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  topicNameInvalid: 0x90,
  topicFilterInvalid: 0x8f,
} as const;

/** Lists names for an error message, bounded so messages stay readable. */
export function nameList(names: string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
