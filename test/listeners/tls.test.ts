import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { ListenerManager, type TlsMaterial } from '../../main/broker/listeners';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { createTestPki, type TestPki } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { publishUntilReceived } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { connectMqtt, endMqtt, nextMessage, SYSTEM_PYTHON, subscribe } from './helpers/clients';

const PAHO = path.join(__dirname, 'helpers', 'paho_roundtrip.py');

/** The CN of the certificate a server presents to a fresh TLS connection. */
function presentedCn(port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: servername ?? 'localhost' }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve(String(cn));
    });
    socket.once('error', reject);
  });
}

describe('TLS listeners', () => {
  let pki: TestPki;
  let broker: TestBroker;
  let manager: ListenerManager;
  const material = new Map<string, TlsMaterial>();
  let port = 0;

  before(async () => {
    pki = createTestPki(tempDir());
    broker = await startTestBroker();
    manager = new ListenerManager({ broker, logger: silentLogger, tlsMaterial: (l) => material.get(l.id) });
    material.set('tls', {
      certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
      ca: pki.read(pki.ca),
    });
    const status = await manager.create({
      id: 'tls',
      kind: 'mqtts',
      port: 0,
      options: { alpnProtocols: ['mqtt'] },
    });
    assert.equal(status.state, 'running', status.error);
    port = status.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
    fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  test('mqtt.js v4 and v5 round-trip over TLS', async () => {
    for (const protocolVersion of [4, 5] as const) {
      const client = await connectMqtt(`mqtts://localhost:${port}`, {
        ca: pki.read(pki.ca),
        protocolVersion,
      });
      await subscribe(client, 'tls/echo');
      const got = nextMessage(client, 'tls/echo');
      client.publish('tls/echo', `v${protocolVersion}`, { qos: 1 });
      assert.equal(await got, `v${protocolVersion}`);
      await endMqtt(client);
    }
  });

  test('mosquitto_sub receives what mosquitto_pub sends over TLS (3.1.1 and 5)', async () => {
    for (const version of ['mqttv311', 'mqttv5']) {
      const common = ['-h', 'localhost', '-p', String(port), '--cafile', pki.ca, '-V', version];
      const sub = run('mosquitto_sub', [
        ...common,
        '-t',
        'mosq/tls',
        '-C',
        '1',
        '-W',
        '15',
        '-i',
        `sub-${version}`,
      ]);
      const subscriber = await connectMqtt(`mqtts://localhost:${port}`, { ca: pki.read(pki.ca) });
      await subscribe(subscriber, 'mosq/tls');
      const seen = nextMessage(subscriber, 'mosq/tls');
      // Publish until the CLI subscriber (which we cannot observe subscribing) has its message.
      const result = await publishUntilReceived(sub, [
        ...common,
        ...['-t', 'mosq/tls', '-m', `from ${version}`, '-q', '1'],
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), `from ${version}`);
      assert.equal(await seen, `from ${version}`);
      await endMqtt(subscriber);
    }
  });

  test('paho-mqtt (Debian python3) round-trips over TLS with v3.1.1 and v5', async () => {
    for (const protocol of ['4', '5']) {
      const r = await run(SYSTEM_PYTHON, [
        PAHO,
        '--host',
        'localhost',
        '--port',
        String(port),
        '--cafile',
        pki.ca,
        '--protocol',
        protocol,
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`ok hello from paho v${protocol}`));
    }
  });

  test('ALPN mqtt is negotiated when offered', async () => {
    const protocol = await new Promise<string | false | null>((resolve, reject) => {
      const s = tls.connect(
        { host: '127.0.0.1', port, ca: pki.read(pki.ca), servername: 'localhost', ALPNProtocols: ['mqtt'] },
        () => {
          resolve(s.alpnProtocol);
          s.destroy();
        },
      );
      s.once('error', reject);
    });
    assert.equal(protocol, 'mqtt');
  });

  test('hot-swapping the certificate keeps connected clients and new handshakes see the new one', async () => {
    const client = await connectMqtt(`mqtts://localhost:${port}`, {
      ca: pki.read(pki.ca),
      clientId: 'survivor',
    });
    assert.equal(await presentedCn(port, pki.read(pki.ca)), 'fieldbench-server');
    const swapped: TlsMaterial = {
      certificates: [{ cert: pki.read(pki.server2.cert), key: pki.read(pki.server2.key) }],
      ca: pki.read(pki.ca),
    };
    const status = await manager.updateTls('tls', swapped);
    assert.equal(status.state, 'running');
    assert.equal(status.boundPort, port);
    assert.equal(await presentedCn(port, pki.read(pki.ca)), 'fieldbench-server-2');
    assert.equal(client.connected, true);
    await subscribe(client, 'swap/after');
    const got = nextMessage(client, 'swap/after');
    client.publish('swap/after', 'still here', { qos: 1 });
    assert.equal(await got, 'still here');
    await endMqtt(client);
  });

  test('a bad key on hot-swap is refused and the listener keeps its current certificate', async () => {
    const broken: TlsMaterial = {
      certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.client.key) }],
    };
    await assert.rejects(manager.updateTls('tls', broken), /private key does not belong to the certificate/);
    assert.equal(manager.get('tls').state, 'running');
    assert.equal(await presentedCn(port, pki.read(pki.ca)), 'fieldbench-server-2');
  });

  test('SNI picks the per-host certificate and falls back to the default', async () => {
    material.set('sni', {
      certificates: [
        { cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) },
        {
          cert: pki.read(pki.serverAlt.cert),
          key: pki.read(pki.serverAlt.key),
          hostnames: ['alt.fieldbench.test'],
        },
      ],
    });
    const sni = await manager.create({ id: 'sni', kind: 'mqtts', port: 0 });
    assert.equal(sni.state, 'running', sni.error);
    const ca = pki.read(pki.ca);
    assert.equal(await presentedCn(sni.boundPort!, ca, 'alt.fieldbench.test'), 'fieldbench-server-alt');
    assert.equal(await presentedCn(sni.boundPort!, ca, 'localhost'), 'fieldbench-server');
    await manager.remove('sni');
  });

  test('required SNI and minimum TLS version refuse clients and record why', async () => {
    material.set('strict', {
      certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
    });
    const strict = await manager.create({
      id: 'strict',
      kind: 'mqtts',
      port: 0,
      options: { requireSni: true, minTlsVersion: 'TLSv1.3' },
    });
    const ca = pki.read(pki.ca);
    const onlyTls12 = new Promise<void>((resolve) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: strict.boundPort!,
        ca,
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
      });
      s.once('error', () => resolve());
      s.once('close', () => resolve());
    });
    await onlyTls12;
    await waitFor(
      () => manager.handshakeFailures('strict').some((f) => f.reason === 'protocol-version'),
      'version failure',
    );
    // No servername: Node omits SNI for IP addresses.
    const noSni = await connectMqtt(
      `mqtts://127.0.0.1:${strict.boundPort}`,
      { ca, rejectUnauthorized: false },
      3000,
    ).then(
      () => 'connected',
      () => 'refused',
    );
    assert.equal(noSni, 'refused');
    await waitFor(
      () => manager.handshakeFailures('strict').some((f) => f.reason === 'missing-sni'),
      'SNI failure',
    );
    const failure = manager.handshakeFailures('strict').find((f) => f.reason === 'missing-sni')!;
    assert.equal(failure.remoteAddress, '127.0.0.1');
    assert.match(failure.message, /server name/);
    const ok = await connectMqtt(`mqtts://localhost:${strict.boundPort}`, { ca });
    await endMqtt(ok);
    await manager.remove('strict');
  });

  test('a client that does not trust our CA is recorded as having rejected the server certificate', async () => {
    const pub = await run('mosquitto_pub', [
      '-h',
      'localhost',
      '-p',
      String(port),
      '--cafile',
      pki.otherCa,
      '-t',
      'x',
      '-m',
      'y',
    ]);
    assert.notEqual(pub.code, 0);
    await waitFor(
      () => manager.handshakeFailures('tls').some((f) => f.reason === 'client-rejected-server-certificate'),
      'client rejection to be recorded',
    );
    const failure = manager
      .handshakeFailures('tls')
      .find((f) => f.reason === 'client-rejected-server-certificate')!;
    assert.equal(failure.remoteAddress, '127.0.0.1');
    assert.match(failure.message, /does not trust the CA/);
  });

  test('unusable PEM or unreadable files put the listener in error while others keep serving', async () => {
    material.set('bad-pem', { certificates: [{ cert: 'not a pem', key: 'nor this' }] });
    const bad = await manager.create({ id: 'bad-pem', kind: 'mqtts', port: 0 });
    assert.equal(bad.state, 'error');
    assert.match(bad.error ?? '', /not usable/);
    const missing = await manager.create({
      id: 'missing-files',
      kind: 'mqtts',
      port: 0,
      options: { tlsFiles: { certFile: path.join(pki.dir, 'nope.pem'), keyFile: pki.server.key } },
    });
    assert.equal(missing.state, 'error');
    assert.match(missing.error ?? '', /cannot read certificate file .*nope\.pem: it does not exist/);
    const noMaterial = await manager.create({ id: 'no-material', kind: 'wss', port: 0 });
    assert.equal(noMaterial.state, 'error');
    assert.match(noMaterial.error ?? '', /no TLS certificate is configured/);
    const fromFiles = await manager.create({
      id: 'from-files',
      kind: 'mqtts',
      port: 0,
      options: { tlsFiles: { certFile: pki.server.cert, keyFile: pki.server.key } },
    });
    assert.equal(fromFiles.state, 'running', fromFiles.error);
    const client = await connectMqtt(`mqtts://localhost:${fromFiles.boundPort}`, { ca: pki.read(pki.ca) });
    await endMqtt(client);
    assert.equal(manager.get('tls').state, 'running');
    for (const id of ['bad-pem', 'missing-files', 'no-material', 'from-files']) await manager.remove(id);
  });

  test('a client with no cipher suite in common is refused and recorded', async () => {
    // The listener's certificate is ECDSA; an RSA-only TLS 1.2 suite cannot be negotiated.
    await new Promise<void>((resolve) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port,
        ca: pki.read(pki.ca),
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
        ciphers: 'AES128-GCM-SHA256',
      });
      s.once('error', () => resolve());
      s.once('close', () => resolve());
    });
    await waitFor(
      () => manager.handshakeFailures('tls').some((f) => f.reason === 'no-shared-cipher'),
      'cipher failure',
    );
  });

  test('stopping a TLS listener does not wait for a handshake that never finishes', async () => {
    material.set('stalled', {
      certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
    });
    const stalled = await manager.create({ id: 'stalled', kind: 'mqtts', port: 0 });
    const silent = net.connect(stalled.boundPort!, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise<void>((r) => silent.once('connect', () => r()));
    const closed = new Promise<void>((r) => silent.once('close', () => r()));
    const stopping = manager.stop('stalled');
    const winner = await Promise.race([stopping.then(() => 'stopped'), deadline(5000).then(() => 'hung')]);
    assert.equal(winner, 'stopped');
    await closed;
    await manager.remove('stalled');
  });

  test('a client that never finishes the handshake is dropped after the handshake timeout and recorded', async () => {
    material.set('slow', {
      certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
    });
    const slow = await manager.create({
      id: 'slow',
      kind: 'mqtts',
      port: 0,
      options: { handshakeTimeoutMs: 500 },
    });
    const silent = net.connect(slow.boundPort!, '127.0.0.1');
    silent.on('error', () => {});
    const closed = new Promise<void>((r) => silent.once('close', () => r()));
    const winner = await Promise.race([
      closed.then(() => 'closed'),
      deadline(10_000).then(() => 'still open'),
    ]);
    assert.equal(winner, 'closed');
    const failure = manager.handshakeFailures('slow').at(-1);
    assert.equal(failure?.detail, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    assert.equal(failure?.remoteAddress, '127.0.0.1');
    await manager.remove('slow');
  });
});

/** Resolves after `ms`: the losing side of a race that bounds a wait (unref'd, so it never holds the process). */
function deadline(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
