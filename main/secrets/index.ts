export { createAesKeyProtector, createFileKeyProtector, type KeyProtector } from './key-protector';
export {
  hasPassphraseKey,
  MIN_PASSPHRASE_LENGTH,
  PASSPHRASE_KEY_FILE,
  PassphraseError,
  unlockWithPassphrase,
  withPassphraseSupport,
} from './passphrase-key';
export { createSecretsHandlers } from './api-handlers';
export { createUnlockGate } from './unlock-gate';
