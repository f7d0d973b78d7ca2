import type { Migration } from './types';

// Owned by the capability named in the file name; filled in as that capability lands.
export const pkiMigration: Migration = {
  version: 4,
  name: 'certificate authorities and issued certificates',
  up: 'SELECT 1;',
};
