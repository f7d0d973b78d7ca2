import type { Migration } from './types';

// Owned by the capability named in the file name; filled in as that capability lands.
export const explorerMigration: Migration = {
  version: 5,
  name: 'message history and connection profiles',
  up: 'SELECT 1;',
};
