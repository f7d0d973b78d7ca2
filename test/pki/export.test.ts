import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from '../../main/pki/crc32';
import { createZip } from '../../main/pki/zip';
import { run } from '../helpers/process';
import { makePki, type PkiFixture } from './helpers';

describe('CRC-32 and ZIP writer', () => {
  it('computes the standard CRC-32 check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  it('writes archives that Python zipfile lists and extracts byte-exactly', async () => {
    const big = Buffer.from('x'.repeat(50_000) + 'tail');
    const zip = createZip([
      { name: 'a.txt', data: 'hello\n' },
      { name: 'dir/ünï.bin', data: big },
      { name: 'empty', data: '' },
    ]);
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'fb-zip-'));
    const file = path.join(dir, 'x.zip');
    fs.writeFileSync(file, zip);
    const test = await run('python3', ['-m', 'zipfile', '-t', file]);
    assert.equal(test.code, 0, test.stderr);
    const out = path.join(dir, 'out');
    const extract = await run('python3', ['-m', 'zipfile', '-e', file, out]);
    assert.equal(extract.code, 0, extract.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'a.txt'), 'utf8'), 'hello\n');
    assert.deepEqual(fs.readFileSync(path.join(out, 'dir/ünï.bin')), big);
    assert.equal(fs.readFileSync(path.join(out, 'empty'), 'utf8'), '');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('certificate export', () => {
  let f: PkiFixture;
  before(async () => {
    f = await makePki();
  });
  after(() => f.close());

  for (const keyAlgorithm of ['ec-p256', 'rsa-2048'] as const) {
    it(`PKCS#12 with an ${keyAlgorithm} key reads back with openssl pkcs12`, async () => {
      const cert = await f.pki.issueDeviceCertificate({ name: `p12-${keyAlgorithm}`, keyAlgorithm });
      const p12 = f.pki.exportPkcs12(cert.serial, 'Corr3ct-horse');
      const file = f.file(`${keyAlgorithm}.p12`, p12);
      const info = await run('openssl', [
        'pkcs12',
        '-info',
        '-in',
        file,
        '-passin',
        'pass:Corr3ct-horse',
        '-noenc',
      ]);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stderr, /MAC: sha256/);
      assert.match(info.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
      const certs = info.stdout.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
      assert.equal(certs.length, 3, 'leaf, issuing CA and root');
      assert.match(info.stdout, new RegExp(`friendlyName: p12-${keyAlgorithm}`));
      // The key inside matches the certificate's public key.
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(info.stdout)?.[0];
      assert.ok(keyPem);
      const fromKey = await run('openssl', ['pkey', '-pubout', '-in', f.file('k.pem', keyPem)]);
      const fromCert = await run('openssl', [
        'x509',
        '-noout',
        '-pubkey',
        '-in',
        f.file('c.pem', cert.certificatePem),
      ]);
      assert.equal(fromKey.stdout, fromCert.stdout);
      const wrong = await run('openssl', ['pkcs12', '-info', '-in', file, '-passin', 'pass:wrong', '-noenc']);
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /mac verify (failure|error)/i);
    });
  }

  it('PEM export gives certificate and chain, and the key only when asked', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'pem-dev' });
    const plain = f.pki.exportPem(cert.serial);
    assert.equal(plain.privateKeyPem, null);
    assert.equal(plain.certificatePem, cert.certificatePem);
    assert.equal((plain.chainPem.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    const withKey = f.pki.exportPem(cert.serial, { includePrivateKey: true });
    assert.match(withKey.privateKeyPem ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.throws(() => f.pki.exportPkcs12(cert.serial, 'abc'), /at least 4/);
  });

  it('ZIP bundle has chain, certificate, key and a mosquitto_pub command python can read', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: "o'brien-dev" });
    const zip = f.pki.exportZipBundle(cert.serial, { host: 'localhost', port: 8883, topic: 'plant/1/temp' });
    const file = f.file('bundle.zip', zip);
    const list = await run('python3', ['-m', 'zipfile', '-l', file]);
    assert.equal(list.code, 0, list.stderr);
    for (const name of ['ca-chain.pem', 'device.crt', 'device.key', 'mosquitto_pub.sh', 'README.txt']) {
      assert.match(list.stdout, new RegExp(name.replace('.', '\\.')));
    }
    const out = path.join(f.dir, 'bundle');
    assert.equal((await run('python3', ['-m', 'zipfile', '-e', file, out])).code, 0);
    assert.equal(fs.readFileSync(path.join(out, 'device.crt'), 'utf8'), cert.certificatePem);
    assert.equal(fs.readFileSync(path.join(out, 'ca-chain.pem'), 'utf8'), f.pki.caChainPem());
    const script = fs.readFileSync(path.join(out, 'mosquitto_pub.sh'), 'utf8');
    assert.match(
      script,
      /mosquitto_pub -h 'localhost' -p 8883 --cafile ca-chain\.pem --cert device\.crt --key device\.key/,
    );
    // Without an account the certificate only proves the transport: the login needs a username too.
    assert.match(script, /-i 'o'\\''brien-dev' -u 'USERNAME' -P 'PASSWORD' -t 'plant\/1\/temp'/);
    assert.match(script, /^# This certificate is not bound to an account.*username and password/m);
    const keyCheck = await run('openssl', ['pkey', '-noout', '-in', path.join(out, 'device.key')]);
    assert.equal(keyCheck.code, 0, keyCheck.stderr);
  });
});
