import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerEventMap } from '../../main/broker';
import { connect, endAll, RawClient } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

type Delivered = BrokerEventMap['message.delivered'];

async function rawSubscriber(port: number, clientId: string, filter: string, qos: 0 | 1 | 2) {
  const raw = await RawClient.open(port, 5);
  raw.send(
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId, keepalive: 0 },
    5,
  );
  await raw.next('connack');
  raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos }] }, 5);
  await raw.next('suback');
  return raw;
}

test('message.delivered: QoS 0 on send, QoS 1 only once PUBACK arrives', async () => {
  const tb = await startBroker();
  const events: Delivered[] = [];
  const off = tb.broker.events.on('message.delivered', (e) => events.push(e));
  const pub = await connect(tb.url, { clientId: 'pub' });
  const q0 = await rawSubscriber(tb.port, 'q0', 'd/zero', 0);
  const q1 = await rawSubscriber(tb.port, 'q1', 'd/one', 1);
  try {
    await pub.publishAsync('d/zero', 'a', { qos: 0 });
    await q0.next('publish');
    await waitFor(() => events.length === 1, 'QoS 0 delivered event', 5000);
    assert.equal(events[0]?.client.clientId, 'q0');
    assert.equal(events[0]?.topic, 'd/zero');
    assert.equal(events[0]?.qos, 0);
    assert.equal(events[0]?.size, 1);

    await pub.publishAsync('d/one', 'bb', { qos: 1 });
    const publish = await q1.next('publish');
    await q1.sync(5);
    assert.equal(events.length, 1, 'not delivered before the PUBACK');
    q1.send({ cmd: 'puback', messageId: publish.messageId, reasonCode: 0 }, 5);
    await waitFor(() => events.length === 2, 'QoS 1 delivered event', 5000);
    assert.deepEqual(
      {
        client: events[1]?.client.clientId,
        topic: events[1]?.topic,
        qos: events[1]?.qos,
        size: events[1]?.size,
      },
      { client: 'q1', topic: 'd/one', qos: 1, size: 2 },
    );
  } finally {
    off();
    q0.close();
    q1.close();
    await endAll(pub);
    await tb.close();
  }
});

test('message.delivered: QoS 2 only once PUBCOMP completes the flow, not on PUBREC', async () => {
  const tb = await startBroker();
  const events: Delivered[] = [];
  tb.broker.events.on('message.delivered', (e) => events.push(e));
  const pub = await connect(tb.url, { clientId: 'pub' });
  const q2 = await rawSubscriber(tb.port, 'q2', 'd/two', 2);
  try {
    await pub.publishAsync('d/two', 'ccc', { qos: 2, retain: true });
    const publish = await q2.next('publish');
    q2.send({ cmd: 'pubrec', messageId: publish.messageId, reasonCode: 0 }, 5);
    await q2.next('pubrel');
    await q2.sync(5);
    assert.equal(events.length, 0, 'PUBREC alone does not complete delivery');
    q2.send({ cmd: 'pubcomp', messageId: publish.messageId, reasonCode: 0 }, 5);
    await waitFor(() => events.length === 1, 'QoS 2 delivered event', 5000);
    assert.equal(events[0]?.client.clientId, 'q2');
    assert.equal(events[0]?.qos, 2);
    assert.equal(events[0]?.retain, false, 'a live message is not sent as retained');
  } finally {
    q2.close();
    await endAll(pub);
    await tb.close();
  }
});

test('message.delivered is only computed while someone listens; a failure PUBACK is not a delivery', async () => {
  const tb = await startBroker();
  const pub = await connect(tb.url, { clientId: 'pub' });
  const q1 = await rawSubscriber(tb.port, 'q1', 'd/#', 1);
  try {
    assert.equal(tb.broker.events.deliveredWatched, false);
    const events: Delivered[] = [];
    const off = tb.broker.events.on('message.delivered', (e) => events.push(e));
    assert.equal(tb.broker.events.deliveredWatched, true);
    await pub.publishAsync('d/refused', 'x', { qos: 1 });
    const publish = await q1.next('publish');
    q1.send({ cmd: 'puback', messageId: publish.messageId, reasonCode: 0x80 }, 5);
    await pub.publishAsync('d/ok', 'y', { qos: 1 });
    const second = await q1.next('publish');
    q1.send({ cmd: 'puback', messageId: second.messageId, reasonCode: 0 }, 5);
    await waitFor(() => events.length === 1, 'the accepted delivery', 5000);
    await q1.sync(5);
    assert.deepEqual(
      events.map((e) => e.topic),
      ['d/ok'],
    );
    off();
    assert.equal(tb.broker.events.deliveredWatched, false);
    const once = tb.broker.events.once('message.delivered', () => undefined);
    assert.equal(tb.broker.events.deliveredWatched, true);
    once();
    assert.equal(tb.broker.events.deliveredWatched, false);
  } finally {
    q1.close();
    await endAll(pub);
    await tb.close();
  }
});
