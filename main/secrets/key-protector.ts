import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts secrets at rest (CA private keys, profile passwords). Desktop mode backs it with the
 * OS keychain (Electron safeStorage); headless mode with a key file only the owner can read.
 */
export interface KeyProtector {
  readonly kind: 'key-file' | 'os-keychain' | 'passphrase';
  /** True where the "keychain" seals with a fixed, well-known password (Linux without a keyring). */
  readonly fixedPassword?: boolean;
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
  /** Where offered (desktop): puts the data key under an operator passphrase, or changes it. */
  setPassphrase?(passphrase: string, current?: string): Promise<void>;
}

const KEY_FILE = 'secrets.key';
const VERSION = 1;

/** AES-256-GCM sealing with a fixed key: [version(1) | iv(12) | tag(16) | ciphertext]. */
export function createAesKeyProtector(key: Buffer, kind: KeyProtector['kind'] = 'key-file'): KeyProtector {
  if (key.length !== 32) throw new Error('AES-256 key must be 32 bytes');
  return {
    kind,
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed.length < 29 || sealed[0] !== VERSION)
        throw new Error('Not a sealed secret of a known version');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
    },
  };
}

/** The headless protector: a random 256-bit key in `secrets.key` (mode 0600) in the data directory. */
export function createFileKeyProtector(dataDir: string): KeyProtector {
  const file = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(path.join(dataDir, 'secrets.key.pass'))) {
    // Never mint a new key over passphrase-sealed secrets: they would all be lost.
    throw new Error(
      `The keys in ${dataDir} are sealed with an operator passphrase; start Fieldbench on the desktop to enter it`,
    );
  }
  let key: Buffer;
  try {
    key = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    key = crypto.randomBytes(32);
    fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  }
  if (key.length !== 32) throw new Error(`${file} is damaged (expected 32 bytes); restore it from a backup`);
  return createAesKeyProtector(key);
}
