import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import type { MethodName, RequestOf } from '../../preload/contract';
import { startHeadlessServer } from '../../main/api';
import { type Core, createCore } from '../../main/core';
import { callCore } from '../helpers/core-call';
import { listenerPort } from '../helpers/mosquitto-clients';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';

/**
 * The whole core as `fieldbench serve` builds it: tenancy decides who may connect, the PKI's server
 * certificate secures the TLS listeners, and real clients talk to it over real sockets.
 */
describe('the wired platform', () => {
  let core: Core;
  let dataDir: string;
  let ports: Record<'mqtt' | 'mqtts' | 'mutual' | 'ws', number>;
  let accountId: string;

  const call = <M extends MethodName>(method: M, request: RequestOf<M>) => callCore(core, method, request);

  before(async () => {
    dataDir = tempDir();
    core = await createCore({
      dataDir,
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', mqttPort: 0, mqttsPort: 0, mqttsMutualPort: 0, wsPort: 0 },
    });
    const details = core.readyDetails();
    ports = {
      mqtt: listenerPort(details, 'mqtt'),
      mqtts: listenerPort(details, 'mqtts'),
      mutual: listenerPort(details, 'mqtts-mutual'),
      ws: listenerPort(details, 'ws'),
    };
    const services = await call('services.list', {});
    const local = services.services.find((s) => s.kind === 'embedded');
    assert.ok(local, 'the embedded messaging service exists on first start');
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null);
    assert.equal(root?.name, 'sys');
    const account = await call('accounts.create', { parentId: root!.id, name: 'acme', serviceId: local.id });
    accountId = account.id;
    await call('accessRules.set', {
      accountId,
      credentialId: null,
      rules: [{ filter: '#', action: 'both' }],
    });
    await call('credentials.create', { accountId, username: 'gw-1', password: 'correct horse battery' });
  });

  after(async () => {
    await core.close();
  });

  /** mosquitto_pub to the plain MQTT listener; `args` add the login, client id, topic and message. */
  const pubOverTcp = (...args: string[]) =>
    run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(ports.mqtt), ...args]);

  test('anonymous devices are refused by default', async () => {
    const result = await pubOverTcp('-t', 't', '-m', 'x');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /not authori[sz]ed|Connection Refused/i);
  });

  test('a device with account credentials publishes over TCP and a subscriber of the same account receives it', async () => {
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      clientId: 'acme-sub',
      username: 'gw-1',
      password: 'correct horse battery',
      protocolVersion: 5,
    });
    try {
      await sub.subscribeAsync('plant/#', { qos: 1 });
      const received = new Promise<[string, string]>((resolve) =>
        sub.once('message', (t, p) => resolve([t, p.toString()])),
      );
      const pub = await pubOverTcp(
        ...['-u', 'gw-1', '-P', 'correct horse battery', '-i', 'acme-pub', '-q', '1'],
        ...['-t', 'plant/line-1/temp', '-m', '21.5'],
      );
      assert.equal(pub.code, 0, pub.stderr);
      assert.deepEqual(await received, ['plant/line-1/temp', '21.5']);
    } finally {
      await sub.endAsync();
    }
  });

  test('a wrong password is refused with a clear reason', async () => {
    const result = await pubOverTcp(
      ...['-u', 'gw-1', '-P', 'wrong', '-V', 'mqttv5'],
      ...['-t', 't', '-m', 'x'],
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Bad User Name or Password|not authori[sz]ed/i);
  });

  test('the TLS listener presents a certificate from Fieldbench CA that mosquitto_pub verifies', async () => {
    const caFile = path.join(dataDir, 'ca.pem');
    const root = core.store.db
      .prepare("SELECT cert_pem FROM pki_authorities WHERE role = 'root'")
      .pluck()
      .get() as string | undefined;
    assert.ok(root, 'the local root CA exists');
    fs.writeFileSync(caFile, root);
    const ok = await run('mosquitto_pub', [
      '-h',
      'localhost',
      '-p',
      String(ports.mqtts),
      '--cafile',
      caFile,
      '-u',
      'gw-1',
      '-P',
      'correct horse battery',
      '-i',
      'acme-tls',
      '-t',
      'tls/check',
      '-m',
      'hello',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('adding a TLS endpoint puts its name in the server certificate without dropping TLS clients', async () => {
    const ca = core.store.db
      .prepare("SELECT cert_pem FROM pki_authorities WHERE role = 'root'")
      .pluck()
      .get() as string;
    const connected = await mqtt.connectAsync(`mqtts://localhost:${ports.mqtts}`, {
      ca,
      clientId: 'acme-tls-stays',
      username: 'gw-1',
      password: 'correct horse battery',
      reconnectPeriod: 0,
    });
    let closed = false;
    connected.on('close', () => (closed = true));
    const handshake = (servername: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: ports.mqtts, servername, ca }, () => {
          const san = socket.getPeerCertificate().subjectaltname ?? '';
          socket.end();
          resolve(san);
        });
        socket.on('error', reject);
      });
    await assert.rejects(handshake('broker.lab.test'), /altnames|Hostname\/IP does not match/);
    await call('endpoints.create', {
      accountId,
      scheme: 'mqtts',
      domain: 'broker.lab.test',
      port: ports.mqtts,
      secure: true,
    });
    const san = await handshake('broker.lab.test');
    assert.match(san, /DNS:broker\.lab\.test/);
    assert.match(san, /IP Address:127\.0\.0\.1/);
    assert.equal(closed, false, 'the connected TLS client was not dropped');
    await connected.publishAsync('tls/still', 'here');
    await connected.endAsync();
  });

  test('a device certificate issued for the account logs in over mutual TLS, and revoking it drops the device', async () => {
    const issued = await call('pki.issueDevice', { name: 'meter-7', accountId });
    const pem = await call('pki.exportPem', { serial: issued.serial, includePrivateKey: true });
    const files = {
      ca: path.join(dataDir, 'mtls-ca.pem'),
      cert: path.join(dataDir, 'meter-7.pem'),
      key: path.join(dataDir, 'meter-7.key'),
    };
    fs.writeFileSync(files.ca, pem.chainPem);
    fs.writeFileSync(files.cert, pem.certificatePem);
    fs.writeFileSync(files.key, pem.privateKeyPem!, { mode: 0o600 });
    const tlsArgs = [
      '-h',
      'localhost',
      '-p',
      String(ports.mutual),
      '--cafile',
      files.ca,
      '--cert',
      files.cert,
      '--key',
      files.key,
    ];

    const published = await run('mosquitto_pub', [
      ...tlsArgs,
      '-i',
      issued.commonName,
      '-q',
      '1',
      '-t',
      'meters/7',
      '-m',
      '42',
    ]);
    assert.equal(published.code, 0, published.stderr);
    const wrongId = await run('mosquitto_pub', [
      ...tlsArgs,
      '-V',
      'mqttv5',
      '-i',
      'someone-else',
      '-t',
      'x',
      '-m',
      'y',
    ]);
    assert.notEqual(wrongId.code, 0, 'a client id other than the certificate CN is refused');
    const failures = await call('listeners.handshakeFailures', {});
    const mismatch = failures.failures.find((f) => f.reason === 'client-id-mismatch');
    assert.ok(mismatch, 'the refusal is in the TLS failure log');
    assert.match(mismatch.message, /"someone-else".*"meter-7"/);

    const device = await mqtt.connectAsync(`mqtts://localhost:${ports.mutual}`, {
      ca: pem.chainPem,
      cert: pem.certificatePem,
      key: pem.privateKeyPem!,
      clientId: issued.commonName,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const dropped = new Promise<number | undefined>((resolve) =>
      device.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    await call('pki.revoke', { serial: issued.serial, reason: 'keyCompromise' });
    assert.equal(await dropped, 0x98, 'the connected device is dropped at once (administrative action)');
    const afterRevoke = await run('mosquitto_pub', [
      ...tlsArgs,
      '-i',
      issued.commonName,
      '-t',
      'meters/7',
      '-m',
      '43',
    ]);
    assert.notEqual(afterRevoke.code, 0, 'the revoked certificate no longer gets in');
    device.end(true);
  });

  test('MQTT over WebSocket on /mqtt works with mqtt.js', async () => {
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${ports.ws}/mqtt`, {
      clientId: 'acme-ws',
      username: 'gw-1',
      password: 'correct horse battery',
    });
    try {
      await client.subscribeAsync('ws/echo');
      const got = new Promise<string>((resolve) => client.once('message', (_t, p) => resolve(p.toString())));
      await client.publishAsync('ws/echo', 'over websocket');
      assert.equal(await got, 'over websocket');
    } finally {
      await client.endAsync();
    }
  });

  test('the CRL is served for download by the headless server', async () => {
    const server = await startHeadlessServer({
      host: '127.0.0.1',
      port: 0,
      rendererDir: dataDir,
      token: 'unused-token-unused-token-unused-token',
      dispatch: core.dispatch,
      events: core.events,
      logger: core.logger,
      routes: core.routes,
    });
    try {
      const response = await fetch(`${server.url}pki/crl.pem`);
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /^-----BEGIN X509 CRL-----/);
    } finally {
      await server.close();
    }
  });
});
