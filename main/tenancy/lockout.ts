import type { Database, Statement } from 'better-sqlite3';

export interface LockoutPolicy {
  /** Failures from one address within the window that trigger the lockout (default 10). */
  maxFailures: number;
  /** Sliding window for counting failures, in ms (default 5 minutes). */
  windowMs: number;
  /** How long the address stays locked out, in ms (default: the window). */
  lockMs: number;
  /** Failures from one address within the window, whatever the usernames, that lock it out (default 100). */
  maxFailuresPerAddress: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = {
  maxFailures: 10,
  windowMs: 5 * 60_000,
  lockMs: 5 * 60_000,
  maxFailuresPerAddress: 100,
};

/** The username under which an address's failures over all usernames are counted (never a real one). */
const ANY_USER = '';

/** Why an attempt may not be hashed now: a lock, or enough attempts already counted or in progress. */
export interface AttemptRefusal {
  ok: false;
  scope: 'username' | 'address';
  /** Milliseconds left on a lock, or 0 when only attempts in progress fill the budget. */
  lockedMs: number;
}

/** One counted attempt: settle it exactly once. */
export interface AttemptReservation {
  ok: true;
  /** The password was checked and was wrong. */
  failed(): void;
  /** The password was checked and was right. */
  succeeded(): void;
  /** The password was never checked (e.g. the server was busy): the attempt does not count. */
  cancel(): void;
}

export interface LockoutPersistence {
  /** Database with the `tenancy_login_failures` table (migration 0007). */
  db: Database;
  /** A write that failed; logins go on with the in-memory counters. */
  onError?: (err: unknown) => void;
}

interface Entry {
  username: string;
  address: string;
  failures: number[];
  lockedUntil: number;
}

interface FailureRow {
  username: string;
  address: string;
  failures: string;
  locked_until: number;
}

const MAX_ENTRIES = 50_000;
/** Stale rows are deleted at most this often (and at start). */
const DB_PRUNE_INTERVAL_MS = 60_000;

/** Writes each change straight to SQLite: failures are rare and each already cost a password hash. */
class FailureTable {
  private readonly upsert: Statement<[string, string, string, number, number, number]>;
  private readonly deleteOne: Statement<[string, string]>;
  private readonly deleteUser: Statement<[string]>;
  private readonly deleteStale: Statement<[number]>;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    private readonly onError: (err: unknown) => void,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO tenancy_login_failures (username, address, failures, locked_until, expires_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (username, address) DO UPDATE SET failures = excluded.failures,
         locked_until = excluded.locked_until, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM tenancy_login_failures WHERE username = ? AND address = ?');
    this.deleteUser = db.prepare('DELETE FROM tenancy_login_failures WHERE username = ?');
    this.deleteStale = db.prepare('DELETE FROM tenancy_login_failures WHERE expires_at <= ?');
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.onError(err);
    }
  }

