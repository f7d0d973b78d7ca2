import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAesKeyProtector, type KeyProtector } from './key-protector';

/** The data key wrapped by a key derived from the operator's passphrase (the passphrase is stored nowhere). */
export const PASSPHRASE_KEY_FILE = 'secrets.key.pass';
export const MIN_PASSPHRASE_LENGTH = 8;

// scrypt N=2^15, r=8, p=1: ~32 MiB and ~100 ms per attempt, once per start.
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;

interface SealedKeyFile {
  format: 'fieldbench-passphrase-key';
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  /** AES-256-GCM of the data key under the derived key: iv | tag | ciphertext, base64. */
  wrapped: string;
}

/** The passphrase is wrong (or the file was altered); nothing was changed. */
export class PassphraseError extends Error {
  override name = 'PassphraseError';
}

function deriveKey(
  passphrase: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(
      passphrase.normalize('NFC'),
      salt,
      32,
      { ...params, maxmem: 256 * params.N * params.r },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** Wraps a 32-byte data key with a passphrase; the result holds no trace of either in clear. */
export async function sealDataKey(dataKey: Buffer, passphrase: string): Promise<Buffer> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new PassphraseError(`A passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  const salt = crypto.randomBytes(16);
  const kek = await deriveKey(passphrase, salt, SCRYPT);
  const wrapped = createAesKeyProtector(kek).encrypt(dataKey).subarray(1); // without the version byte
  const file: SealedKeyFile = {
    format: 'fieldbench-passphrase-key',
    version: 1,
    kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    wrapped: wrapped.toString('base64'),
  };
  return Buffer.from(`${JSON.stringify(file)}\n`);
}

/** Unwraps the data key; a wrong passphrase is a PassphraseError. */
export async function openDataKey(sealed: Buffer, passphrase: string): Promise<Buffer> {
  let file: SealedKeyFile;
  try {
    file = JSON.parse(sealed.toString('utf8'));
  } catch {
    throw new Error(`${PASSPHRASE_KEY_FILE} is damaged (not JSON); restore it from a backup`);
  }
  if (file?.format !== 'fieldbench-passphrase-key' || file.version !== 1 || file.kdf?.name !== 'scrypt') {
    throw new Error(`${PASSPHRASE_KEY_FILE} is not a passphrase-sealed key this Fieldbench knows`);
  }
  const { N, r, p, salt } = file.kdf;
  if (![N, r, p].every(Number.isInteger) || N > 1 << 20 || r > 32 || p > 16) {
    throw new Error(`${PASSPHRASE_KEY_FILE} asks for unreasonable scrypt parameters`);
  }
  const kek = await deriveKey(passphrase, Buffer.from(salt, 'base64'), { N, r, p });
  try {
    const wrapped = Buffer.concat([Buffer.from([1]), Buffer.from(file.wrapped, 'base64')]);
    return createAesKeyProtector(kek).decrypt(wrapped);
  } catch {
    throw new PassphraseError('The passphrase is wrong');
  }
}

export function hasPassphraseKey(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, PASSPHRASE_KEY_FILE));
}

/** Opens the passphrase-sealed data key of `dataDir` as a protector (which can change the passphrase). */
export async function unlockWithPassphrase(dataDir: string, passphrase: string): Promise<KeyProtector> {
  const dataKey = await openDataKey(fs.readFileSync(path.join(dataDir, PASSPHRASE_KEY_FILE)), passphrase);
  return withPassphraseSupport(createAesKeyProtector(dataKey, 'passphrase'), dataKey, { dataDir });
}

/**
 * Adds `setPassphrase` to a protector over `dataKey`: the key gets sealed with the passphrase, the
 * weaker seals in `replaces` are deleted, and from then on the protector reports kind `passphrase`.
 */
export function withPassphraseSupport(
  base: KeyProtector,
  dataKey: Buffer,
  options: { dataDir: string; replaces?: readonly string[]; fixedPassword?: boolean },
): KeyProtector {
  let kind = base.kind;
  let fixedPassword = options.fixedPassword ?? false;
  return {
    get kind() {
      return kind;
    },
    get fixedPassword() {
      return fixedPassword;
    },
    encrypt: (plain) => base.encrypt(plain),
    decrypt: (sealed) => base.decrypt(sealed),
    async setPassphrase(passphrase, current) {
      await storePassphraseKey(options.dataDir, dataKey, passphrase, current, options.replaces);
      kind = 'passphrase';
      fixedPassword = false;
    },
  };
}

/**
 * Seals `dataKey` with `passphrase` into `dataDir`, replacing any earlier passphrase file atomically, then
 * deletes `replaces` (the weaker seals of the same key). With an existing passphrase file, `current` must
 * open it to the same key; otherwise nothing is written.
 */
export async function storePassphraseKey(
  dataDir: string,
  dataKey: Buffer,
  passphrase: string,
  current: string | undefined,
  replaces: readonly string[] = [],
): Promise<void> {
  const file = path.join(dataDir, PASSPHRASE_KEY_FILE);
  if (fs.existsSync(file)) {
    if (current === undefined) throw new PassphraseError('Enter the current passphrase to change it');
    const existing = await openDataKey(fs.readFileSync(file), current);
    if (!existing.equals(dataKey)) throw new PassphraseError('The passphrase file belongs to another key');
  }
  const sealed = await sealDataKey(dataKey, passphrase);
  const temp = `${file}.${crypto.randomUUID()}.tmp`;
  fs.writeFileSync(temp, sealed, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temp, file);
  for (const name of replaces) fs.rmSync(path.join(dataDir, name), { force: true });
}
