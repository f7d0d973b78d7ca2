import type { Migration } from './types';

// Certificate onboarding (issue 13): per-account onboarding settings, the agents onboarded so far and
// a bounded timeline of onboarding events per agent.
// Provisional number 11 in the brief; 12 after resources took 11 (the lead renumbers at merge if needed).
export const onboardingMigration: Migration = {
  version: 12,
  name: 'certificate onboarding',
  up: `
    CREATE TABLE onboarding_accounts (
      account_id TEXT PRIMARY KEY REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      mode TEXT NOT NULL DEFAULT 'strict' CHECK (mode IN ('strict', 'eu1', 'eu2')),
      reconnect_delay_s INTEGER NOT NULL DEFAULT 60 CHECK (reconnect_delay_s >= 0),
      scope_id TEXT UNIQUE,
      applications TEXT NOT NULL DEFAULT '["amo_v3"]' CHECK (json_valid(applications))
    ) WITHOUT ROWID;
    CREATE TABLE onboarding_agents (
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      client_id TEXT NOT NULL,
      common_name TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      issuer TEXT NOT NULL,
      state TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      state_changed_at INTEGER NOT NULL,
      dps_created_at INTEGER,
      dps_count INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (account_id, client_id)
    ) WITHOUT ROWID;
    CREATE TABLE onboarding_events (
      id INTEGER PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES tenancy_accounts(id) ON DELETE CASCADE,
      client_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX onboarding_events_by_agent ON onboarding_events(account_id, client_id, id);
  `,
};
