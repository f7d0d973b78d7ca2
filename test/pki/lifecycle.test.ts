import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RenewedServerCertificate } from '../../main/pki';
import { DATABASE_FILE } from '../../main/store';
import { createCsr } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { makePki } from './helpers';
import { waitFor } from '../helpers/wait-for';
import { closeServer, nodeHandshake, startMutualTlsServer } from './tls-tools';
import tls from 'node:tls';

describe('server certificate renewal', () => {
  it('renews N days before expiry (injected clock) and notifies with new credentials', async () => {
    const f = await makePki();
    try {
      const original = await f.pki.issueServerCertificate({ dnsNames: ['localhost'], validityDays: 60 });
      const renewed: RenewedServerCertificate[] = [];
      assert.deepEqual(await f.pki.runMaintenance(), [], 'nothing is due yet');
      f.pki.startRenewalScheduler({ renewBeforeDays: 20, intervalMs: 50, onRenewed: (r) => renewed.push(r) });
      f.clock.advanceDays(35);
      // The scheduler's own pass, run here so that its outcome is known without waiting.
      assert.deepEqual(await f.pki.runMaintenance(), [], 'still 25 days left, outside the 20-day window');
      assert.equal(renewed.length, 0, 'and nothing was renewed');
      f.clock.advanceDays(6);
      await waitFor(() => renewed.length === 1, 'the scheduler to renew the certificate');
      const [r] = renewed;
      assert.equal(r!.previousSerial, original.serial);
      assert.notEqual(r!.credentials.serial, original.serial);
      assert.match(r!.credentials.key, /BEGIN PRIVATE KEY/);
      assert.match(r!.credentials.cert, /BEGIN CERTIFICATE[\s\S]+BEGIN CERTIFICATE/, 'leaf and issuing CA');
      const next = f.pki.getCertificate(r!.credentials.serial)!;
      assert.equal(next.notAfter - next.notBefore > 59 * 86_400_000, true, 'same lifetime as before');
      assert.equal(f.pki.getCertificate(original.serial)?.replacedBy, next.serial);
      const text = await run('openssl', [
        'x509',
        '-noout',
        '-ext',
        'subjectAltName',
        '-in',
        f.file('n.pem', next.certificatePem),
      ]);
      assert.match(text.stdout, /DNS:localhost/);
      assert.deepEqual(await f.pki.runMaintenance(), [], 'a replaced certificate is not renewed again');
      assert.equal(renewed.length, 1, 'a replaced certificate is not renewed again');
    } finally {
      await f.close();
    }
  });

  it('re-signs CRLs before they lapse, notifying trust listeners', async () => {
    const f = await makePki();
    try {
      const before = f.pki.crlPem();
      const changes: number[] = [];
      f.pki.onTrustChanged((trust) => changes.push(trust.crl.length));
      f.clock.advanceDays(20);
      await f.pki.runMaintenance();
      assert.notEqual(f.pki.crlPem(), before);
      assert.deepEqual(changes, [2]);
      const crl = await run('openssl', [
        'crl',
        '-noout',
        '-nextupdate',
        '-in',
        f.file('c.pem', f.pki.crlPem()),
      ]);
      const nextUpdate = new Date(crl.stdout.replace('nextUpdate=', '').trim());
      assert.ok(nextUpdate.getTime() > f.clock.now().getTime() + 20 * 86_400_000);
    } finally {
      await f.close();
    }
  });
});

describe('renewal hot-swap', () => {
  it('a running TLS server switches to the renewed certificate without restarting', async () => {
    const f = await makePki();
    const first = await f.pki.issueServerCertificate({ dnsNames: ['localhost'], validityDays: 10 });
    const creds = f.pki.serverCredentials(first.serial);
    const { server, port } = await startMutualTlsServer({
      cert: creds.cert,
      key: creds.key,
      ...f.pki.tlsTrust(),
    });
    try {
      const device = await f.pki.issueDeviceCertificate({ name: 'watcher' });
      const identity = f.pki.exportPem(device.serial, { includePrivateKey: true });
      const presented = async () => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: f.pki.caChainPem(),
          cert: identity.certificatePem,
          key: identity.privateKeyPem!,
        });
        await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
        const serial = socket.getPeerCertificate().serialNumber;
        socket.destroy();
        return serial;
      };
      assert.equal(await presented(), first.serial);
      // 10 days left is inside the default 30-day renewal window.
      const [renewed] = await f.pki.runMaintenance();
      assert.ok(renewed);
      const trust = f.pki.tlsTrust();
      server.setSecureContext({
        cert: renewed.credentials.cert,
        key: renewed.credentials.key,
        ca: trust.ca,
        crl: trust.crl,
      });
      assert.equal(await presented(), renewed.credentials.serial);
      assert.equal(
        (
          await nodeHandshake(port, f.pki.caChainPem(), {
            cert: identity.certificatePem,
            key: identity.privateKeyPem!,
          })
        ).ok,
        true,
      );
    } finally {
      await closeServer(server);
      await f.close();
    }
  });
});

