import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from '../helpers/wait-for';
import {
  clientIdOf,
  connected,
  createWithKey,
  type GatewayLab,
  jwtFor,
  nextEvent,
  REGISTRY,
  startLab,
  strayKey,
} from './helpers';

type Received = { topic: string; payload: string; qos: number };

function collect(client: MqttClient): Received[] {
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), qos: packet.qos }),
  );
  return received;
}

/** Publishes at QoS 1 and returns the PUBACK reason code (0 on success). */
async function pubackCode(client: MqttClient, topic: string, payload: string): Promise<number> {
  try {
    const packet = await client.publishAsync(topic, payload, { qos: 1 });
    return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('a gateway with attached devices (mqtt.js, MQTT 5)', () => {
  let lab: GatewayLab;
  const keys: Record<string, string> = {};
  const device = async (deviceId: string) =>
    (await lab.call('gateways.getDevice', { accountId: lab.accountId, registryId: REGISTRY, deviceId }))
      .device;

  before(async () => {
    lab = await startLab();
    keys['gw-1'] = await createWithKey(lab, 'gw-1', 'gateway');
    keys['sensor-1'] = await createWithKey(lab, 'sensor-1', 'device');
    keys['sensor-2'] = await createWithKey(lab, 'sensor-2', 'device');
    keys['gw-token'] = await createWithKey(lab, 'gw-token', 'gateway', { authMethod: 'device-token-only' });
    keys['gw-both'] = await createWithKey(lab, 'gw-both', 'gateway', {
      authMethod: 'association-and-device-token',
    });
    for (const [gatewayId, deviceId] of [
      ['gw-1', 'sensor-1'],
      ['gw-both', 'sensor-1'],
    ] as const) {
      await lab.call('gateways.bind', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        gatewayId,
        deviceId,
      });
    }
    for (const [deviceId, config] of [
      ['gw-1', '{"gateway":1}'],
      ['sensor-1', '{"rate":5}'],
    ] as const) {
      await lab.call('gateways.updateConfig', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        deviceId,
        payload: config,
      });
    }
  });
  after(async () => {
    await lab.core.close();
  });

  test('the seed sample over TLS: connect with a JWT, attach, receive both latest configs, detach, unsubscribe, disconnect', async () => {
    const gateway = await mqtt.connectAsync(`mqtts://localhost:${lab.ports.mqtts}`, {
      ca: lab.ca,
      clientId: clientIdOf('gw-1'),
      username: 'unused',
      password: await jwtFor(keys['gw-1']!),
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const received = collect(gateway);
    assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, ''), 0);
    await waitFor(async () => (await device('sensor-1')).attachedTo.includes('gw-1'), 'sensor-1 attached');
    await gateway.subscribeAsync([`/${REGISTRY}/gw-1/config`, `/${REGISTRY}/sensor-1/config`], { qos: 1 });
    await waitFor(() => received.length >= 2, 'both configs');
    assert.deepEqual(received.map((r) => [r.topic, r.payload]).sort(), [
      [`/${REGISTRY}/gw-1/config`, '{"gateway":1}'],
      [`/${REGISTRY}/sensor-1/config`, '{"rate":5}'],
    ]);
    // The QoS 1 PUBACKs mark version 1 acknowledged for both.
    await waitFor(
      async () => (await device('sensor-1')).configAckedVersion === 1,
      'sensor-1 config acknowledged',
    );
    assert.equal((await device('gw-1')).configAckedVersion, 1);

    await gateway.publishAsync(`/${REGISTRY}/sensor-1/events/power`, '{"watts":42.5}', { qos: 1 });
    await waitFor(
      async () => (await device('sensor-1')).lastEvent?.text === '{"watts":42.5}',
      'the event recorded',
    );

    assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/detach`, ''), 0);
    await waitFor(async () => (await device('sensor-1')).attachedTo.length === 0, 'sensor-1 detached');
    await gateway.unsubscribeAsync([`/${REGISTRY}/gw-1/config`, `/${REGISTRY}/sensor-1/config`]);
    await gateway.endAsync();
    await waitFor(async () => !(await device('gw-1')).connected, 'gw-1 shown disconnected');
  });

  test('a new config version reaches the subscribed gateway and is acknowledged', async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    const received = collect(gateway);
    try {
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, ''), 0);
      await gateway.subscribeAsync(`/devices/sensor-1/config`, { qos: 1 });
      await waitFor(() => received.some((r) => r.payload === '{"rate":5}'), 'the current config');
      const { version } = await lab.call('gateways.updateConfig', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        deviceId: 'sensor-1',
        payload: '{"rate":10}',
      });
      assert.equal(version, 2);
      await waitFor(() => received.some((r) => r.payload === '{"rate":10}'), 'config version 2');
      await waitFor(
        async () => (await device('sensor-1')).configAckedVersion === 2,
        'version 2 acknowledged',
      );
    } finally {
      await gateway.endAsync();
    }
  });

  test('attaching an unbound device under association-only fails: errors topic message and PUBACK 0x87', async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    const received = collect(gateway);
    try {
      await gateway.subscribeAsync(`/${REGISTRY}/gw-1/errors`, { qos: 0 });
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, ''), 0x87);
      const error = await waitFor(
        () => received.find((r) => r.topic.endsWith('/errors')),
        'the error message',
      );
      const body = JSON.parse(error.payload);
      assert.deepEqual(Object.keys(body).sort(), [
        'description',
        'device_id',
        'error_type',
        'mqtt_message_info',
      ]);
      assert.equal(body.error_type, 'GATEWAY_ATTACHMENT_ERROR');
      assert.equal(body.device_id, 'sensor-2');
      assert.match(body.description, /not bound/);
      assert.equal(body.mqtt_message_info.message_type, 'PUBLISH');
      assert.equal(body.mqtt_message_info.topic, `/${REGISTRY}/sensor-2/attach`);
      assert.ok(body.mqtt_message_info.packet_id > 0, 'the packet id of the attach');
      assert.deepEqual((await device('sensor-2')).attachedTo, []);
    } finally {
      await gateway.endAsync();
    }
  });

  test('device-token-only: a good device JWT attaches an unbound device, a bad one is refused', async () => {
    const gateway = await connected(lab, clientIdOf('gw-token'), await jwtFor(keys['gw-token']!));
    const received = collect(gateway);
    try {
      await gateway.subscribeAsync(`/${REGISTRY}/gw-token/errors`, { qos: 0 });
      const bad = JSON.stringify({ authorization: await jwtFor(strayKey()) });
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, bad), 0x87);
      const error = await waitFor(() => received.find((r) => r.topic.endsWith('/errors')), 'the error');
      assert.match(JSON.parse(error.payload).description, /bad-signature/);
      assert.equal(
        await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, ''),
        0x87,
        'no token, no attach',
      );
      const good = JSON.stringify({ authorization: await jwtFor(keys['sensor-2']!) });
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, good), 0);
      assert.deepEqual((await device('sensor-2')).attachedTo, ['gw-token']);
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, '{not json'), 0x87);
      await waitFor(
        () => received.some((r) => JSON.parse(r.payload).error_type === 'GATEWAY_INVALID_PAYLOAD'),
        'the malformed payload error',
      );
    } finally {
      await gateway.endAsync();
    }
  });

  test('a device attached with its own JWT is detached when that JWT expires', async () => {
    const gateway = await connected(lab, clientIdOf('gw-token'), await jwtFor(keys['gw-token']!));
    try {
      await lab.call('gateways.disconnect', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        deviceId: 'sensor-2',
      });
      const shortLived = JSON.stringify({ authorization: await jwtFor(keys['sensor-2']!, 2) });
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, shortLived), 0);
      assert.deepEqual((await device('sensor-2')).attachedTo, ['gw-token']);
      await waitFor(
        async () => (await device('sensor-2')).attachedTo.length === 0,
        'the detach at expiry',
        10_000,
      );
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/events`, 'late'), 0x87);
    } finally {
      await gateway.endAsync();
    }
  });

  test('association-and-device-token needs both the binding and the token', async () => {
    const gateway = await connected(lab, clientIdOf('gw-both'), await jwtFor(keys['gw-both']!));
    try {
      const token = (id: string) => jwtFor(keys[id]!).then((t) => JSON.stringify({ authorization: t }));
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, ''), 0x87, 'bound, no token');
      assert.equal(
        await pubackCode(gateway, `/${REGISTRY}/sensor-2/attach`, await token('sensor-2')),
        0x87,
        'token, not bound',
      );
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, await token('sensor-1')), 0);
    } finally {
      await gateway.endAsync();
    }
  });

  test('a device that is not a gateway publishing attach is disconnected', async () => {
    const sensor = await connected(lab, clientIdOf('sensor-1'), await jwtFor(keys['sensor-1']!));
    const closed = nextEvent(sensor, 'close');
    sensor.publish(`/${REGISTRY}/sensor-2/attach`, '', { qos: 1 });
    await closed;
    sensor.end(true);
  });

  test('detaching a device that is not attached is acknowledged; publishing for it goes to the errors topic', async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    const received = collect(gateway);
    try {
      await gateway.subscribeAsync(`/${REGISTRY}/gw-1/errors`, { qos: 0 });
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/detach`, ''), 0);
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-2/events`, '{"t":1}'), 0x87);
      const error = await waitFor(() => received.find((r) => r.topic.endsWith('/errors')), 'the error');
      const body = JSON.parse(error.payload);
      assert.equal(body.error_type, 'GATEWAY_DEVICE_NOT_ATTACHED');
      assert.equal(body.mqtt_message_info.topic, `/${REGISTRY}/sensor-2/events`);
      assert.equal((await device('sensor-2')).lastEvent, null, 'the event was dropped');
      // Subscribing for it fails the same way.
      const refused = await gateway.subscribeAsync(`/${REGISTRY}/sensor-2/config`, { qos: 1 }).then(
        () => null,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
      );
      assert.deepEqual(refused, [0x87]);
      await waitFor(
        () => received.filter((r) => r.topic.endsWith('/errors')).length >= 2,
        'the subscribe error',
      );
      assert.equal(JSON.parse(received.at(-1)!.payload).mqtt_message_info.message_type, 'SUBSCRIBE');
    } finally {
      await gateway.endAsync();
    }
  });

  test('QoS 2 subscriptions are granted QoS 1; a QoS 2 publish closes the connection', async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    const granted = await gateway.subscribeAsync(`/${REGISTRY}/gw-1/config`, { qos: 2 });
    assert.equal(granted[0]?.qos, 1);
    const closed = nextEvent(gateway, 'close');
    gateway.publish(`/${REGISTRY}/gw-1/events`, 'x', { qos: 2 });
    await closed;
    gateway.end(true);
  });

  test('commands: refused while nobody subscribed, delivered through the attached gateway', async () => {
    const call = {
      accountId: lab.accountId,
      registryId: REGISTRY,
      deviceId: 'sensor-1',
      payload: 'reboot',
      subfolder: 'ops',
    };
    await assert.rejects(lab.call('gateways.sendCommand', call), /UNAVAILABLE.*not subscribed/);
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    const received = collect(gateway);
    try {
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, ''), 0);
      await gateway.subscribeAsync(`/${REGISTRY}/sensor-1/commands/#`, { qos: 1 });
      assert.equal((await lab.call('gateways.sendCommand', call)).delivered, 1);
      const command = await waitFor(() => received.find((r) => r.topic.includes('/commands')), 'the command');
      assert.deepEqual([command.topic, command.payload], [`/${REGISTRY}/sensor-1/commands/ops`, 'reboot']);
    } finally {
      await gateway.endAsync();
    }
  });

  test("a gateway's disconnect detaches all its devices", async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    assert.equal(await pubackCode(gateway, `/${REGISTRY}/sensor-1/attach`, ''), 0);
    assert.deepEqual((await device('sensor-1')).attachedTo, ['gw-1']);
    await gateway.endAsync();
    await waitFor(async () => (await device('sensor-1')).attachedTo.length === 0, 'sensor-1 detached');
  });

  test('event and state history per device is bounded (32 each, 1 KiB kept per payload)', async () => {
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    try {
      const big = JSON.stringify({ value: 1, pad: 'x'.repeat(4000) });
      for (let i = 0; i < 40; i++)
        await gateway.publishAsync(`/${REGISTRY}/gw-1/events`, i === 39 ? big : `{"n":${i}}`, { qos: 1 });
      for (let i = 0; i < 35; i++) await gateway.publishAsync(`/${REGISTRY}/gw-1/state`, `s${i}`, { qos: 1 });
      const detail = await lab.call('gateways.getDevice', {
        accountId: lab.accountId,
        registryId: REGISTRY,
        deviceId: 'gw-1',
      });
      assert.equal(detail.events.length, 32);
      assert.equal(detail.states.length, 32);
      assert.equal(detail.events[0]!.preview.text, '{"n":8}', 'the oldest were dropped');
      const last = detail.events.at(-1)!;
      assert.equal(last.preview.size, big.length, 'the real size is reported');
      assert.ok(last.preview.text.length <= 1024);
      assert.equal(last.numbers, null, 'a cut JSON payload is not charted');
    } finally {
      await gateway.endAsync();
    }
  });

  test('deleting an attached device is refused unless confirmed; confirmed, it is detached and gone', async () => {
    const base = { accountId: lab.accountId, registryId: REGISTRY };
    keys['temp-1'] = await createWithKey(lab, 'temp-1', 'device');
    await lab.call('gateways.bind', { ...base, gatewayId: 'gw-1', deviceId: 'temp-1' });
    const gateway = await connected(lab, clientIdOf('gw-1'), await jwtFor(keys['gw-1']!));
    try {
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/temp-1/attach`, ''), 0);
      await assert.rejects(
        lab.call('gateways.deleteDevice', { ...base, deviceId: 'temp-1' }),
        /CONFLICT.*confirm/,
      );
      await lab.call('gateways.deleteDevice', { ...base, deviceId: 'temp-1', force: true });
      await assert.rejects(lab.call('gateways.getDevice', { ...base, deviceId: 'temp-1' }), /NOT_FOUND/);
      assert.deepEqual((await device('gw-1')).bindings, ['sensor-1'], 'the binding went with it');
      assert.equal(await pubackCode(gateway, `/${REGISTRY}/temp-1/events`, 'x'), 0x87, 'no longer attached');
    } finally {
      await gateway.endAsync();
    }
  });

  test('operator validation: unknown registry, duplicate id, bad key, too many keys, gateway to gateway', async () => {
    const base = { accountId: lab.accountId, registryId: REGISTRY };
    await assert.rejects(
      lab.call('gateways.createDevice', { ...base, registryId: 'nope', deviceId: 'x-1', kind: 'device' }),
      /NOT_FOUND.*Unknown registry/,
    );
    await assert.rejects(
      lab.call('gateways.createDevice', { ...base, deviceId: 'sensor-1', kind: 'device' }),
      /CONFLICT/,
    );
    await assert.rejects(
      lab.call('gateways.addKey', { ...base, deviceId: 'sensor-1', key: { pem: 'not a key' } }),
      /BAD_REQUEST.*not a parseable/,
    );
    await lab.call('gateways.generateKey', { ...base, deviceId: 'sensor-1' });
    await lab.call('gateways.generateKey', { ...base, deviceId: 'sensor-1', algorithm: 'RS256' });
    await assert.rejects(
      lab.call('gateways.generateKey', { ...base, deviceId: 'sensor-1' }),
      /CONFLICT.*3 keys/,
    );
    await assert.rejects(
      lab.call('gateways.bind', { ...base, gatewayId: 'gw-1', deviceId: 'gw-token' }),
      /BAD_REQUEST.*gateway cannot be bound to a gateway/,
    );
  });
});
