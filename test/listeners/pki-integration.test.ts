import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type HandshakeFailure, ListenerManager, type TlsMaterial } from '../../main/broker/listeners';
import { createPki, type Pki } from '../../main/pki';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { connectMqtt, endMqtt, nextMessage, subscribe } from './helpers/clients';

// Listeners fed by Fieldbench's own PKI: issued server and device certificates, revocation hot-swapped via the CRL.

describe('mutual TLS with certificates from the Fieldbench PKI', () => {
  let dir: string;
  let store: Store;
  let pki: Pki;
  let broker: TestBroker;
  let manager: ListenerManager;
  let serverSerial = '';
  let port = 0;
  const failures: HandshakeFailure[] = [];

  const material = (): TlsMaterial => {
    const server = pki.serverCredentials(serverSerial);
    const trust = pki.tlsTrust();
    return { certificates: [{ cert: server.cert, key: server.key }], ca: trust.ca, crl: trust.crl };
  };
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  async function device(name: string) {
    const record = await pki.issueDeviceCertificate({ name });
    const pem = pki.exportPem(record.serial, { includePrivateKey: true });
    return {
      serial: record.serial,
      cert: file(`${name}.pem`, pem.certificatePem),
      key: file(`${name}.key`, pem.privateKeyPem!),
      options: { cert: pem.certificatePem, key: pem.privateKeyPem!, ca: pki.caChainPem() },
    };
  }

  before(async () => {
    dir = tempDir();
    store = openStore(dir);
    pki = await createPki({ db: store.db, dataDir: dir, keyProtector: createFileKeyProtector(dir) });
    serverSerial = (await pki.issueServerCertificate({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }))
      .serial;
    broker = await startTestBroker();
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      db: store.db,
      tlsMaterial: material,
      onHandshakeFailure: (f) => failures.push(f),
    });
    const status = await manager.create({ id: 'pki-mutual', kind: 'mqtts-mutual', port: 0 });
    assert.equal(status.state, 'running', status.error);
    port = status.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
    await pki.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a PKI-issued device certificate works with mosquitto_pub and mqtt.js', async () => {
    const sensor = await device('sensor-1');
    const ca = file('ca-chain.pem', pki.caChainPem());
    const client = await connectMqtt(`mqtts://localhost:${port}`, { ...sensor.options, clientId: 'watcher' });
    await subscribe(client, 'pki/t');
    const got = nextMessage(client, 'pki/t');
    const pub = await run('mosquitto_pub', [
      ...['-h', 'localhost', '-p', String(port), '--cafile', ca, '--cert', sensor.cert, '--key', sensor.key],
      ...['-t', 'pki/t', '-m', 'from mosquitto_pub', '-q', '1', '-i', 'sensor-1'],
    ]);
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal(await got, 'from mosquitto_pub');
    await endMqtt(client);
    const handed = broker.handed.at(-1);
    assert.equal(
      handed?.peerCertificates?.[0]?.serialNumber.replace(/^0+/, '').toLowerCase(),
      sensor.serial.replace(/^0+/, '').toLowerCase(),
    );
  });

  test('revoking a device and hot-swapping the CRL refuses it, while connected clients stay', async () => {
    const keeper = await device('keeper');
    const doomed = await device('doomed');
    const connected = await connectMqtt(`mqtts://localhost:${port}`, {
      ...keeper.options,
      clientId: 'keeper',
    });
    const before = await connectMqtt(`mqtts://localhost:${port}`, { ...doomed.options, clientId: 'doomed' });
    await endMqtt(before);

    await pki.revoke(doomed.serial);
    await manager.updateTls('pki-mutual', material());

    const outcome = await connectMqtt(
      `mqtts://localhost:${port}`,
      { ...doomed.options, clientId: 'doomed' },
      5000,
    ).then(
      (c) => {
        c.end(true);
        return 'connected';
      },
      () => 'refused',
    );
    assert.equal(outcome, 'refused');
    await waitFor(
      () => failures.some((f) => f.reason === 'certificate-revoked'),
      'revocation to be recorded',
    );
    assert.equal(connected.connected, true);
    await subscribe(connected, 'pki/still');
    const got = nextMessage(connected, 'pki/still');
    connected.publish('pki/still', 'connected through the swap', { qos: 1 });
    assert.equal(await got, 'connected through the swap');
    await endMqtt(connected);
  });
});
