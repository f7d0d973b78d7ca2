import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publishUntilReceived } from '../helpers/mosquitto-clients';
import { run } from '../helpers/process';
import { makePki, type PkiFixture } from './helpers';
import { type RunningMosquitto, startMosquittoTls } from '../helpers/mosquitto-broker';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

describe('a foreign TLS stack (mosquitto) accepts the PKI chains', () => {
  let f: PkiFixture;
  let mosquitto: RunningMosquitto;
  let port: number;
  let dir: string;
  const client = (name: string) => [
    '--cafile',
    path.join(dir, 'ca.pem'),
    '--cert',
    path.join(dir, `${name}.crt`),
    '--key',
    path.join(dir, `${name}.key`),
  ];

  before(async () => {
    f = await makePki();
    dir = tempDir('fb-mosq-');
    const serverCert = await f.pki.issueServerCertificate({
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const credentials = f.pki.serverCredentials(serverCert.serial);
    fs.writeFileSync(path.join(dir, 'server.crt'), credentials.cert);
    fs.writeFileSync(path.join(dir, 'server.key'), credentials.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'ca.pem'), f.pki.caChainPem());
    fs.writeFileSync(path.join(dir, 'crl.pem'), f.pki.crlPem());
    for (const [name, keyAlgorithm] of [
      ['ec-dev', 'ec-p256'],
      ['rsa-dev', 'rsa-2048'],
      ['gone-dev', 'ec-p256'],
    ] as const) {
      const cert = await f.pki.issueDeviceCertificate({ name, keyAlgorithm });
      const pem = f.pki.exportPem(cert.serial, { includePrivateKey: true });
      fs.writeFileSync(path.join(dir, `${name}.crt`), pem.certificatePem);
      fs.writeFileSync(path.join(dir, `${name}.key`), pem.privateKeyPem!, { mode: 0o600 });
      if (name === 'gone-dev') {
        await f.pki.revoke(cert.serial, 'keyCompromise');
        fs.writeFileSync(path.join(dir, 'crl.pem'), f.pki.crlPem());
      }
    }
    mosquitto = await startMosquittoTls({
      dir,
      cafile: `${dir}/ca.pem`,
      certfile: `${dir}/server.crt`,
      keyfile: `${dir}/server.key`,
      crlfile: `${dir}/crl.pem`,
      settings: ['use_identity_as_username true', 'allow_anonymous false'],
    });
    port = mosquitto.port;
  });

  after(async () => {
    await mosquitto.stop();
    await f.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['ec-dev', 'rsa-dev']) {
    it(`mosquitto_sub/pub with the ${name} certificate`, async () => {
      const topic = `fieldbench/${name}`;
      const sub = run('mosquitto_sub', [
        '-h',
        'localhost',
        '-p',
        String(port),
        ...client(name),
        '-t',
        topic,
        '-C',
        '1',
        '-W',
        '20',
        '-i',
        `${name}-sub`,
      ]);
      // Publish until the subscriber has received one message (it may still be connecting).
      const result = await publishUntilReceived(
        sub,
        ['-h', 'localhost', '-p', String(port), ...client(name)].concat([
          '-t',
          topic,
          '-m',
          `hi from ${name}`,
          '-i',
          `${name}-pub`,
        ]),
        { log: mosquitto.log },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), `hi from ${name}`);
    });
  }

  it('mosquitto refuses the revoked certificate via the PKI CRL', async () => {
    const pub = await run('mosquitto_pub', [
      '-h',
      'localhost',
      '-p',
      String(port),
      ...client('gone-dev'),
      '-t',
      'x',
      '-m',
      'y',
    ]);
    assert.notEqual(pub.code, 0);
    await waitFor(
      () => /certificate verify failed/i.test(mosquitto.log()),
      'mosquitto to log the failed verification',
    );
    // The chain itself is fine, so the CRL is what mosquitto refused it for.
    const withoutCrl = await run('openssl', [
      'verify',
      '-CAfile',
      path.join(dir, 'ca.pem'),
      path.join(dir, 'gone-dev.crt'),
    ]);
    assert.equal(withoutCrl.code, 0, withoutCrl.stderr);
    const withCrl = await run('openssl', [
      'verify',
      '-crl_check',
      '-CRLfile',
      path.join(dir, 'crl.pem'),
      '-CAfile',
      path.join(dir, 'ca.pem'),
      path.join(dir, 'gone-dev.crt'),
    ]);
    assert.match(withCrl.stderr, /certificate revoked/);
  });
});
