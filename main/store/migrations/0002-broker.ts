import type { Migration } from './types';

// Persistent MQTT sessions (with their subscriptions, owed QoS 1/2 messages and inbound QoS 2
// packet ids) and retained messages. Child rows go with their session (ON DELETE CASCADE).
export const brokerMigration: Migration = {
  version: 2,
  name: 'broker sessions, subscriptions, queues and retained messages',
  up: `
    CREATE TABLE broker_sessions (
      session_key TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      principal TEXT NOT NULL,
      protocol_version INTEGER NOT NULL,
      expiry_interval INTEGER NOT NULL,
      disconnected_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE broker_subscriptions (
      session_key TEXT NOT NULL REFERENCES broker_sessions(session_key) ON DELETE CASCADE,
      sub_key TEXT NOT NULL,
      qos INTEGER NOT NULL,
      no_local INTEGER NOT NULL,
      retain_as_published INTEGER NOT NULL,
      retain_handling INTEGER NOT NULL,
      identifier INTEGER,
      PRIMARY KEY (session_key, sub_key)
    ) WITHOUT ROWID;
    CREATE TABLE broker_messages (
      session_key TEXT NOT NULL REFERENCES broker_sessions(session_key) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      qos INTEGER NOT NULL,
      retain INTEGER NOT NULL,
      properties TEXT,
      expires_at INTEGER NOT NULL,
      published_at INTEGER NOT NULL,
      sub_ids TEXT,
      packet_id INTEGER NOT NULL,
      state INTEGER NOT NULL,
      PRIMARY KEY (session_key, seq)
    ) WITHOUT ROWID;
    CREATE TABLE broker_inbound_qos2 (
      session_key TEXT NOT NULL REFERENCES broker_sessions(session_key) ON DELETE CASCADE,
      packet_id INTEGER NOT NULL,
      PRIMARY KEY (session_key, packet_id)
    ) WITHOUT ROWID;
    CREATE TABLE broker_retained (
      topic TEXT PRIMARY KEY,
      payload BLOB NOT NULL,
      qos INTEGER NOT NULL,
      properties TEXT,
      expires_at INTEGER NOT NULL,
      stored_at INTEGER NOT NULL
    );
  `,
};
