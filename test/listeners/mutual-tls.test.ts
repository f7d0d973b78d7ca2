import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type HandshakeFailure, ListenerManager } from '../../main/broker/listeners';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { type CertFiles, createTestPki, type TestPki } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { publishUntilReceived } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { connectMqtt, endMqtt, nextMessage, SYSTEM_PYTHON, subscribe } from './helpers/clients';

const PAHO = path.join(__dirname, 'helpers', 'paho_roundtrip.py');

describe('mutual-TLS listener', () => {
  let pki: TestPki;
  let broker: TestBroker;
  let manager: ListenerManager;
  let port = 0;
  const events: HandshakeFailure[] = [];

  before(async () => {
    pki = createTestPki(tempDir());
    broker = await startTestBroker();
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      onHandshakeFailure: (f) => events.push(f),
      tlsMaterial: () => ({
        certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
        ca: pki.read(pki.ca),
        crl: [pki.read(pki.crl)],
      }),
    });
    const status = await manager.create({ id: 'mutual', kind: 'mqtts-mutual', port: 0 });
    assert.equal(status.state, 'running', status.error);
    port = status.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
    fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  function withCert(files: CertFiles) {
    return { ca: pki.read(pki.ca), cert: pki.read(files.cert), key: pki.read(files.key) };
  }

  test('mqtt.js with a valid client certificate connects and the verified chain reaches the broker', async () => {
    const client = await connectMqtt(`mqtts://localhost:${port}`, {
      ...withCert(pki.client),
      clientId: 'device-1',
    });
    await subscribe(client, 'mtls/echo');
    const got = nextMessage(client, 'mtls/echo');
    client.publish('mtls/echo', 'authenticated', { qos: 1 });
    assert.equal(await got, 'authenticated');
    await endMqtt(client);
    const handed = broker.handed.filter((c) => c.listener.id === 'mutual').at(-1);
    assert.deepEqual(
      handed?.peerCertificates?.map((c) => c.subject.CN),
      ['device-1', 'test-ca'],
    );
  });

  test('mosquitto_pub/sub with --cert/--key round-trip (3.1.1 and 5)', async () => {
    for (const version of ['mqttv311', 'mqttv5']) {
      const common = ['-h', 'localhost', '-p', String(port), '--cafile', pki.ca, '--cert', pki.client.cert];
      common.push('--key', pki.client.key, '-V', version);
      const sub = run('mosquitto_sub', [
        ...common,
        '-t',
        'mtls/mosq',
        '-C',
        '1',
        '-W',
        '15',
        '-i',
        `s-${version}`,
      ]);
      const result = await publishUntilReceived(sub, [
        ...common,
        ...['-t', 'mtls/mosq', '-m', version, '-q', '1', '-i', `p-${version}`],
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    }
  });

  test('paho-mqtt with a client certificate round-trips', async () => {
    const r = await run(SYSTEM_PYTHON, [
      ...[PAHO, '--host', 'localhost', '--port', String(port), '--cafile', pki.ca],
      ...['--cert', pki.client.cert, '--key', pki.client.key, '--protocol', '4'],
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  const refusals: [string, (p: TestPki) => CertFiles | undefined, HandshakeFailure['reason']][] = [
    ['no certificate', () => undefined, 'no-client-certificate'],
    ['a certificate from another CA', (p) => p.clientOtherCa, 'unknown-ca'],
    ['an expired certificate', (p) => p.clientExpired, 'certificate-expired'],
    ['a revoked certificate', (p) => p.clientRevoked, 'certificate-revoked'],
    ['a certificate without clientAuth EKU', (p) => p.clientWrongEku, 'wrong-key-usage'],
  ];
  for (const [what, pick, reason] of refusals) {
    test(`a client with ${what} is refused and the reason recorded`, async () => {
      const before = events.length;
      const files = pick(pki);
      const options = files ? withCert(files) : { ca: pki.read(pki.ca) };
      const outcome = await connectMqtt(`mqtts://localhost:${port}`, options, 5000).then(
        (c) => {
          c.end(true);
          return 'connected';
        },
        () => 'refused',
      );
      assert.equal(outcome, 'refused');
      await waitFor(() => events.length > before, 'the failure event');
      const failure = events.at(-1)!;
      assert.equal(failure.reason, reason);
      assert.equal(failure.listenerId, 'mutual');
      assert.equal(failure.remoteAddress, '127.0.0.1');
      assert.ok(failure.message.length > 10);
      assert.deepEqual(manager.handshakeFailures('mutual').at(-1), failure);
    });
  }

  test('mosquitto_pub without a certificate is refused too', async () => {
    const before = events.length;
    const pub = await run('mosquitto_pub', [
      '-h',
      'localhost',
      '-p',
      String(port),
      '--cafile',
      pki.ca,
      '-t',
      'x',
      '-m',
      'y',
    ]);
    assert.notEqual(pub.code, 0);
    await waitFor(() => events.length > before, 'the failure event');
    assert.equal(events.at(-1)!.reason, 'no-client-certificate');
  });
});
