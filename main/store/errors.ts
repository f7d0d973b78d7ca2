/** A failure to open or migrate the store that start-up must report, never paper over. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_LOCKED' | 'STORE_CORRUPT' | 'STORE_TOO_NEW' | 'STORE_MIGRATION_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
