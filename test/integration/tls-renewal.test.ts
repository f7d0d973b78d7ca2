import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { type Core, createCore } from '../../main/core';
import type { MethodName, RequestOf } from '../../preload/contract';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const HOURLY = 3_600_000;
const DAY_MS = 86_400_000;

/** Serial of the certificate a TLS listener serves to a new handshake (verified against `ca` as localhost). */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(normalize(serial));
    });
    socket.once('error', reject);
  });
}

const normalize = (serial: string) => serial.toUpperCase().replace(/^0+/, '');

/**
 * Starts a core while noting the callback of its hourly PKI maintenance timer. The core has no clock to
 * inject, so the test runs that pass itself instead of waiting an hour for it.
 */
async function createCoreWithMaintenance(options: Parameters<typeof createCore>[0]) {
  const realSetInterval = globalThis.setInterval;
  const hourly: Array<() => void> = [];
  globalThis.setInterval = ((callback: () => void, ms?: number) => {
    if (ms === HOURLY) hourly.push(callback);
    return realSetInterval(callback, ms);
  }) as typeof setInterval;
  try {
    const core = await createCore(options);
    assert.equal(hourly.length, 1, 'the core schedules exactly one hourly maintenance pass');
    return { core, runMaintenance: hourly[0]! };
  } finally {
    globalThis.setInterval = realSetInterval;
  }
}

/** Renewal of the broker's server certificate reaches the running TLS listener without dropping its clients. */
describe('server certificate renewal through the embedded broker', () => {
  let core: Core;
  let runMaintenance: () => void;
  let port: number;
  let ca: string;
  const clients: MqttClient[] = [];
  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);
  const connect = async (clientId: string) => {
    const client = await mqtt.connectAsync(`mqtts://localhost:${port}`, {
      ca,
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    ({ core, runMaintenance } = await createCoreWithMaintenance({
      dataDir: tempDir(),
      mode: 'headless',
      allowAnonymous: true,
      listeners: { brokerHost: '127.0.0.1', mqttsPort: 0 },
    }));
    port = listenerPort(core.readyDetails(), 'mqtts');
    const { authorities } = await call('pki.listAuthorities', {});
    ca = authorities.find((a) => a.role === 'root')!.certificatePem;
  });
  after(async () => {
    for (const client of clients) client.end(true);
    await core.close();
  });

  test('a certificate due for renewal is replaced in the listener; connected clients stay and keep working', async () => {
    const subscriber = await connect('renewal-sub');
    const publisher = await connect('renewal-pub');
    const closes: string[] = [];
    subscriber.on('close', () => closes.push('renewal-sub'));
    publisher.on('close', () => closes.push('renewal-pub'));
    await subscriber.subscribeAsync('renewal/#', { qos: 1 });

    const oldSerial = await servedSerial(port, ca);
    const server = await call('pki.listCertificates', { kind: 'server' });
    const oldRecord = server.items.find((c) => normalize(c.serial) === oldSerial);
    assert.ok(oldRecord, 'the served certificate is a server certificate issued by Fieldbench');
    assert.equal(oldRecord.replacedBy, null);

    // Time passes for the certificate only: it now expires tomorrow, inside the 30-day renewal window.
    core.store.db
      .prepare('UPDATE pki_certificates SET not_after = ? WHERE serial = ?')
      .run(Date.now() + DAY_MS, oldRecord.serial);
    const newSerial = await waitFor(
      async () => {
        runMaintenance();
        const serial = await servedSerial(port, ca);
        return serial !== oldSerial ? serial : undefined;
      },
      'a new TLS handshake to see a renewed certificate',
      30_000,
    );

    const renewedOld = await call('pki.getCertificate', { serial: oldRecord.serial });
    assert.equal(
      normalize(renewedOld.replacedBy ?? ''),
      newSerial,
      'the old certificate names its successor',
    );
    const successor = await call('pki.getCertificate', { serial: newSerial });
    assert.equal(successor.kind, 'server');
    assert.equal(successor.status, 'active');
    assert.ok(successor.notAfter > Date.now() + 300 * DAY_MS, 'the successor keeps the full lifetime');

    assert.deepEqual(closes, [], 'no connected client was dropped');
    assert.equal(subscriber.connected && publisher.connected, true);
    const received = new Promise<[string, string]>((resolve) =>
      subscriber.once('message', (topic, payload) => resolve([topic, payload.toString()])),
    );
    await publisher.publishAsync('renewal/after', 'still here', { qos: 1 });
    assert.deepEqual(await received, ['renewal/after', 'still here']);

    const fresh = await connect('renewal-new');
    assert.equal(normalize((fresh.stream as tls.TLSSocket).getPeerCertificate().serialNumber), newSerial);
    await fresh.publishAsync('renewal/new', 'hello', { qos: 1 });
    assert.deepEqual(closes, []);
  });
});
