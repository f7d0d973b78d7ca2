import type { Migration } from './types';

// Owned by the capability named in the file name; filled in as that capability lands.
export const brokerMigration: Migration = {
  version: 2,
  name: 'broker sessions, subscriptions, queues and retained messages',
  up: 'SELECT 1;',
};
