import type { Migration } from './types';

// Explorer: message history (bounded per topic and in total bytes), connection profiles with
// encrypted secrets, publish templates and pinned topics.
export const explorerMigration: Migration = {
  version: 5,
  name: 'message history and connection profiles',
  up: `
    CREATE TABLE explorer_topics (
      id INTEGER PRIMARY KEY,
      connection_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      message_count INTEGER NOT NULL DEFAULT 0,
      UNIQUE (connection_id, topic)
    );

    CREATE TABLE explorer_messages (
      id INTEGER PRIMARY KEY,
      topic_id INTEGER NOT NULL REFERENCES explorer_topics(id) ON DELETE CASCADE,
      time INTEGER NOT NULL,
      qos INTEGER NOT NULL,
      retain INTEGER NOT NULL,
      size INTEGER NOT NULL,
      truncated INTEGER NOT NULL,
      payload BLOB NOT NULL,
      properties TEXT,
      client_id TEXT
    );
    CREATE INDEX explorer_messages_topic ON explorer_messages (topic_id, id);

    CREATE TABLE explorer_profiles (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      config TEXT NOT NULL,
      secrets BLOB,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE explorer_templates (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE explorer_pins (
      connection_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      PRIMARY KEY (connection_id, topic)
    );
  `,
};
