import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MqttClient, Packet } from 'mqtt';
import type { BrokerHooks } from '../../main/broker';
import { connect, endAll } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const hooks: BrokerHooks = {
  authenticate: () => ({ ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } }),
  authorizePublish: () => true,
  authorizeSubscribe: (_c, filter) =>
    filter.startsWith('secret/') ? { reasonCode: 0x87, reasonString: 'secrets are not for devices' } : true,
};

/** Sends SUBSCRIBE / UNSUBSCRIBE through mqtt.js and returns the ack packet exactly as it was read. */
async function ackFor(client: MqttClient, cmd: 'suback' | 'unsuback', send: () => void) {
  const acks: Packet[] = [];
  const onPacket = (p: Packet) => {
    if (p.cmd === cmd) acks.push(p);
  };
  client.on('packetreceive', onPacket);
  send();
  await waitFor(() => acks.length > 0, cmd, 5000);
  client.off('packetreceive', onPacket);
  return acks[0] as Packet & {
    granted?: number[];
    reasonCode?: number;
    properties?: { reasonString?: string };
  };
}

test("SUBACK reason string (MQTT 5 §3.9.2.1.2): refusals carry the hook reason and the broker's own", async () => {
  const tb = await startBroker({ hooks, limits: { maxSubscriptionsPerClient: 3 } });
  const client = await connect(tb.url, { clientId: 'sub-reasons', protocolVersion: 5 });
  try {
    const suback = await ackFor(client, 'suback', () =>
      client.subscribe(
        { 'open/#': { qos: 1 }, 'secret/plans': { qos: 1 }, '$a/other/#': { qos: 0 } },
        () => undefined,
      ),
    );
    assert.deepEqual(suback.granted, [1, 0x87, 0x87]);
    assert.equal(
      suback.properties?.reasonString,
      'secret/plans: secrets are not for devices; $a/other/#: reserved topic',
    );
  } finally {
    await endAll(client);
    await tb.close();
  }
});

test('[MQTT-3.1.2-29] no reason string on SUBACK when the client set Request Problem Information to 0', async () => {
  const tb = await startBroker({ hooks });
  const client = await connect(tb.url, {
    clientId: 'quiet',
    protocolVersion: 5,
    properties: { requestProblemInformation: false },
  });
  try {
    const suback = await ackFor(client, 'suback', () =>
      client.subscribe({ 'secret/plans': { qos: 1 } }, () => undefined),
    );
    assert.deepEqual(suback.granted, [0x87]);
    assert.equal(suback.properties?.reasonString, undefined);
  } finally {
    await endAll(client);
    await tb.close();
  }
});

test('a 3.1.1 SUBACK refusal is 0x80 without properties', async () => {
  const tb = await startBroker({ hooks });
  const client = await connect(tb.url, { clientId: 'old', protocolVersion: 4 });
  try {
    const suback = await ackFor(client, 'suback', () =>
      client.subscribe({ 'secret/plans': { qos: 1 }, 'open/x': { qos: 0 } }, () => undefined),
    );
    assert.deepEqual(suback.granted, [0x80, 0]);
    assert.equal(suback.properties, undefined);
  } finally {
    await endAll(client);
    await tb.close();
  }
});

test('UNSUBACK reason string (MQTT 5 §3.11.2.1.2): an UNSUBACK with "no subscription existed" says which filter', async () => {
  const tb = await startBroker({ hooks });
  const client = await connect(tb.url, { clientId: 'unsub-reasons', protocolVersion: 5 });
  try {
    await client.subscribeAsync('open/#', { qos: 0 });
    const unsuback = await ackFor(client, 'unsuback', () =>
      client.unsubscribe(['open/#', 'never/#'], () => undefined),
    );
    assert.deepEqual(unsuback.granted, [0x00, 0x11]);
    assert.equal(unsuback.properties?.reasonString, 'never/#: no such subscription');
  } finally {
    await endAll(client);
    await tb.close();
  }
});

test('SUBACK 0x97 Quota exceeded (MQTT 5 §3.9.3) beyond maxSubscriptionsPerClient, for the excess filters only', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxSubscriptionsPerClient: 2 } });
  const client = await connect(tb.url, { clientId: 'greedy', protocolVersion: 5 });
  const old = await connect(tb.url, { clientId: 'greedy-4', protocolVersion: 4 });
  try {
    const first = await ackFor(client, 'suback', () =>
      client.subscribe({ 'a/1': { qos: 0 }, 'a/2': { qos: 1 }, 'a/3': { qos: 1 } }, () => undefined),
    );
    assert.deepEqual(first.granted, [0, 1, 0x97]);
    assert.match(first.properties?.reasonString ?? '', /a\/3: subscription limit reached/);
    // Re-subscribing an existing filter replaces it and does not count twice.
    const again = await ackFor(client, 'suback', () =>
      client.subscribe({ 'a/1': { qos: 2 } }, () => undefined),
    );
    assert.deepEqual(again.granted, [2]);
    const more = await ackFor(client, 'suback', () =>
      client.subscribe({ 'a/4': { qos: 0 } }, () => undefined),
    );
    assert.deepEqual(more.granted, [0x97]);
    // After an unsubscribe there is room again.
    await client.unsubscribeAsync('a/2');
    const room = await ackFor(client, 'suback', () =>
      client.subscribe({ 'a/4': { qos: 0 } }, () => undefined),
    );
    assert.deepEqual(room.granted, [0]);
    assert.equal(tb.broker.clients().find((c) => c.clientId === 'greedy')?.subscriptions, 2);
    // 3.1.1 has only 0x80 for a failure.
    const v4 = await ackFor(old, 'suback', () =>
      old.subscribe({ 'b/1': { qos: 0 }, 'b/2': { qos: 0 }, 'b/3': { qos: 0 } }, () => undefined),
    );
    assert.deepEqual(v4.granted, [0, 0, 0x80]);
  } finally {
    await endAll(client, old);
    await tb.close();
  }
});
