import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callCore } from '../helpers/core-call';
import {
  createAccount,
  createKey,
  eventually,
  mqttWithKey,
  openSocket,
  type ResourceFixture,
  restClient,
  startResourceCore,
  subackCodes,
} from './fixture';

describe('resource permissions by key type, per account', () => {
  let fx: ResourceFixture;
  let operatorKey: string;
  let deviceKey: string;
  let otherAccountKey: string;
  let own: string;
  let other: string;
  let admin: ReturnType<typeof restClient>;

  const logged = (msg: string, topic: string) =>
    fx.core.logs
      .recent('info', 2000)
      .find((e) => e.msg === msg && String(e.fields?.['topic']).includes(topic));

  before(async () => {
    fx = await startResourceCore();
    const acme = await createAccount(fx.core, 'acme');
    const globex = await createAccount(fx.core, 'globex');
    operatorKey = (await createKey(fx.core, acme, 'operator')).key;
    otherAccountKey = (await createKey(fx.core, globex, 'operator')).key;
    admin = restClient(fx.ports.rest, operatorKey);
    own = ((await admin('POST', '/thngs', { name: 'own' })).body as { id: string }).id;
    other = ((await admin('POST', '/thngs', { name: 'other' })).body as { id: string }).id;
    await admin('PUT', `/thngs/${other}/properties/temp`, [{ value: 1 }]);
    const device = await createKey(fx.core, acme, 'device');
    deviceKey = device.key;
    const bound = await callCore(fx.core, 'resources.bindKey', {
      apiKeyId: device.id,
      thngId: own,
      projectId: null,
    });
    assert.equal(bound.scope, `only Thng ${own}`);
  });

  after(async () => {
    await fx.close();
  });

  it("REST: 401 without or with an unknown key, 403 outside a device key's Thng, 404 for unknown or foreign ids", async () => {
    assert.equal((await restClient(fx.ports.rest, undefined)('GET', `/thngs/${own}`)).status, 401);
    assert.equal(
      (await restClient(fx.ports.rest, `fbk_${'0'.repeat(32)}_${'a'.repeat(43)}`)('GET', `/thngs/${own}`))
        .status,
      401,
    );
    const device = restClient(fx.ports.rest, deviceKey);
    assert.equal((await device('PUT', `/thngs/${own}/properties/temp`, [{ value: 3 }])).status, 200);
    const refused = await device('PUT', `/thngs/${other}/properties/temp`, [{ value: 99 }]);
    assert.equal(refused.status, 403);
    assert.match((refused.body as { errors: string[] }).errors[0]!, /own Thng/);
    assert.equal((await device('GET', '/thngs')).status, 403);
    assert.equal((await admin('GET', `/thngs/${'f'.repeat(24)}`)).status, 404);
    assert.equal((await restClient(fx.ports.rest, otherAccountKey)('GET', `/thngs/${own}`)).status, 404);
    const latest = await admin('GET', `/thngs/${other}/properties`);
    assert.deepEqual(
      (latest.body as { value: number }[]).map((p) => p.value),
      [1],
      'nothing was written',
    );
  });

  it('REST: bad JSON is 400, an oversized body 413, an invalid update 400, a wrong method 405', async () => {
    const bad = await admin('PUT', `/thngs/${own}/properties/temp`, undefined, '[{"value": ');
    assert.equal(bad.status, 400);
    assert.match((bad.body as { errors: string[] }).errors[0]!, /JSON/);
    const huge = await admin('PUT', `/thngs/${own}/properties/temp`, [{ value: 'x'.repeat(70 * 1024) }]);
    assert.equal(huge.status, 413);
    const bigValue = await admin('PUT', `/thngs/${own}/properties/temp`, [{ value: 'x'.repeat(20 * 1024) }]);
    assert.equal(bigValue.status, 413, 'one value is bounded too');
    assert.equal((await admin('PUT', `/thngs/${own}/properties`, [{ value: 1 }])).status, 400, 'key missing');
    assert.equal(
      (await admin('PUT', `/thngs/${own}/location`, [{ position: { type: 'Point', coordinates: [500, 1] } }]))
        .status,
      400,
    );
    assert.equal((await admin('PUT', '/thngs', { name: 'x' })).status, 405);
  });

  it('native WebSocket: handshake 403 for a bad key or an unreadable resource, 404 for a foreign one', async () => {
    await assert.rejects(
      openSocket(fx.ports.ws, `/thngs/${own}/properties/temp`, 'not-a-key'),
      /handshake 403/,
    );
    await assert.rejects(openSocket(fx.ports.ws, `/thngs/${own}/properties/temp`), /handshake 403/);
    await assert.rejects(
      openSocket(fx.ports.ws, `/thngs/${other}/properties/temp`, deviceKey),
      /handshake 403/,
    );
    await assert.rejects(openSocket(fx.ports.ws, `/thngs/${own}`, otherAccountKey, true), /handshake 404/);
    const ok = await openSocket(fx.ports.ws, `/thngs/${own}/properties/temp`, deviceKey, true);
    ok.ws.close();
  });

  it('native WebSocket: bad JSON and refused writes answer with an error frame; oversized frames close the socket', async () => {
    const socket = await openSocket(fx.ports.ws, `/thngs/${own}/properties/temp`, operatorKey);
    socket.ws.send('{oops');
    await eventually('the 400 error frame', () =>
      socket.received.find((m) => (m as { status?: number }).status === 400),
    );
    const app = await createKey(
      fx.core,
      (await callCore(fx.core, 'accounts.list', {})).accounts.find((a) => a.name === 'acme')!.id,
      'application',
    );
    const readOnly = await openSocket(fx.ports.ws, `/thngs/${own}/properties/temp`, app.key);
    readOnly.ws.send(JSON.stringify([{ value: 1000 }]));
    await eventually('the 403 error frame', () =>
      readOnly.received.find((m) => (m as { status?: number }).status === 403),
    );
    const closed = new Promise<number>((resolve) => readOnly.ws.once('close', (code) => resolve(code)));
    readOnly.ws.send('x'.repeat(65 * 1024));
    assert.equal(await closed, 1009, 'message too big');
    socket.ws.send(JSON.stringify([{ value: 8 }]));
    await eventually('the other socket still works', () =>
      socket.received.some((m) => Array.isArray(m) && (m as { value: number }[])[0]?.value === 8),
    );
    socket.ws.close();
  });

  it('MQTT: unauthorized subscriptions get a SUBACK failure, unauthorized publishes are dropped with 0x87 and logged', async () => {
    const device = await mqttWithKey(fx.ports.mqtt, deviceKey);
    const granted = await subackCodes(device.client, [
      `thngs/${own}/properties`,
      `thngs/${other}/properties`,
      'actions/all',
    ]);
    assert.deepEqual(granted, [0, 0x87, 0x87]);
    await assert.rejects(
      device.client.publishAsync(`thngs/${other}/properties/temp`, JSON.stringify([{ value: 42 }]), {
        qos: 1,
      }),
      (err: Error & { code?: number }) => err.code === 0x87,
    );
    await eventually('the refusal in the log', () => logged('resource publish refused', other));
    const foreign = await mqttWithKey(fx.ports.mqtt, otherAccountKey);
    const foreignGrant = await subackCodes(foreign.client, [`thngs/${own}/properties`]);
    assert.deepEqual(foreignGrant, [0x87], 'another account cannot even subscribe');
    const value = (await admin('GET', `/thngs/${other}/properties`)).body as { value: number }[];
    assert.equal(value[0]?.value, 1);
    await Promise.all([device.client.endAsync(), foreign.client.endAsync()]);
  });

  it('MQTT: bad JSON on a resource topic is dropped and logged; the client stays connected', async () => {
    const client = await mqttWithKey(fx.ports.mqtt, operatorKey);
    await client.client.publishAsync(`/thngs/${own}/properties/temp`, '{not json', { qos: 1 });
    await eventually('the dropped publish in the log', () => logged('resource publish dropped', own));
    await client.client.publishAsync(`/thngs/${own}/properties/temp`, JSON.stringify([{ value: 7 }]), {
      qos: 1,
    });
    const latest = await admin('GET', `/thngs/${own}/properties/temp?perPage=1`);
    assert.equal((latest.body as { value: number }[])[0]?.value, 7);
    await client.client.endAsync();
  });

  it('MQTT: API-key clients get the keep alive cap (120 s) announced in CONNACK', async () => {
    const client = await mqttWithKey(fx.ports.mqtt, operatorKey, { keepalive: 600 });
    assert.equal(client.connack.properties?.serverKeepAlive, 120);
    const short = await mqttWithKey(fx.ports.mqtt, operatorKey, { keepalive: 30 });
    assert.equal(short.connack.properties?.serverKeepAlive, undefined, 'a shorter keep alive is kept');
    await short.client.endAsync();
    await client.client.endAsync();
  });

  it('MQTT: the keep alive cap comes from the config file', async () => {
    const capped = await startResourceCore({ resources: { maxKeepAliveSeconds: 45 } });
    try {
      const account = await createAccount(capped.core, 'acme');
      const key = (await createKey(capped.core, account, 'operator')).key;
      const client = await mqttWithKey(capped.ports.mqtt, key, { keepalive: 60 });
      assert.equal(client.connack.properties?.serverKeepAlive, 45);
      await client.client.endAsync();
    } finally {
      await capped.close();
    }
  });
});
