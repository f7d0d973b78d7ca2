import type { Migration } from './types';

// Owned by the capability named in the file name; filled in as that capability lands.
export const listenersMigration: Migration = {
  version: 6,
  name: 'broker listener records',
  up: 'SELECT 1;',
};
