export { DATABASE_FILE, type OpenStoreOptions, openStore, type Store } from './database';
export { StoreError } from './errors';
export { latestSchemaVersion, type Migration, migrations } from './migrations';
