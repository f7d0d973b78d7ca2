import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createCore } from '../../main/core';
import { createPki } from '../../main/pki';
import {
  createAesKeyProtector,
  createFileKeyProtector,
  type KeyProtector,
  PASSPHRASE_KEY_FILE,
  PassphraseError,
  unlockWithPassphrase,
  withPassphraseSupport,
} from '../../main/secrets';
import { openStore } from '../../main/store';
import { callCore } from '../helpers/core-call';
import { tempDir } from '../helpers/temp-dir';

const RIGHT = 'correct horse battery staple';
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What the desktop builds on a Linux box without a keyring: safeStorage's seal, flagged as fixed-password. */
function basicTextProtector(dir: string): { protector: KeyProtector; key: Buffer } {
  const key = crypto.randomBytes(32);
  fs.writeFileSync(
    path.join(dir, 'secrets.key.os'),
    `sealed-with-a-fixed-password:${key.toString('base64')}`,
  );
  const protector = withPassphraseSupport(createAesKeyProtector(key, 'os-keychain'), key, {
    dataDir: dir,
    replaces: ['secrets.key.os'],
    fixedPassword: true,
  });
  return { protector, key };
}

/** Opens the PKI over `dir` with `protector`, issues a device with a generated key and exports that key. */
async function issueAndExportKey(dir: string, protector: KeyProtector): Promise<string> {
  const store = openStore(dir);
  try {
    const pki = await createPki({ db: store.db, dataDir: dir, keyProtector: protector });
    const cert = await pki.issueDeviceCertificate({ name: `dev-${crypto.randomUUID()}` });
    const pem = pki.exportPem(cert.serial, { includePrivateKey: true });
    await pki.close();
    return `${pem.certificatePem ?? ''}${pem.privateKeyPem ?? ''}`;
  } finally {
    store.close();
  }
}

