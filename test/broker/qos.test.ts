import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../../main/broker/session';
import { collect, connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const principal = { kind: 'anonymous' as const, accountId: null, topicPrefix: '' };

async function rawSession(
  port: number,
  clientId: string,
  version: 4 | 5,
  extra: Record<string, unknown> = {},
) {
  const raw = await RawClient.open(port, version);
  raw.send(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clean: false,
      clientId,
      keepalive: 0,
      ...extra,
    },
    version,
  );
  const connack = await raw.next('connack');
  return { raw, connack };
}

test('QoS is the minimum of the published and the granted QoS', async () => {
  const tb = await startBroker();
  try {
    const sub = await connect(tb.url);
    const got = collect(sub);
    await sub.subscribeAsync('q/one', { qos: 1 });
    await sub.subscribeAsync('q/two', { qos: 2 });
    const pub = await connect(tb.url);
    await pub.publishAsync('q/one', 'a', { qos: 2 });
    await pub.publishAsync('q/two', 'b', { qos: 1 });
    await pub.publishAsync('q/two', 'c', { qos: 2 });
    await waitFor(() => got.length === 3, 'got.length === 3');
    assert.deepEqual(
      got.map((m) => [m.topic, m.packet.qos]),
      [
        ['q/one', 1],
        ['q/two', 1],
        ['q/two', 2],
      ],
    );
    await endAll(sub, pub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-4.4.0-1] unacknowledged QoS 1 is re-sent with DUP and the same packet id on reconnect', async () => {
  const tb = await startBroker();
  try {
    const first = await rawSession(tb.port, 'dupper', 4);
    first.raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'd/#', qos: 1 }] });
    await first.raw.next('suback');
    const pub = await connect(tb.url);
    await pub.publishAsync('d/x', 'payload', { qos: 1 });
    const original = await first.raw.next('publish');
    assert.equal(original.dup, false);
    first.raw.close();
    await waitFor(() => tb.broker.clients().length === 1, 'tb.broker.clients().length === 1');
    const second = await rawSession(tb.port, 'dupper', 4);
    assert.equal(second.connack.sessionPresent, true);
    const again = await second.raw.next('publish');
    assert.equal(again.dup, true);
    assert.equal(again.messageId, original.messageId);
    assert.equal(String(again.payload), 'payload');
    second.raw.send({ cmd: 'puback', messageId: again.messageId });
    await waitFor(
      () => tb.broker.sessions().find((s) => s.clientId === 'dupper')?.inflight === 0,
      "tb.broker.sessions().find((s) => s.clientId === 'dupper')?.inflight === 0",
    );
    second.raw.close();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-4.4.0-1] QoS 2: PUBREL is re-sent on reconnect after PUBREC', async () => {
  const tb = await startBroker();
  try {
    const first = await rawSession(tb.port, 'q2', 4);
    first.raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2', qos: 2 }] });
    await first.raw.next('suback');
    const pub = await connect(tb.url);
    await pub.publishAsync('q2', 'x', { qos: 2 });
    const msg = await first.raw.next('publish');
    assert.equal(msg.qos, 2);
    first.raw.send({ cmd: 'pubrec', messageId: msg.messageId });
    await first.raw.next('pubrel');
    first.raw.close();
    await waitFor(() => tb.broker.clients().length === 1, 'tb.broker.clients().length === 1');
    const second = await rawSession(tb.port, 'q2', 4);
    const rel = await second.raw.next('pubrel');
    assert.equal(rel.messageId, msg.messageId);
    second.raw.send({ cmd: 'pubcomp', messageId: msg.messageId });
    await waitFor(
      () => tb.broker.sessions().find((s) => s.clientId === 'q2')?.inflight === 0,
      "tb.broker.sessions().find((s) => s.clientId === 'q2')?.inflight === 0",
    );
    assert.equal(second.raw.packets.filter((p) => p.cmd === 'publish').length, 0, 'not delivered again');
    second.raw.close();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-4.3.3-10] inbound QoS 2 is delivered once even when re-sent before PUBREL', async () => {
  const tb = await startBroker();
  try {
    const sub = await connect(tb.url);
    const got = collect(sub);
    await sub.subscribeAsync('once', { qos: 2 });
    const raw = await RawClient.connected(tb.port, 'p');
    raw.send({ cmd: 'publish', topic: 'once', payload: 'x', qos: 2, messageId: 7 });
    await raw.next('pubrec');
    raw.send({ cmd: 'publish', topic: 'once', payload: 'x', qos: 2, messageId: 7, dup: true });
    await raw.next('pubrec');
    raw.send({ cmd: 'pubrel', messageId: 7 });
    assert.equal((await raw.next('pubcomp')).messageId, 7);
    await waitFor(() => got.length >= 1, 'got.length >= 1');
    await passMarker(sub, 'once', got);
    assert.equal(got.length, 1);
    // after PUBREL the id is free again: a new message with id 7 is a new message
    raw.send({ cmd: 'publish', topic: 'once', payload: 'y', qos: 2, messageId: 7 });
    await raw.next('pubrec');
    raw.send({ cmd: 'pubrel', messageId: 7 });
    await raw.next('pubcomp');
    await waitFor(() => got.length === 2, 'got.length === 2');
    raw.close();
    await endAll(sub);
  } finally {
    await tb.close();
  }
});

