import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { rootAndLocalService, startTestCore, type TestCore } from '../helpers/test-core';
import { createCa, issueCert, type OpensslCa, readPem } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const PASSWORD = 'correct horse battery';

/** A device whose certificate comes from a tenant's own CA logs into that tenant's account over mutual TLS. */
describe('a tenant-CA-issued device through the embedded broker', () => {
  let tc: TestCore;
  let dir: string;
  let ports: { mqtt: number; mutual: number };
  let serverCa: string;
  let tenantCa: OpensslCa;
  const accounts: Record<'acme' | 'globex', string> = { acme: '', globex: '' };
  const clients: MqttClient[] = [];
  const call: TestCore['call'] = (method, request) => tc.call(method, request);

  /** A password client of an account on the plain listener, subscribed to everything it may see. */
  const watcher = async (username: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      clientId: `${username}-watch`,
      username,
      password: PASSWORD,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    clients.push(client);
    const seen: Array<[string, string]> = [];
    client.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
    await client.subscribeAsync('#', { qos: 1 });
    return { client, seen };
  };

  /** mqtt.js on the mutual-TLS listener with a certificate (and key) from the tenant CA's files. */
  const connectDevice = (clientId: string, files: { cert: string; key: string }) =>
    mqtt.connectAsync(`mqtts://localhost:${ports.mutual}`, {
      ca: serverCa,
      cert: readPem(files.cert),
      key: readPem(files.key),
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });

  before(async () => {
    dir = tempDir();
    tc = await startTestCore({
      dataDir: path.join(dir, 'data'),
      listeners: { mqttPort: 0, mqttsMutualPort: 0 },
    });
    ports = { mqtt: tc.port('mqtt'), mutual: tc.port('mqtts-mutual') };
    serverCa = (await call('pki.listAuthorities', {})).authorities.find(
      (a) => a.role === 'root',
    )!.certificatePem;
    const { rootId, localServiceId } = await rootAndLocalService(call);
    for (const name of ['acme', 'globex'] as const) {
      accounts[name] = (
        await call('accounts.create', { parentId: rootId, name, serviceId: localServiceId })
      ).id;
      await call('credentials.create', {
        accountId: accounts[name],
        username: `${name}-ops`,
        password: PASSWORD,
      });
    }

    // The tenant brings its own CA and proves it holds the key.
    tenantCa = createCa(path.join(dir, 'tenant'), 'acme-ca', { subject: '/O=Acme/CN=Acme Device CA' });
    const registration = await call('pki.startTenantCaRegistration', {
      accountId: accounts.acme,
      caPem: readPem(tenantCa.cert),
    });
    const proof = issueCert(tenantCa, 'proof', { subject: `/CN=${registration.registrationCode}`, days: 1 });
    const accepted = await call('pki.completeTenantCaRegistration', {
      id: registration.id,
      verificationCertPem: readPem(proof.cert),
    });
    assert.equal(accepted.status, 'accepted');
  });

  after(async () => {
    for (const client of clients) client.end(true);
    await tc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the device lands in its account's namespace: same-account clients and operators see it, another account does not", async () => {
    const sensor = issueCert(tenantCa, 'sensor-1', { subject: '/CN=sensor-1' });
    const acme = await watcher('acme-ops');
    const globex = await watcher('globex-ops');
    const { viewId } = await call('explorer.view.open', { connectionId: 'local' });

    // The trust change reaches the mutual-TLS listener asynchronously; retry until the handshake passes.
    const device = await waitFor(
      () => connectDevice('sensor-1', sensor),
      'the mutual-TLS listener to trust the tenant CA',
      30_000,
    );
    clients.push(device);

    const connections = await call('connections.list', { accountId: accounts.acme });
    const record = connections.connections.find((c) => c.clientId === 'sensor-1');
    assert.equal(record?.status, 'connected');
    assert.equal(record?.listenerKind, 'mqtts-mutual');
    assert.equal(
      (await call('connections.list', { accountId: accounts.globex })).connections.some(
        (c) => c.clientId === 'sensor-1',
      ),
      false,
    );

    await device.publishAsync('plant/line-1/temp', '21.5', { qos: 1 });
    await waitFor(() => acme.seen.length > 0, 'the same-account subscriber to receive the message', 20_000);
    assert.deepEqual(acme.seen, [['plant/line-1/temp', '21.5']]);

    // Routing to every subscriber happened before acme got it; a later message of globex's own
    // arriving alone proves the device's message was never queued for globex.
    await globex.client.publishAsync('globex/marker', 'after', { qos: 1 });
    await waitFor(() => globex.seen.length > 0, "globex's own marker", 20_000);
    assert.deepEqual(globex.seen, [['globex/marker', 'after']]);

    const history = await waitFor(async () => {
      const h = await call('explorer.history', { connectionId: 'local', topic: '$a/acme/plant/line-1/temp' });
      return h.messages.length > 0 ? h : undefined;
    }, 'the message in the operator explorer');
    assert.equal(history.messages[0]?.account, 'acme');
    assert.equal(history.messages[0]?.displayTopic, 'plant/line-1/temp');
    assert.equal(history.messages[0]?.clientId, 'sensor-1');
    await call('explorer.view.close', { viewId });
  });

  test('the device receives what its account publishes to it, not what another account publishes', async () => {
    const sensor = issueCert(tenantCa, 'sensor-2', { subject: '/CN=sensor-2' });
    const device = await connectDevice('sensor-2', sensor);
    clients.push(device);
    const seen: Array<[string, string]> = [];
    device.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
    await device.subscribeAsync('cmd/#', { qos: 1 });
    const globex = clients.find((c) => c.options.clientId === 'globex-ops-watch')!;
    const acme = clients.find((c) => c.options.clientId === 'acme-ops-watch')!;
    await globex.publishAsync('cmd/sensor-2', 'from globex', { qos: 1 });
    await acme.publishAsync('cmd/sensor-2', 'from acme', { qos: 1 });
    await waitFor(() => seen.length > 0, 'the command from its own account', 20_000);
    assert.deepEqual(seen, [['cmd/sensor-2', 'from acme']]);
  });

  test('a certificate from the tenant CA with a client id other than its common name is refused', async () => {
    const sensor = issueCert(tenantCa, 'sensor-3', { subject: '/CN=sensor-3' });
    await assert.rejects(connectDevice('impostor', sensor), (err: Error & { code?: number }) => {
      assert.equal(err.code, 0x85, err.message);
      return true;
    });
    const { failures } = await call('listeners.handshakeFailures', {});
    const refused = failures.find((f) => f.reason === 'client-id-mismatch' && f.message.includes('impostor'));
    assert.ok(refused, `the refusal is in the TLS failure log: ${JSON.stringify(failures)}`);
    assert.match(refused.message, /"sensor-3"/);
  });
});