describe('the operator passphrase protector (main/secrets)', () => {
  test('sealing the data key with a passphrase removes the fixed-password seal and stores neither in clear', async () => {
    const dir = tempDir('fb-pass-');
    const { protector, key } = basicTextProtector(dir);
    assert.equal(protector.fixedPassword, true);
    await issueAndExportKey(dir, protector); // existing secrets: the CA keys and a device key
    await protector.setPassphrase?.(RIGHT);
    assert.equal(protector.kind, 'passphrase');
    assert.equal(protector.fixedPassword, false);
    assert.equal(fs.existsSync(path.join(dir, 'secrets.key.os')), false, 'the weak seal is gone');
    const file = path.join(dir, PASSPHRASE_KEY_FILE);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const text = fs.readFileSync(file, 'utf8');
    for (const leak of [RIGHT, key.toString('base64'), key.toString('hex')]) assert.ok(!text.includes(leak));
  });

  test('a wrong passphrase is a clear error and loses nothing; the right one unseals the existing secrets', async () => {
    const dir = tempDir('fb-pass-');
    const { protector } = basicTextProtector(dir);
    const before = await issueAndExportKey(dir, protector);
    await protector.setPassphrase?.(RIGHT);
    const file = path.join(dir, PASSPHRASE_KEY_FILE);
    const digest = sha256(file);

    await assert.rejects(unlockWithPassphrase(dir, 'not the passphrase'), (err: Error) => {
      assert.ok(err instanceof PassphraseError);
      assert.equal(err.message, 'The passphrase is wrong');
      return true;
    });
    assert.equal(sha256(file), digest, 'the sealed key is unchanged');

    const unlocked = await unlockWithPassphrase(dir, RIGHT);
    assert.equal(unlocked.kind, 'passphrase');
    // The CA (sealed before the passphrase existed) still signs, and an earlier device key still exports.
    const store = openStore(dir);
    try {
      const pki = await createPki({ db: store.db, dataDir: dir, keyProtector: unlocked });
      const first = pki.listCertificates({ kind: 'device', limit: 10 }).items.at(-1);
      assert.ok(first);
      const again = pki.exportPem(first.serial, { includePrivateKey: true });
      assert.equal(`${again.certificatePem ?? ''}${again.privateKeyPem ?? ''}`, before);
      assert.match(again.privateKeyPem ?? '', /BEGIN PRIVATE KEY/);
      const next = await pki.issueDeviceCertificate({ name: 'after-unlock' });
      assert.equal(next.commonName, 'after-unlock');
      await pki.close();
    } finally {
      store.close();
    }
  });

  test('changing the passphrase needs the current one; a wrong current one changes nothing', async () => {
    const dir = tempDir('fb-pass-');
    const { protector } = basicTextProtector(dir);
    await protector.setPassphrase?.(RIGHT);
    const file = path.join(dir, PASSPHRASE_KEY_FILE);
    const digest = sha256(file);
    await assert.rejects(async () => protector.setPassphrase?.('a brand new one'), /current passphrase/);
    await assert.rejects(
      async () => protector.setPassphrase?.('a brand new one', 'wrong current'),
      PassphraseError,
    );
    assert.equal(sha256(file), digest);
    await protector.setPassphrase?.('a brand new one', RIGHT);
    await assert.rejects(unlockWithPassphrase(dir, RIGHT), PassphraseError);
    const unlocked = await unlockWithPassphrase(dir, 'a brand new one');
    const sealed = protector.encrypt(Buffer.from('profile password'));
    assert.equal(unlocked.decrypt(sealed).toString(), 'profile password');
  });

  test('a data directory sealed with a passphrase is never given a fresh key file (which would lose every secret)', async () => {
    const dir = tempDir('fb-pass-');
    const { protector } = basicTextProtector(dir);
    await protector.setPassphrase?.(RIGHT);
    assert.throws(() => createFileKeyProtector(dir), /sealed with an operator passphrase/);
    assert.equal(fs.existsSync(path.join(dir, 'secrets.key')), false);
  });

  test('over the operator API: status tells a fixed password apart, setPassphrase seals, headless cannot', async () => {
    const desktopDir = tempDir('fb-pass-core-');
    const { protector } = basicTextProtector(desktopDir);
    const desktop = await createCore({ dataDir: desktopDir, mode: 'desktop', keyProtector: protector });
    try {
      assert.deepEqual(await callCore(desktop, 'secrets.status', {}), {
        protection: 'os-keychain',
        fixedPassword: true,
        canSetPassphrase: true,
        locked: false,
      });
      const tooShort = await desktop.dispatch(
        'secrets.setPassphrase',
        { passphrase: 'short' },
        { transport: 'internal', actor: 'test' },
      );
      assert.equal(tooShort.ok, false);
      const status = await callCore(desktop, 'secrets.setPassphrase', { passphrase: RIGHT });
      assert.deepEqual(status, {
        protection: 'passphrase',
        fixedPassword: false,
        canSetPassphrase: true,
        locked: false,
      });
      const wrong = await desktop.dispatch(
        'secrets.setPassphrase',
        { passphrase: 'another passphrase', currentPassphrase: 'nope nope nope' },
        { transport: 'internal', actor: 'test' },
      );
      assert.ok(!wrong.ok && wrong.error.code === 'FORBIDDEN' && /wrong/.test(wrong.error.message));
    } finally {
      await desktop.close();
    }
    const headless = await createCore({ dataDir: tempDir('fb-pass-core-'), mode: 'headless' });
    try {
      assert.deepEqual(await callCore(headless, 'secrets.status', {}), {
        protection: 'key-file',
        fixedPassword: false,
        canSetPassphrase: false,
        locked: false,
      });
      const refused = await headless.dispatch(
        'secrets.setPassphrase',
        { passphrase: RIGHT },
        { transport: 'internal', actor: 'test' },
      );
      assert.ok(!refused.ok && refused.error.code === 'UNAVAILABLE');
    } finally {
      await headless.close();
    }
  });
});
