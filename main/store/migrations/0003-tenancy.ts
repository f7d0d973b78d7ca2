import type { Migration } from './types';

// Owned by the capability named in the file name; filled in as that capability lands.
export const tenancyMigration: Migration = {
  version: 3,
  name: 'accounts, messaging services, endpoints, credentials',
  up: 'SELECT 1;',
};
