export interface LockoutPolicy {
  /** Failures from one address within the window that trigger the lockout (default 10). */
  maxFailures: number;
  /** Sliding window for counting failures, in ms (default 5 minutes). */
  windowMs: number;
  /** How long the address stays locked out, in ms (default: the window). */
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 10, windowMs: 5 * 60_000, lockMs: 5 * 60_000 };

interface Entry {
  failures: number[];
  lockedUntil: number;
}

const MAX_ENTRIES = 50_000;

/**
 * Counts failed logins per (username, client address). Only the offending address is locked out,
 * so an attacker elsewhere cannot lock a legitimate device out of its own credential.
 */
export class LoginFailureTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: LockoutPolicy,
    private readonly now: () => number,
  ) {}

  private key(username: string, address: string): string {
    return `${username}\u0000${address}`;
  }

  /** Milliseconds left on a lockout, or 0 when the address may try. */
  lockedFor(username: string, address: string): number {
    const entry = this.entries.get(this.key(username, address));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  recordFailure(username: string, address: string): void {
    const now = this.now();
    const key = this.key(username, address);
    const entry = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => t > now - this.policy.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.policy.maxFailures) {
      entry.lockedUntil = now + this.policy.lockMs;
      entry.failures = [];
    }
    this.entries.delete(key); // re-insert to keep insertion order ~ recency for pruning
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.prune();
  }

  recordSuccess(username: string, address: string): void {
    this.entries.delete(this.key(username, address));
  }

  /** Addresses currently locked out for a username. */
  lockedAddresses(username: string): string[] {
    const now = this.now();
    const prefix = `${username}\u0000`;
    const out: string[] = [];
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix) && entry.lockedUntil > now) out.push(key.slice(prefix.length));
    }
    return out;
  }

  clear(username: string, address?: string): void {
    if (address !== undefined) {
      this.entries.delete(this.key(username, address));
      return;
    }
    for (const key of [...this.entries.keys()])
      if (key.startsWith(`${username}\u0000`)) this.entries.delete(key);
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.lockedUntil <= now && entry.failures.every((t) => t <= now - this.policy.windowMs)) {
        this.entries.delete(key);
      }
    }
    // Still too many: forget the oldest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}