test("[MQTT-3.3.4-7] in-flight window honours the client's Receive Maximum", async () => {
  const tb = await startBroker();
  try {
    const { raw } = await rawSession(tb.port, 'slow', 5, { clean: true, properties: { receiveMaximum: 2 } });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'w', qos: 1 }] }, 5);
    await raw.next('suback');
    const pub = await connect(tb.url);
    for (let i = 0; i < 5; i++) await pub.publishAsync('w', String(i), { qos: 1 });
    await waitFor(
      () => raw.packets.filter((p) => p.cmd === 'publish').length === 2,
      "raw.packets.filter((p) => p.cmd === 'publish').length === 2",
    );
    await raw.sync(5);
    assert.equal(raw.packets.filter((p) => p.cmd === 'publish').length, 2, 'no more than 2 in flight');
    assert.equal(tb.broker.sessions().find((s) => s.clientId === 'slow')?.queued, 3, 'the rest wait');
    let acked = 0;
    while (acked < 5) {
      const p = await raw.next('publish');
      assert.equal(String(p.payload), String(acked));
      raw.send({ cmd: 'puback', messageId: p.messageId }, 5);
      acked++;
    }
    raw.close();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.4-9] a client exceeding our Receive Maximum gets DISCONNECT 0x93', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { receiveMaximum: 2 } });
  try {
    const { raw, connack } = await rawSession(tb.port, 'greedy', 5, { clean: true });
    assert.equal((connack.properties as { receiveMaximum?: number }).receiveMaximum, 2);
    for (let id = 1; id <= 3; id++)
      raw.send({ cmd: 'publish', topic: 't', payload: 'x', qos: 2, messageId: id }, 5);
    assert.equal((await raw.next('disconnect')).reasonCode, 0x93);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('offline queue: persistent sessions keep QoS 1/2 messages, dropping the oldest beyond the limit', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxQueuedMessages: 3 } });
  try {
    const dropped: string[] = [];
    tb.broker.events.on('message.dropped', (e) => dropped.push(e.reason));
    const sub = await connect(tb.url, { clientId: 'offline', clean: false });
    await sub.subscribeAsync('o', { qos: 1 });
    await endAll(sub);
    const pub = await connect(tb.url);
    for (let i = 0; i < 5; i++) await pub.publishAsync('o', String(i), { qos: 1 });
    await pub.publishAsync('o', 'qos0 is not queued', { qos: 0 });
    assert.equal(tb.broker.sessions().find((s) => s.clientId === 'offline')?.queued, 3);
    assert.deepEqual(dropped, ['queue-full', 'queue-full']);
    const got: Received[] = [];
    const back = await connect(tb.url, { clientId: 'offline', clean: false }, got);
    await waitFor(() => got.length === 3, 'got.length === 3');
    assert.deepEqual(
      got.map((m) => m.payload.toString()),
      ['2', '3', '4'],
    );
    await endAll(back, pub);
  } finally {
    await tb.close();
  }
});

test('packet ids skip ids still in flight and wrap at 65535', () => {
  const s = new Session('k', 'c', principal, 4);
  const first = s.allocatePacketId();
  assert.equal(first, 1);
  s.inflight!.set(1, {} as never);
  for (let i = 2; i <= 65535; i++) {
    const id = s.allocatePacketId();
    assert.equal(id, i);
    s.inflight!.set(id, {} as never);
  }
  assert.equal(s.allocatePacketId(), 0, 'all ids in use');
  s.inflight!.delete(300);
  assert.equal(s.allocatePacketId(), 300);
});
