import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { KeyAlgorithm } from '../../main/pki';
import { createCsr } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { makePki, type PkiFixture } from './helpers';

async function opensslVerify(f: PkiFixture, leafPem: string, purpose = 'sslclient') {
  const authorities = f.pki.listAuthorities();
  const root = authorities.find((a) => a.role === 'root')!;
  const issuing = authorities.find((a) => a.role === 'issuing')!;
  return run('openssl', [
    'verify',
    '-purpose',
    purpose,
    '-CAfile',
    f.file('root.pem', root.certificatePem),
    '-untrusted',
    f.file('issuing.pem', issuing.certificatePem),
    f.file('leaf.pem', leafPem),
  ]);
}

async function opensslText(f: PkiFixture, pem: string): Promise<string> {
  const result = await run('openssl', ['x509', '-noout', '-text', '-in', f.file('cert.pem', pem)]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const chains: { authority: KeyAlgorithm; device: KeyAlgorithm; keyText: RegExp }[] = [
  { authority: 'ec-p256', device: 'ec-p256', keyText: /Public-Key: \(256 bit\)[\s\S]*NIST CURVE: P-256/ },
  { authority: 'ec-p384', device: 'ec-p384', keyText: /Public-Key: \(384 bit\)/ },
  { authority: 'rsa-2048', device: 'rsa-2048', keyText: /Public-Key: \(2048 bit\)/ },
  { authority: 'ec-p256', device: 'rsa-3072', keyText: /Public-Key: \(3072 bit\)/ },
];

describe('issued chains verify with openssl', () => {
  for (const { authority, device, keyText } of chains) {
    it(`${authority} authorities issuing a ${device} device certificate`, async () => {
      const f = await makePki({ authorityAlgorithm: authority });
      try {
        const authorities = f.pki.listAuthorities();
        assert.deepEqual(authorities.map((a) => [a.role, a.keyAlgorithm]).sort(), [
          ['issuing', authority],
          ['root', authority],
        ]);
        const cert = await f.pki.issueDeviceCertificate({
          name: 'meter-1',
          keyAlgorithm: device,
          validityDays: 90,
        });
        const verify = await opensslVerify(f, cert.certificatePem);
        assert.equal(verify.code, 0, verify.stderr);
        assert.match(verify.stdout, /: OK/);
        const text = await opensslText(f, cert.certificatePem);
        assert.match(text, keyText);
        assert.match(text, /Subject: CN ?= ?meter-1/);
        assert.match(text, /TLS Web Client Authentication/);
        assert.match(text, /CA:FALSE/);
        assert.equal(cert.keyAlgorithm, device);
        assert.ok(cert.notAfter - cert.notBefore >= 90 * 86_400_000);
      } finally {
        await f.close();
      }
    });
  }
});

describe('device certificates', () => {
  let f: PkiFixture;
  before(async () => {
    f = await makePki();
  });
  after(() => f.close());

  it('issues from an openssl CSR, keeping no private key, with the CN convention of the call', async () => {
    const { csr: csrFile } = createCsr(f.dir, 'device', { subject: '/CN=ignored-cn', rsa: true });
    const cert = await f.pki.issueDeviceCertificate({
      name: 'pump-4',
      accountId: 'acme',
      commonNameStyle: 'account-prefixed',
      csrPem: fs.readFileSync(csrFile, 'utf8'),
    });
    assert.equal(cert.commonName, 'acme_pump-4');
    assert.equal(cert.accountId, 'acme');
    assert.equal(cert.hasPrivateKey, false);
    assert.equal(cert.keyAlgorithm, 'rsa-2048');
    const verify = await opensslVerify(f, cert.certificatePem);
    assert.equal(verify.code, 0, verify.stderr);
    // The certificate carries the CSR's public key.
    const certKey = await run('openssl', [
      'x509',
      '-noout',
      '-pubkey',
      '-in',
      f.file('c.pem', cert.certificatePem),
    ]);
    const csrKey = await run('openssl', ['req', '-noout', '-pubkey', '-in', csrFile]);
    assert.equal(certKey.stdout, csrKey.stdout);
    assert.throws(() => f.pki.exportPkcs12(cert.serial, 'secret-pass'), /private key is not held/);
  });

  it('uses the CSR CN when no name is given, and refuses a CSR whose signature does not verify', async () => {
    const { csr: csrFile } = createCsr(f.dir, 'ec', { subject: '/CN=gateway-9' });
    const csrPem = fs.readFileSync(csrFile, 'utf8');
    const cert = await f.pki.issueDeviceCertificate({ csrPem });
    assert.equal(cert.commonName, 'gateway-9');
    assert.equal(cert.keyAlgorithm, 'ec-p256');

    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5]! ^= 0xff; // damage the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await assert.rejects(f.pki.issueDeviceCertificate({ csrPem: tampered }), /signature does not verify/);
    await assert.rejects(f.pki.issueDeviceCertificate({ csrPem: cert.certificatePem }), /not a request/);
  });

  it('issues server certificates with DNS and IP SANs that openssl accepts for serverAuth', async () => {
    const cert = await f.pki.issueServerCertificate({
      dnsNames: ['broker.local', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      validityDays: 30,
    });
    const verify = await opensslVerify(f, cert.certificatePem, 'sslserver');
    assert.equal(verify.code, 0, verify.stderr);
    const text = await opensslText(f, cert.certificatePem);
    assert.match(
      text,
      /DNS:broker\.local, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    assert.match(text, /TLS Web Server Authentication/);
    await assert.rejects(f.pki.issueServerCertificate({ dnsNames: ['bad name!'] }), /Not a valid DNS name/);
    await assert.rejects(f.pki.issueServerCertificate({}), /at least one DNS name or IP/);
  });

  it('keeps non-ASCII and DN-special characters in the CN intact', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'Zähler, Halle=3 "Süd"' });
    assert.equal((await opensslVerify(f, cert.certificatePem)).code, 0);
    const subject = await run('openssl', [
      'x509',
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus',
      '-in',
      f.file('u.pem', cert.certificatePem),
    ]);
    assert.equal(subject.stdout.trim(), 'subject=CN=Zähler, Halle=3 "Süd"');
    const rdns = await run('openssl', [
      'x509',
      '-noout',
      '-subject',
      '-nameopt',
      'multiline',
      '-in',
      f.file('u.pem', cert.certificatePem),
    ]);
    assert.equal(rdns.stdout.trim().split('\n').length, 2, 'one attribute only');
    const verdict = await f.pki.verifyClientChain([cert.certificatePem]);
    assert.equal(verdict.ok && verdict.commonName, 'Zähler, Halle=3 "Süd"');
  });

  it('lists, filters and finds certificates; rejects bad names and validity', async () => {
    await f.pki.issueDeviceCertificate({ name: 'x', accountId: 'beta', validityDays: 7 });
    const beta = f.pki.listCertificates({ accountId: 'beta' });
    assert.equal(beta.total, 1);
    assert.equal(beta.items[0]!.commonName, 'x');
    assert.ok(f.pki.listCertificates({ kind: 'server' }).items.every((c) => c.kind === 'server'));
    assert.equal(f.pki.listCertificates({ search: 'gateway' }).items[0]!.commonName, 'gateway-9');
    assert.equal(f.pki.getCertificate(beta.items[0]!.serial.toLowerCase())?.commonName, 'x');
    await assert.rejects(f.pki.issueDeviceCertificate({ name: 'y'.repeat(65) }), /1\.\.64 characters/);
    await assert.rejects(f.pki.issueDeviceCertificate({ name: 'z', validityDays: 0 }), /Validity/);
    await assert.rejects(
      f.pki.issueDeviceCertificate({ name: 'z', commonNameStyle: 'account-prefixed' }),
      /needs an account/,
    );
  });

  it('revocation lists the serial on a CRL that openssl reads and checks', async () => {
    const cert = await f.pki.issueDeviceCertificate({ name: 'to-revoke' });
    await f.pki.revoke(cert.serial, 'keyCompromise');
    await assert.rejects(f.pki.revoke(cert.serial), /already revoked/);
    await assert.rejects(f.pki.revoke('ABCDEF'), /No certificate/);
    const crlText = await run('openssl', [
      'crl',
      '-noout',
      '-text',
      '-in',
      f.file('crl.pem', f.pki.crlPem()),
    ]);
    assert.equal(crlText.code, 0, crlText.stderr);
    assert.match(crlText.stdout, new RegExp(`Serial Number: ${cert.serial}`));
    assert.match(crlText.stdout, /Key Compromise/);
    const authorities = f.pki.listAuthorities();
    const check = await run('openssl', [
      'verify',
      '-crl_check_all',
      '-CRLfile',
      f.file('crls.pem', f.pki.tlsTrust().crl.join('')),
      '-CAfile',
      f.file('root.pem', authorities.find((a) => a.role === 'root')!.certificatePem),
      '-untrusted',
      f.file('issuing.pem', authorities.find((a) => a.role === 'issuing')!.certificatePem),
      f.file('revoked.pem', cert.certificatePem),
    ]);
    assert.notEqual(check.code, 0);
    assert.match(check.stderr, /certificate revoked/);
    assert.equal(f.pki.getCertificate(cert.serial)?.revocationReason, 'keyCompromise');
  });
});

describe('concurrent revocations', () => {
  it('all land on the final CRL with increasing CRL numbers', async () => {
    const f = await makePki();
    try {
      const { issued } = await f.pki.batchIssue({
        csv: Array.from({ length: 12 }, (_, i) => `c${i}`).join('\n'),
      });
      await Promise.all(issued.map((c) => f.pki.revoke(c.serial, 'superseded')));
      const crl = await f.pki.inspect(f.pki.crlPem());
      const item = crl.items[0]!;
      assert.equal(item.type, 'crl');
      assert.deepEqual(
        item.type === 'crl' ? [...item.revokedSerials].sort() : [],
        issued.map((c) => c.serial).sort(),
      );
      const text = await run('openssl', [
        'crl',
        '-noout',
        '-crlnumber',
        '-in',
        f.file('c.pem', f.pki.crlPem()),
      ]);
      assert.ok(Number.parseInt(text.stdout.split('=')[1] ?? '0', 16) >= 13, text.stdout);
    } finally {
      await f.close();
    }
  });
});