  /** The newest rows still in effect, oldest first. */
  load(now: number): FailureRow[] {
    try {
      this.prune(now);
      return this.db
        .prepare<[number, number], FailureRow>(
          `SELECT username, address, failures, locked_until FROM (
             SELECT * FROM tenancy_login_failures WHERE expires_at > ? ORDER BY updated_at DESC LIMIT ?
           ) ORDER BY updated_at`,
        )
        .all(now, MAX_ENTRIES);
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  save(entry: Entry, windowMs: number, now: number): void {
    const last = entry.failures.at(-1) ?? 0;
    const expiresAt = Math.max(entry.lockedUntil, last + windowMs);
    this.guard(() =>
      this.upsert.run(
        entry.username,
        entry.address,
        JSON.stringify(entry.failures),
        entry.lockedUntil,
        expiresAt,
        now,
      ),
    );
    if (now - this.lastPrune >= DB_PRUNE_INTERVAL_MS) this.prune(now);
  }

  remove(username: string, address?: string): void {
    this.guard(() => {
      if (address === undefined) this.deleteUser.run(username);
      else this.deleteOne.run(username, address);
    });
  }

  removeMany(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.guard(() =>
      this.db.transaction(() => {
        for (const e of entries) this.deleteOne.run(e.username, e.address);
      })(),
    );
  }

  prune(now: number): void {
    this.lastPrune = now;
    this.guard(() => this.deleteStale.run(now));
  }
}

/**
 * Counts failed logins per (username, client address). Only the offending address is locked out,
 * so an attacker elsewhere cannot lock a legitimate device out of its own credential.
 * With a database the counters survive a restart: every change is written through (a successful
 * login writes only when it clears earlier failures), and rows that no longer matter are pruned.
 */
export class LoginFailureTracker {
  private readonly entries = new Map<string, Entry>();
  /** Attempts reserved but not yet settled, by the same keys as `entries`. */
  private readonly pending = new Map<string, number>();
  private readonly table: FailureTable | undefined;
  private readonly policy: LockoutPolicy;

  constructor(
    policy: Omit<LockoutPolicy, 'maxFailuresPerAddress'> & Partial<LockoutPolicy>,
    private readonly now: () => number,
    persistence?: LockoutPersistence,
  ) {
    this.policy = { maxFailuresPerAddress: DEFAULT_LOCKOUT.maxFailuresPerAddress, ...policy };
    if (!persistence) return;
    this.table = new FailureTable(persistence.db, persistence.onError ?? (() => {}));
    const at = now();
    for (const row of this.table.load(at)) {
      let failures: number[] = [];
      try {
        const parsed: unknown = JSON.parse(row.failures);
        if (Array.isArray(parsed)) failures = parsed.filter((t): t is number => typeof t === 'number');
      } catch {
        // json_valid guards the column; an odd value just counts as no failures
      }
      this.entries.set(this.key(row.username, row.address), {
        username: row.username,
        address: row.address,
        // The policy may have changed since the row was written: count only what is inside its window.
        failures: failures.filter((t) => t > at - policy.windowMs),
        lockedUntil: row.locked_until,
      });
    }
  }

  private key(username: string, address: string): string {
    return `${username}\u0000${address}`;
  }

  /** Milliseconds left on a lockout, or 0 when the address may try. */
  lockedFor(username: string, address: string): number {
    const entry = this.entries.get(this.key(username, address));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  /** Milliseconds left on a lock of the whole address (too many failures over all usernames). */
  addressLockedFor(address: string): number {
    return this.lockedFor(ANY_USER, address);
  }

  /** Whether the address failed a login within the window (its logins are then scheduled last). */
  hasRecentFailures(address: string): boolean {
    const entry = this.entries.get(this.key(ANY_USER, address));
    if (!entry) return false;
    const now = this.now();
    return entry.lockedUntil > now || entry.failures.some((t) => t > now - this.policy.windowMs);
  }

  /**
   * Counts an attempt before its password is hashed, so parallel guesses cannot all be tried
   * against the limit: failures in the window plus attempts in progress must stay below it, for
   * the (username, address) pair and for the address over all usernames.
   */
  reserve(username: string, address: string): AttemptReservation | AttemptRefusal {
    const checks: [string, number, AttemptRefusal['scope']][] = [
      [this.key(username, address), this.policy.maxFailures, 'username'],
      [this.key(ANY_USER, address), this.policy.maxFailuresPerAddress, 'address'],
    ];
    const now = this.now();
    for (const [key, limit, scope] of checks) {
      const entry = this.entries.get(key);
      const lockedMs = entry ? Math.max(0, entry.lockedUntil - now) : 0;
      if (lockedMs > 0) return { ok: false, scope, lockedMs };
      const recent = entry ? entry.failures.filter((t) => t > now - this.policy.windowMs).length : 0;
      if (recent + (this.pending.get(key) ?? 0) >= limit) return { ok: false, scope, lockedMs: 0 };
    }
    for (const [key] of checks) this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      for (const [key] of checks) {
        const left = (this.pending.get(key) ?? 1) - 1;
        if (left > 0) this.pending.set(key, left);
        else this.pending.delete(key);
      }
      then();
    };
    return {
      ok: true,
      failed: () => settle(() => this.recordFailure(username, address)),
      succeeded: () => settle(() => this.recordSuccess(username, address)),
      cancel: () => settle(() => {}),
    };
  }

  /** Counts a failed login for the username and for the address over all usernames. */
  recordFailure(username: string, address: string): void {
    this.countFailure(username, address, this.policy.maxFailures);
    if (username !== ANY_USER) this.countFailure(ANY_USER, address, this.policy.maxFailuresPerAddress);
  }

  private countFailure(username: string, address: string, limit: number): void {
    const now = this.now();
    const key = this.key(username, address);
    const entry = this.entries.get(key) ?? { username, address, failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => t > now - this.policy.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= limit) {
      entry.lockedUntil = now + this.policy.lockMs;
      entry.failures = [];
    }
    this.entries.delete(key); // re-insert to keep insertion order ~ recency for pruning
    this.entries.set(key, entry);
    // The address-wide count only brakes floods; it is kept in memory.
    if (username !== ANY_USER) this.table?.save(entry, this.policy.windowMs, now);
    if (this.entries.size > MAX_ENTRIES) this.prune();
  }

  /** Clears the username's failures from that address; the address's count over all usernames stays. */
  recordSuccess(username: string, address: string): void {
    // The common case (no earlier failures) touches neither the map nor the database.
    if (this.entries.delete(this.key(username, address))) this.table?.remove(username, address);
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

  /** Forgets a username's failures (from one address: that address's lock over all usernames too). */
  clear(username: string, address?: string): void {
    this.table?.remove(username, address);
    if (address !== undefined) {
      this.entries.delete(this.key(username, address));
      this.entries.delete(this.key(ANY_USER, address));
      return;
    }
    for (const key of [...this.entries.keys()])
      if (key.startsWith(`${username}\u0000`)) this.entries.delete(key);
  }

  private prune(): void {
    const now = this.now();
    const dropped: Entry[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.lockedUntil <= now && entry.failures.every((t) => t <= now - this.policy.windowMs)) {
        this.entries.delete(key);
      }
    }
    this.table?.prune(now);
    // Still too many: forget the oldest, in the database too.
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
      dropped.push(entry);
    }
    this.table?.removeMany(dropped);
  }
}
