import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAesKeyProtector, createFileKeyProtector, type KeyProtector } from '../secrets';
import type { ElectronMain } from './electron-api';

const SEALED_KEY_FILE = 'secrets.key.os';

/**
 * Desktop mode: the data key is sealed by the OS keychain (Electron safeStorage), so a copy of the
 * data directory alone does not reveal private keys. Falls back to the key file where no keychain exists.
 */
export function createSafeStorageKeyProtector(electron: ElectronMain, dataDir: string): KeyProtector {
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
  return createAesKeyProtector(key, 'os-keychain');
}