describe('keys at rest', () => {
  it('stores no clear private key in SQLite and reloads the same authorities after restart', async () => {
    const f = await makePki();
    const device = await f.pki.issueDeviceCertificate({ name: 'secret-keeper' });
    await f.pki.issueServerCertificate({ ipAddresses: ['127.0.0.1'] });
    const exported = f.pki.exportPem(device.serial, { includePrivateKey: true });
    const authorities = f.pki.listAuthorities();
    await f.close();
    // Checkpointed or not, every byte the store wrote is in the database file or its WAL.
    const bytes = Buffer.concat(
      fs
        .readdirSync(f.dir)
        .filter((name) => name.startsWith(DATABASE_FILE))
        .map((name) => fs.readFileSync(path.join(f.dir, name))),
    );
    assert.ok(bytes.length > 0);
    assert.equal(bytes.includes('PRIVATE KEY'), false);
    const keyDer = Buffer.from(exported.privateKeyPem!.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    assert.equal(bytes.includes(keyDer), false, 'no PKCS#8 DER in clear either');
    assert.equal(bytes.includes(keyDer.subarray(keyDer.length - 40)), false, 'nor the raw key material');

    const reopened = await makePki({ dir: f.dir });
    try {
      assert.deepEqual(reopened.pki.listAuthorities(), authorities);
      const again = reopened.pki.exportPem(device.serial, { includePrivateKey: true });
      assert.equal(again.privateKeyPem, exported.privateKeyPem);
      const next = await reopened.pki.issueDeviceCertificate({ name: 'after-restart' });
      assert.equal((await reopened.pki.verifyClientChain([next.certificatePem])).ok, true);
    } finally {
      await reopened.close();
    }
  });
});

describe('inspector', () => {
  it('describes certificates, chains, CSRs, keys and CRLs', async () => {
    const f = await makePki();
    try {
      const cert = await f.pki.issueServerCertificate({
        dnsNames: ['broker.local'],
        ipAddresses: ['10.0.0.1'],
      });
      const chain = await f.pki.inspect(cert.certificatePem + f.pki.caChainPem());
      assert.equal(chain.items.length, 3);
      const leaf = chain.items[0]!;
      assert.equal(leaf.type, 'certificate');
      if (leaf.type !== 'certificate') return;
      assert.equal(leaf.commonName, 'broker.local');
      assert.deepEqual(leaf.subjectAltNames, ['DNS:broker.local', 'IP:10.0.0.1']);
      assert.deepEqual(leaf.key, { type: 'EC', bits: 256, curve: 'P-256' });
      assert.equal(leaf.serial, cert.serial);
      assert.equal(leaf.sha256Fingerprint.replace(/:/g, ''), cert.fingerprintSha256);
      assert.match(leaf.sha1Fingerprint, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      assert.ok(leaf.extensions.some((e) => e.name === 'extendedKeyUsage' && e.value === 'serverAuth'));
      assert.ok(
        leaf.extensions.some((e) => e.name === 'basicConstraints' && e.critical && e.value === 'CA:FALSE'),
      );
      assert.deepEqual(chain.chain && [chain.chain.verified, chain.chain.trustedBy], [true, 'fieldbench']);

      const { csr: csrFile, key: keyFile } = createCsr(f.dir, 'rsa', { subject: '/CN=csr-dev', rsa: true });
      const other = await f.pki.inspect(
        fs.readFileSync(csrFile, 'utf8') + fs.readFileSync(keyFile, 'utf8') + f.pki.crlPem(),
      );
      assert.deepEqual(
        other.items.map((i) => i.type),
        ['csr', 'private-key', 'crl'],
      );
      const [csr, key] = other.items;
      assert.ok(
        csr?.type === 'csr' && csr.signatureValid && csr.key.bits === 2048 && csr.subject === 'CN=csr-dev',
      );
      assert.ok(key?.type === 'private-key' && key.key?.type === 'RSA' && !key.encrypted);
      assert.equal(
        JSON.stringify(other).includes('BEGIN PRIVATE KEY'),
        false,
        'the key itself is not echoed',
      );
      assert.equal(other.chain, null);

      const stranger = await makePki();
      const foreign = await stranger.pki.issueDeviceCertificate({ name: 'x' });
      await stranger.close();
      const unknown = await f.pki.inspect(foreign.certificatePem);
      assert.equal(unknown.chain?.verified, false);
      assert.match(unknown.chain?.message ?? '', /not a trusted CA/);
      assert.deepEqual((await f.pki.inspect('not pem at all')).items, []);
    } finally {
      await f.close();
    }
  });
});
