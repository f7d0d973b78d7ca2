import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore } from '../helpers/test-core';

/** The certificate a TLS listener serves for `servername`, read even when the name does not match it. */
function servedCertificate(port: number, ca: string, servername: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername, ca, checkServerIdentity: () => undefined },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolve(cert);
      },
    );
    socket.once('error', reject);
  });
}

/** Whether a client that checks the name it dialled accepts the served certificate. */
function verifiesAs(port: number, ca: string, servername: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The embedded broker's certificate carries the names of endpoints devices dial to reach it, and no others. */
describe('server certificate names of the embedded broker', () => {
  let tc: TestCore;
  let port: number;
  let ca: string;
  const call: TestCore['call'] = (method, request) => tc.call(method, request);

  before(async () => {
    tc = await startTestCore({ listeners: { mqttsPort: 0 } });
    port = tc.port('mqtts');
    const { authorities } = await call('pki.listAuthorities', {});
    ca = authorities.find((a) => a.role === 'root')!.certificatePem;
  });
  after(async () => {
    await tc.close();
  });

  test('an endpoint of an account on an external service stays out; one on the local service goes in', async () => {
    const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const services = (await call('services.list', {})).services;
    const local = services.find((s) => s.kind === 'embedded')!;
    const external = await call('services.createExternal', {
      name: 'production-cluster',
      endpoints: [{ scheme: 'mqtts', host: 'cluster.cloud.example.net', port: 8883 }],
    });
    const cloudy = await call('accounts.create', {
      parentId: root.id,
      name: 'cloudy',
      serviceId: external.id,
    });
    const onprem = await call('accounts.create', { parentId: root.id, name: 'onprem', serviceId: local.id });
    const before = (await servedCertificate(port, ca, 'localhost')).serialNumber;

    await call('endpoints.create', {
      accountId: cloudy.id,
      scheme: 'mqtts',
      domain: 'devices.cloud.example.net',
      port: 8883,
    });
    const afterExternal = await servedCertificate(port, ca, 'localhost');
    assert.equal(afterExternal.serialNumber, before, 'an external endpoint does not reissue the certificate');
    assert.doesNotMatch(afterExternal.subjectaltname ?? '', /cloud\.example\.net/);

    await call('endpoints.create', {
      accountId: onprem.id,
      scheme: 'mqtts',
      domain: 'broker.lab.test',
      port,
    });
    const served = await servedCertificate(port, ca, 'broker.lab.test');
    assert.notEqual(served.serialNumber, before, 'a local endpoint reissues the certificate');
    const sans = served.subjectaltname ?? '';
    assert.match(sans, /DNS:broker\.lab\.test/);
    assert.match(sans, /DNS:localhost/);
    assert.match(sans, /IP Address:127\.0\.0\.1/);
    assert.doesNotMatch(sans, /cloud\.example\.net/);
    assert.equal(await verifiesAs(port, ca, 'broker.lab.test'), true);
    assert.equal(await verifiesAs(port, ca, 'devices.cloud.example.net'), false);

    // Moving the external account onto the embedded service brings its endpoint's name in at once.
    await call('accounts.assignService', { accountId: cloudy.id, serviceId: local.id });
    const moved = await servedCertificate(port, ca, 'devices.cloud.example.net');
    assert.match(moved.subjectaltname ?? '', /DNS:devices\.cloud\.example\.net/);
    assert.equal(await verifiesAs(port, ca, 'devices.cloud.example.net'), true);
    // …and moving it back takes the name out again.
    await call('accounts.assignService', { accountId: cloudy.id, serviceId: external.id });
    assert.equal(await verifiesAs(port, ca, 'devices.cloud.example.net'), false);
  });
});
