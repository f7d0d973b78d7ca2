import crypto from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import type { ExplorerProfile, profileInputSchema } from '../../../preload/contract/explorer';
import type { KeyProtector } from '../../secrets';

export type ProfileInput = z.output<typeof profileInputSchema>;

export interface ProfileSecrets {
  password?: string;
  keyPem?: string;
  passphrase?: string;
}

/** A profile with its secrets decrypted, for connecting only (never sent to the UI). */
export interface ResolvedProfile extends ExplorerProfile {
  secrets: ProfileSecrets;
}

type StoredConfig = Omit<
  ExplorerProfile,
  'id' | 'name' | 'hasPassword' | 'hasKey' | 'hasPassphrase' | 'createdAt' | 'updatedAt'
>;

interface ProfileRow {
  id: string;
  name: string;
  config: string;
  secrets: Buffer | null;
  created_at: number;
  updated_at: number;
}

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;

/** Connection profiles in SQLite; passwords, private keys and passphrases sealed with the KeyProtector. */
export class ProfileStore {
  constructor(
    private readonly db: Database,
    private readonly keys: KeyProtector,
  ) {}

  list(): ExplorerProfile[] {
    const rows = this.db.prepare('SELECT * FROM explorer_profiles ORDER BY name, id').all() as ProfileRow[];
    return rows.map((row) => this.toProfile(row));
  }

  get(id: string): ExplorerProfile | undefined {
    const row = this.row(id);
    return row ? this.toProfile(row) : undefined;
  }

  resolve(id: string): ResolvedProfile | undefined {
    const row = this.row(id);
    if (!row) return undefined;
    return { ...this.toProfile(row), secrets: this.openSecrets(row) };
  }

  save(input: ProfileInput): ExplorerProfile {
    const now = Date.now();
    const id = input.id ?? crypto.randomUUID();
    const existing = this.row(id);
    const secrets = existing ? this.openSecrets(existing) : {};
    for (const key of ['password', 'keyPem', 'passphrase'] as const) {
      const value = input[key];
      if (value === null) delete secrets[key];
      else if (value !== undefined) secrets[key] = value;
    }
    const config: StoredConfig = {
      protocol: input.protocol,
      host: input.host,
      port: input.port ?? DEFAULT_PORTS[input.protocol],
      path: input.path,
      mqttVersion: input.mqttVersion,
      clientId: input.clientId,
      username: input.username,
      keepAliveSeconds: input.keepAliveSeconds,
      cleanStart: input.cleanStart,
      caPem: input.caPem,
      certPem: input.certPem,
      servername: input.servername,
      alpn: input.alpn,
      insecureSkipVerify: input.insecureSkipVerify,
      subscriptions: input.subscriptions,
    };
    const sealed =
      Object.keys(secrets).length > 0 ? this.keys.encrypt(Buffer.from(JSON.stringify(secrets))) : null;
    this.db
      .prepare(
        `INSERT INTO explorer_profiles (id, name, config, secrets, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config, secrets = excluded.secrets,
           updated_at = excluded.updated_at`,
      )
      .run(id, input.name, JSON.stringify(config), sealed, existing?.created_at ?? now, now);
    return this.get(id) as ExplorerProfile;
  }

  setSubscriptions(id: string, subscriptions: ExplorerProfile['subscriptions']): void {
    const row = this.row(id);
    if (!row) return;
    const config = JSON.parse(row.config) as StoredConfig;
    config.subscriptions = subscriptions;
    this.db
      .prepare('UPDATE explorer_profiles SET config = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(config), Date.now(), id);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM explorer_profiles WHERE id = ?').run(id).changes > 0;
  }

  private row(id: string): ProfileRow | undefined {
    return this.db.prepare('SELECT * FROM explorer_profiles WHERE id = ?').get(id) as ProfileRow | undefined;
  }

  private openSecrets(row: ProfileRow): ProfileSecrets {
    if (!row.secrets) return {};
    return JSON.parse(this.keys.decrypt(row.secrets).toString('utf8')) as ProfileSecrets;
  }

  private toProfile(row: ProfileRow): ExplorerProfile {
    const config = JSON.parse(row.config) as StoredConfig;
    const secrets = row.secrets ? this.openSecrets(row) : {};
    const profile: ExplorerProfile = {
      ...config,
      id: row.id,
      name: row.name,
      hasPassword: secrets.password !== undefined,
      hasKey: secrets.keyPem !== undefined,
      hasPassphrase: secrets.passphrase !== undefined,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    for (const key of Object.keys(profile) as (keyof ExplorerProfile)[]) {
      if (profile[key] === undefined) delete profile[key];
    }
    return profile;
  }
}
