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
} from './fixture';

type PropertyNote = { key: string; value: unknown; timestamp: number };
const hasValue = (list: unknown[], value: unknown) =>
  list.some(
    (n) => Array.isArray(n) && (n as PropertyNote[]).some((p) => p.key === 'temp' && p.value === value),
  );

describe('resources across MQTT, native WebSocket and REST', () => {
  let fx: ResourceFixture;
  let key: string;
  let thngId: string;
  let rest: ReturnType<typeof restClient>;

  before(async () => {
    fx = await startResourceCore();
    const accountId = await createAccount(fx.core, 'acme');
    key = (await createKey(fx.core, accountId, 'operator')).key;
    rest = restClient(fx.ports.rest, key);
    const created = await rest('POST', '/thngs', { name: 'Fridge 1', tags: ['kitchen'] });
    assert.equal(created.status, 201);
    thngId = (created.body as { id: string }).id;
    assert.match(thngId, /^[0-9a-f]{24}$/, 'the server assigns the id');
  });

  after(async () => {
    await fx.close();
  });

  it('an update published by each protocol reaches subscribers on all three and is readable by REST at once', async () => {
    const subscriber = await mqttWithKey(fx.ports.mqtt, key);
    const publisher = await mqttWithKey(fx.ports.mqtt, key);
    // Leading slash and URL-encoded segments name the same resource.
    await subscriber.client.subscribeAsync(`/thngs/${thngId}/properties/te%6dp`, { qos: 1 });
    const socket = await openSocket(fx.ports.ws, `/thngs/${thngId}/properties/temp`, key);
    const allSocket = await openSocket(fx.ports.ws, `/thngs/${thngId}/properties`, key, true);
    const publishers = {
      mqtt: async (value: number) => {
        await publisher.client.publishAsync(`thngs/${thngId}/properties/temp`, JSON.stringify([{ value }]), {
          qos: 1,
        });
      },
      ws: async (value: number) => {
        socket.ws.send(JSON.stringify([{ value }]));
      },
      rest: async (value: number) => {
        const res = await rest('PUT', `/thngs/${thngId}/properties/temp`, [{ value }]);
        assert.equal(res.status, 200);
      },
    };
    let value = 10;
    for (const [by, publish] of Object.entries(publishers)) {
      value++;
      await publish(value);
      await eventually(`MQTT to receive ${value} published by ${by}`, () =>
        hasValue(
          subscriber.received.map((r) => r.payload),
          value,
        ),
      );
      await eventually(`WebSocket to receive ${value} published by ${by}`, () =>
        hasValue(socket.received, value),
      );
      await eventually(`the all-properties WebSocket to receive ${value}`, () =>
        hasValue(allSocket.received, value),
      );
      const latest = await rest('GET', `/thngs/${thngId}/properties/temp?perPage=1`);
      assert.equal(latest.status, 200);
      assert.equal((latest.body as PropertyNote[])[0]?.value, value, `REST reads the value ${by} wrote`);
    }
    const received = subscriber.received.filter(
      (r) => hasValue([r.payload], 11) || hasValue([r.payload], 12),
    );
    assert.ok(received.every((r) => r.retain === false));
    assert.equal(subscriber.received.length, 3, 'one MQTT notification per update, no more');
    socket.ws.close();
    allSocket.ws.close();
    await Promise.all([subscriber.client.endAsync(), publisher.client.endAsync()]);
  });

  it('MQTT over WebSocket at /mqtt behaves like MQTT over TCP', async () => {
    const overWs = await mqttWithKey(fx.ports.ws, key, { protocol: 'ws', path: '/mqtt' });
    await overWs.client.subscribeAsync(`thngs/${thngId}/properties/hum`, { qos: 1 });
    await rest('PUT', `/thngs/${thngId}/properties/hum`, [{ value: 40 }]);
    await eventually('the notification over MQTT/WebSocket', () => overWs.received.length === 1);
    await overWs.client.publishAsync(`thngs/${thngId}/properties/hum`, JSON.stringify([{ value: 41 }]), {
      qos: 1,
    });
    const latest = await rest('GET', `/thngs/${thngId}/properties/hum?perPage=1`);
    assert.equal((latest.body as PropertyNote[])[0]?.value, 41);
    await overWs.client.endAsync();
  });

  it('actions and locations cross protocols and carry server timestamps', async () => {
    const mqttSub = await mqttWithKey(fx.ports.mqtt, key);
    await mqttSub.client.subscribeAsync([`thngs/${thngId}/actions/all`, `/thngs/${thngId}/location`], {
      qos: 0,
    });
    const actionsSocket = await openSocket(fx.ports.ws, '/actions/scans', key);
    const before = Date.now();
    const posted = await rest('POST', `/thngs/${thngId}/actions/scans`, { customFields: { gate: 3 } });
    assert.equal(posted.status, 201);
    const action = posted.body as { id: string; type: string; thng: string; timestamp: number };
    assert.equal(action.type, 'scans');
    assert.equal(action.thng, thngId);
    assert.ok(action.timestamp >= before, 'timestamp filled in by the server');
    await eventually('the action over MQTT', () =>
      mqttSub.received.find((r) => (r.payload as { id?: string }).id === action.id),
    );
    await eventually('the action over WebSocket', () =>
      actionsSocket.received.find((a) => (a as { id?: string }).id === action.id),
    );

    mqttSub.client.publish(
      `/thngs/${thngId}/location`,
      JSON.stringify([
        { position: { type: 'Point', coordinates: [8.54, 47.37] }, timestamp: 1_700_000_000_000 },
      ]),
    );
    await eventually('the location notification', () =>
      mqttSub.received.find((r) => r.topic.endsWith('/location')),
    );
    // A QoS 0 resource publish is consumed without an acknowledgement; the connection keeps working.
    await mqttSub.client.publishAsync(
      `thngs/${thngId}/properties/qos`,
      JSON.stringify([{ value: 'after-qos0' }]),
      { qos: 1 },
    );
    const afterQos0 = await rest('GET', `/thngs/${thngId}/properties/qos`);
    assert.equal((afterQos0.body as { value: string }[])[0]?.value, 'after-qos0');
    const history = await rest('GET', `/thngs/${thngId}/location`);
    assert.deepEqual((history.body as unknown[])[0], {
      position: { type: 'Point', coordinates: [8.54, 47.37] },
      timestamp: 1_700_000_000_000,
    });
    actionsSocket.ws.close();
    await mqttSub.client.endAsync();
  });

  it('collections notify thngsAdded, thngsRemoved and thngsCleared', async () => {
    const collection = (await rest('POST', '/collections', { name: 'Kitchen' })).body as { id: string };
    const sub = await mqttWithKey(fx.ports.mqtt, key);
    await sub.client.subscribeAsync(`collections/${collection.id}/thngs`);
    assert.equal((await rest('PUT', `/collections/${collection.id}/thngs`, [thngId])).status, 200);
    assert.equal((await rest('DELETE', `/collections/${collection.id}/thngs/${thngId}`)).status, 200);
    assert.equal((await rest('DELETE', `/collections/${collection.id}/thngs`)).status, 200);
    await eventually('three membership notifications', () => sub.received.length >= 3);
    assert.deepEqual(
      sub.received.map((r) => [
        (r.payload as { operation: string }).operation,
        (r.payload as { resources: string[] }).resources,
      ]),
      [
        ['thngsAdded', [thngId]],
        ['thngsRemoved', [thngId]],
        ['thngsCleared', []],
      ],
    );
    await sub.client.endAsync();
  });

  it('the operator API shows the account, its subscribers by protocol and its keys', async () => {
    const accountId = (await callCore(fx.core, 'accounts.list', {})).accounts.find(
      (a) => a.name === 'acme',
    )!.id;
    const socket = await openSocket(fx.ports.ws, `/thngs/${thngId}`, key);
    const overview = await callCore(fx.core, 'resources.overview', { accountId });
    assert.equal(overview.thngs[0]?.['id'], thngId);
    assert.ok(overview.subscribers.some((s) => s.protocol === 'ws' && s.channel === `thngs/${thngId}`));
    assert.equal(overview.keys[0]?.scope, 'everything in the account');
    const history = await callCore(fx.core, 'resources.history', { accountId, ownerId: thngId, key: 'temp' });
    assert.deepEqual(
      history.points.map((p) => p.value),
      [13, 12, 11],
    );
    socket.ws.close();
  });
});
