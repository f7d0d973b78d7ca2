import crypto from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AgentState, OnboardingMode } from '../../preload/contract/onboarding';

export interface AccountSettings {
  mode: OnboardingMode;
  reconnectDelaySeconds: number;
  scopeId: string | null;
  applications: string[];
}

export interface AgentRow {
  account_id: string;
  client_id: string;
  common_name: string;
  fingerprint: string;
  issuer: string;
  state: AgentState;
  first_seen: number;
  last_seen: number;
  state_changed_at: number;
  dps_created_at: number | null;
  dps_count: number;
}

export const DEFAULT_SETTINGS: AccountSettings = {
  mode: 'strict',
  reconnectDelaySeconds: 60,
  scopeId: null,
  applications: ['amo_v3'],
};

/** Events kept per agent; older ones are pruned as new ones arrive. */
const TIMELINE_LENGTH = 100;

/** SQLite access for onboarding settings, agents and their timelines; settings are cached in memory. */
export class OnboardingStore {
  private readonly cache = new Map<string, AccountSettings>();

  constructor(private readonly db: Database) {}

  settings(accountId: string): AccountSettings {
    const cached = this.cache.get(accountId);
    if (cached) return cached;
    const row = this.db
      .prepare<
        [string],
        { mode: OnboardingMode; reconnect_delay_s: number; scope_id: string | null; applications: string }
      >(
        'SELECT mode, reconnect_delay_s, scope_id, applications FROM onboarding_accounts WHERE account_id = ?',
      )
      .get(accountId);
    const settings: AccountSettings = row
      ? {
          mode: row.mode,
          reconnectDelaySeconds: row.reconnect_delay_s,
          scopeId: row.scope_id,
          applications: JSON.parse(row.applications) as string[],
        }
      : { ...DEFAULT_SETTINGS, applications: [...DEFAULT_SETTINGS.applications] };
    this.cache.set(accountId, settings);
    return settings;
  }

  updateSettings(accountId: string, changes: Partial<AccountSettings>): AccountSettings {
    const next = { ...this.settings(accountId), ...changes };
    this.db
      .prepare(
        `INSERT INTO onboarding_accounts (account_id, mode, reconnect_delay_s, scope_id, applications)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id) DO UPDATE SET mode = excluded.mode, reconnect_delay_s = excluded.reconnect_delay_s,
           scope_id = excluded.scope_id, applications = excluded.applications`,
      )
      .run(accountId, next.mode, next.reconnectDelaySeconds, next.scopeId, JSON.stringify(next.applications));
    this.cache.set(accountId, next);
    return next;
  }

  /** Gives the account a scope id (Azure style `0ne` + 8 hex digits) if it has none yet. */
  ensureScopeId(accountId: string): string {
    const current = this.settings(accountId).scopeId;
    if (current) return current;
    for (;;) {
      const scopeId = `0ne${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
      if (this.accountOfScope(scopeId) === undefined) {
        this.updateSettings(accountId, { scopeId });
        return scopeId;
      }
    }
  }

  accountOfScope(scopeId: string): string | undefined {
    return this.db
      .prepare<[string], { account_id: string }>(
        'SELECT account_id FROM onboarding_accounts WHERE scope_id = ?',
      )
      .get(scopeId)?.account_id;
  }

  /** Drops cached settings of accounts that no longer exist (their rows went with them). */
  forget(accountId: string): void {
    this.cache.delete(accountId);
  }

  agent(accountId: string, clientId: string): AgentRow | undefined {
    return this.db
      .prepare<[string, string], AgentRow>(
        'SELECT * FROM onboarding_agents WHERE account_id = ? AND client_id = ?',
      )
      .get(accountId, clientId);
  }

  agents(accountId: string): AgentRow[] {
    return this.db
      .prepare<[string], AgentRow>('SELECT * FROM onboarding_agents WHERE account_id = ? ORDER BY client_id')
      .all(accountId);
  }

  upsertAgent(row: AgentRow): void {
    this.db
      .prepare(
        `INSERT INTO onboarding_agents (account_id, client_id, common_name, fingerprint, issuer, state, first_seen,
           last_seen, state_changed_at, dps_created_at, dps_count)
         VALUES (@account_id, @client_id, @common_name, @fingerprint, @issuer, @state, @first_seen, @last_seen,
           @state_changed_at, @dps_created_at, @dps_count)
         ON CONFLICT(account_id, client_id) DO UPDATE SET common_name = excluded.common_name,
           fingerprint = excluded.fingerprint, issuer = excluded.issuer, state = excluded.state,
           last_seen = excluded.last_seen, state_changed_at = excluded.state_changed_at,
           dps_created_at = excluded.dps_created_at, dps_count = excluded.dps_count`,
      )
      .run(row);
  }

  touch(accountId: string, clientId: string, at: number): void {
    this.db
      .prepare('UPDATE onboarding_agents SET last_seen = ? WHERE account_id = ? AND client_id = ?')
      .run(at, accountId, clientId);
  }

  setStateChangedAt(accountId: string, clientId: string, at: number): void {
    this.db
      .prepare(
        'UPDATE onboarding_agents SET state_changed_at = ?, last_seen = ? WHERE account_id = ? AND client_id = ?',
      )
      .run(at, at, accountId, clientId);
  }

  removeAgent(accountId: string, clientId: string): boolean {
    const removed = this.db
      .prepare('DELETE FROM onboarding_agents WHERE account_id = ? AND client_id = ?')
      .run(accountId, clientId).changes;
    return removed > 0;
  }

  addEvent(accountId: string, clientId: string, at: number, kind: string, detail: string): void {
    this.db
      .prepare(
        'INSERT INTO onboarding_events (account_id, client_id, at, kind, detail) VALUES (?, ?, ?, ?, ?)',
      )
      .run(accountId, clientId, at, kind, detail);
    this.db
      .prepare(
        `DELETE FROM onboarding_events WHERE account_id = ? AND client_id = ? AND id <= (
           SELECT id FROM onboarding_events WHERE account_id = ? AND client_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      )
      .run(accountId, clientId, accountId, clientId, TIMELINE_LENGTH);
  }

  events(accountId: string, clientId: string): Array<{ at: number; kind: string; detail: string }> {
    return this.db
      .prepare<[string, string], { at: number; kind: string; detail: string }>(
        'SELECT at, kind, detail FROM onboarding_events WHERE account_id = ? AND client_id = ? ORDER BY id',
      )
      .all(accountId, clientId);
  }
}
