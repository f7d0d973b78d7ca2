import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  createAesKeyProtector,
  createFileKeyProtector,
  hasPassphraseKey,
  type KeyProtector,
  withPassphraseSupport,
} from '../secrets';
import type { ElectronMain } from './electron-api';

const SEALED_KEY_FILE = 'secrets.key.os';

/**
 * Desktop mode: the data key is sealed by the OS keychain (Electron safeStorage), so a copy of the
 * data directory alone does not reveal private keys. Falls back to the key file where no keychain exists.
 * On Linux without a keyring safeStorage uses a fixed password ('basic_text'); the protector says so, and
 * the operator may seal the key with a passphrase instead (main/secrets/passphrase-key.ts).
 */
export function createSafeStorageKeyProtector(electron: ElectronMain, dataDir: string): KeyProtector {
  if (hasPassphraseKey(dataDir)) {
    // electron-main asks for it (unlock gate) instead of calling this; never mint a key over sealed secrets.
    throw new Error('The keys of this data directory are sealed with an operator passphrase');
  }
  const { safeStorage } = electron;
  if (!safeStorage.isEncryptionAvailable()) return createFileKeyProtector(dataDir);
  const file = path.join(dataDir, SEALED_KEY_FILE);
  let key: Buffer;
  if (fs.existsSync(file)) {
    key = Buffer.from(safeStorage.decryptString(fs.readFileSync(file)), 'base64');
  } else {
    key = crypto.randomBytes(32);
    fs.writeFileSync(file, safeStorage.encryptString(key.toString('base64')), { mode: 0o600 });
  }
  const fixedPassword =
    process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  return withPassphraseSupport(createAesKeyProtector(key, 'os-keychain'), key, {
    dataDir,
    replaces: [SEALED_KEY_FILE],
    fixedPassword,
  });
}
