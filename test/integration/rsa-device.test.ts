import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import type { ResponseOf } from '../../preload/contract';
import { rootAndLocalService, startTestCore, type TestCore } from '../helpers/test-core';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const PASSWORD = 'correct horse battery';

/** Devices with Fieldbench-issued RSA certificates (the CA itself is EC) on the mutual-TLS listener. */
describe('a Fieldbench-issued RSA device certificate on the mutual-TLS listener', () => {
  let tc: TestCore;
  let dir: string;
  let ports: { mqtt: number; mutual: number };
  let accountId: string;
  let issued: ResponseOf<'pki.issueDevice'>;
  let pem: ResponseOf<'pki.exportPem'>;
  let watcher: MqttClient;
  const seen: Array<[string, string]> = [];
  const call: TestCore['call'] = (method, request) => tc.call(method, request);

  before(async () => {
    dir = tempDir();
    tc = await startTestCore({
      dataDir: path.join(dir, 'data'),
      listeners: { mqttPort: 0, mqttsMutualPort: 0 },
    });
    ports = { mqtt: tc.port('mqtt'), mutual: tc.port('mqtts-mutual') };
    const { rootId, localServiceId } = await rootAndLocalService(call);
    accountId = (
      await call('accounts.create', { parentId: rootId, name: 'rsa-lab', serviceId: localServiceId })
    ).id;
    await call('credentials.create', { accountId, username: 'rsa-ops', password: PASSWORD });
    watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      clientId: 'rsa-ops-watch',
      username: 'rsa-ops',
      password: PASSWORD,
      reconnectPeriod: 0,
    });
    watcher.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
    await watcher.subscribeAsync('meters/#', { qos: 1 });

    issued = await call('pki.issueDevice', { name: 'rsa-meter', accountId, keyAlgorithm: 'rsa-2048' });
    pem = await call('pki.exportPem', { serial: issued.serial, includePrivateKey: true });
  });

  after(async () => {
    watcher?.end(true);
    await tc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the issued certificate and key are RSA 2048 for clientAuth', () => {
    const cert = new crypto.X509Certificate(pem.certificatePem);
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(pem.privateKeyPem, 'the generated key is exported on request');
    const key = crypto.createPrivateKey(pem.privateKeyPem);
    assert.ok(cert.checkPrivateKey(key), 'the key belongs to the certificate');
    assert.equal(cert.subject, `CN=${issued.commonName}`);
    assert.ok(cert.checkIssued(new crypto.X509Certificate(pem.chainPem)), 'issued by the issuing CA');
  });

  test("mqtt.js logs in with it, lands in the certificate's account and publishes there", async () => {
    const device = await mqtt.connectAsync(`mqtts://localhost:${ports.mutual}`, {
      ca: pem.chainPem,
      cert: pem.certificatePem,
      key: pem.privateKeyPem!,
      clientId: issued.commonName,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });
    try {
      const records = await call('connections.list', { accountId });
      const record = records.connections.find((c) => c.clientId === issued.commonName);
      assert.equal(record?.status, 'connected');
      assert.equal(record?.listenerKind, 'mqtts-mutual');
      await device.publishAsync('meters/rsa/js', 'from mqtt.js', { qos: 1 });
      await waitFor(() => seen.some(([t]) => t === 'meters/rsa/js'), 'the mqtt.js message', 20_000);
      assert.deepEqual(
        seen.find(([t]) => t === 'meters/rsa/js'),
        ['meters/rsa/js', 'from mqtt.js'],
      );
    } finally {
      await device.endAsync();
    }
  });

  test('mosquitto_pub logs in with the same certificate files', async () => {
    const files = {
      ca: path.join(dir, 'chain.pem'),
      cert: path.join(dir, 'rsa-meter.pem'),
      key: path.join(dir, 'rsa-meter.key'),
    };
    fs.writeFileSync(files.ca, pem.chainPem);
    fs.writeFileSync(files.cert, pem.certificatePem);
    fs.writeFileSync(files.key, pem.privateKeyPem!, { mode: 0o600 });
    const tlsArgs = ['-h', 'localhost', '-p', String(ports.mutual), '--cafile', files.ca];
    const published = await run('mosquitto_pub', [
      ...[...tlsArgs, '--cert', files.cert, '--key', files.key],
      ...['-i', issued.commonName, '-q', '1', '-t', 'meters/rsa/mosquitto', '-m', 'from mosquitto_pub'],
    ]);
    assert.equal(published.code, 0, published.stderr);
    await waitFor(
      () => seen.some(([t]) => t === 'meters/rsa/mosquitto'),
      'the mosquitto_pub message',
      20_000,
    );
    assert.deepEqual(
      seen.find(([t]) => t === 'meters/rsa/mosquitto'),
      ['meters/rsa/mosquitto', 'from mosquitto_pub'],
    );

    // Without a client certificate the mutual-TLS listener does not let mosquitto_pub in at all.
    const anonymous = await run('mosquitto_pub', [
      ...tlsArgs,
      ...['-i', issued.commonName, '-t', 'meters/rsa/none', '-m', 'x'],
    ]);
    assert.notEqual(anonymous.code, 0, 'refused without a certificate');
    assert.ok(!seen.some(([t]) => t === 'meters/rsa/none'));
  });
});
