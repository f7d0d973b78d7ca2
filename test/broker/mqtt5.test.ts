import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { testClock } from '../helpers/test-clock';
import { waitFor } from '../helpers/wait-for';

const v5connect = (clientId: string, properties?: Record<string, unknown>) => ({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 5,
  clean: true,
  clientId,
  keepalive: 0,
  ...(properties ? { properties } : {}),
});

test('[MQTT-3.3.2-4..20] user properties, payload format, content type, response topic and correlation data pass through', async () => {
  const tb = await startBroker();
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('props', { qos: 1 });
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('props', '{"a":1}', {
      qos: 1,
      properties: {
        payloadFormatIndicator: true,
        contentType: 'application/json',
        responseTopic: 'reply/here',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { site: 'lab', tag: ['a', 'b'] },
      },
    });
    await waitFor(() => got.length === 1, 'got.length === 1');
    const p = got[0]!.packet.properties!;
    assert.equal(p.payloadFormatIndicator, true);
    assert.equal(p.contentType, 'application/json');
    assert.equal(p.responseTopic, 'reply/here');
    assert.deepEqual([...(p.correlationData as Buffer)], [1, 2, 3]);
    assert.deepEqual({ ...p.userProperties }, { site: 'lab', tag: ['a', 'b'] });
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.2-5] [MQTT-3.3.2-6] message expiry: queued messages expire, the remaining interval is rewritten', async () => {
  const clock = testClock();
  const tb = await startBroker({ allowAnonymous: true, now: clock.ms });
  try {
    const sub = await connect(tb.url, {
      protocolVersion: 5,
      clientId: 'exp',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await sub.subscribeAsync('exp/#', { qos: 1 });
    await endAll(sub);
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('exp/short', 's', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.publishAsync('exp/long', 'l', { qos: 1, properties: { messageExpiryInterval: 100 } });
    clock.advance(2200);
    const got: Received[] = [];
    const back = await connect(
      tb.url,
      { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 300 } },
      got,
    );
    await waitFor(() => got.length >= 1, 'the queued message');
    await passMarker(pub, 'exp/marker', got);
    assert.deepEqual(
      got.map((m) => m.topic),
      ['exp/long'],
    );
    const remaining = got[0]!.packet.properties?.messageExpiryInterval ?? 0;
    assert.ok(remaining < 100 && remaining >= 95, `remaining ${remaining}`);
    await endAll(pub, back);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.2-12] inbound topic aliases: set, reuse, unknown alias is a protocol error', async () => {
  const tb = await startBroker();
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('alias/#');
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('aliaser'), 5);
    const ack = await raw.next('connack');
    assert.ok(((ack.properties as { topicAliasMaximum?: number }).topicAliasMaximum ?? 0) > 0);
    raw.send(
      { cmd: 'publish', topic: 'alias/long/name', payload: '1', qos: 0, properties: { topicAlias: 3 } },
      5,
    );
    raw.send({ cmd: 'publish', topic: '', payload: '2', qos: 0, properties: { topicAlias: 3 } }, 5);
    await waitFor(() => got.length === 2, 'got.length === 2');
    assert.deepEqual(
      got.map((m) => m.topic),
      ['alias/long/name', 'alias/long/name'],
    );
    raw.send({ cmd: 'publish', topic: '', payload: '3', qos: 0, properties: { topicAlias: 9 } }, 5);
    assert.equal((await raw.next('disconnect')).reasonCode, 0x82);
    await endAll(sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.2-9] outbound topic aliases only when the client allows them', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('aliased', { topicAliasMaximum: 2 }), 5);
    await raw.next('connack');
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'ta/#', qos: 0 }] }, 5);
    await raw.next('suback');
    const pub = await connect(tb.url, { protocolVersion: 5 });
    for (const t of ['ta/one', 'ta/one', 'ta/two', 'ta/three', 'ta/one']) await pub.publishAsync(t, 'x');
    await waitFor(
      () => raw.packets.filter((p) => p.cmd === 'publish').length === 5,
      "raw.packets.filter((p) => p.cmd === 'publish').length === 5",
    );
    const seen = raw.packets
      .filter((p) => p.cmd === 'publish')
      .map((p) => {
        const pub = p as unknown as { topic: string; properties?: { topicAlias?: number } };
        return [pub.topic, pub.properties?.topicAlias];
      });
    assert.deepEqual(seen, [
      ['ta/one', 1],
      ['', 1],
      ['ta/two', 2],
      ['ta/three', undefined],
      ['', 1],
    ]);
    raw.close();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test("[MQTT-3.1.2-24] messages larger than the client's Maximum Packet Size are dropped, not sent", async () => {
  const tb = await startBroker();
  try {
    const dropped: string[] = [];
    tb.broker.events.on('message.dropped', (e) => dropped.push(e.reason));
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('small', { maximumPacketSize: 100 }), 5);
    await raw.next('connack');
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'size', qos: 1 }] }, 5);
    await raw.next('suback');
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('size', Buffer.alloc(500), { qos: 1 });
    await pub.publishAsync('size', 'small', { qos: 1 });
    const p = await raw.next('publish');
    assert.equal(String(p.payload), 'small');
    assert.deepEqual(dropped, ['packet-too-large']);
    raw.close();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.2.2-15] a packet over our Maximum Packet Size closes the connection with 0x95', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxPacketSize: 1024 } });
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('big'), 5);
    const ack = await raw.next('connack');
    assert.equal((ack.properties as { maximumPacketSize?: number }).maximumPacketSize, 1024);
    raw.send({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(4096), qos: 0 }, 5);
    assert.equal((await raw.next('disconnect')).reasonCode, 0x95);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-28] request response information returns a response topic base', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('rr', { requestResponseInformation: true }), 5);
    const ack = await raw.next('connack');
    assert.equal((ack.properties as { responseInformation?: string }).responseInformation, 'reply/rr/');
    raw.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.4.2-1] PUBACK carries 0x10 when nobody subscribed, and UNSUBACK 0x11 for unknown filters', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.open(tb.port, 5);
    raw.send(v5connect('rc'), 5);
    await raw.next('connack');
    raw.send({ cmd: 'publish', topic: 'nobody', payload: 'x', qos: 1, messageId: 5 }, 5);
    assert.equal((await raw.next('puback')).reasonCode, 0x10);
    raw.send({ cmd: 'unsubscribe', messageId: 6, unsubscriptions: ['never'] }, 5);
    assert.deepEqual((await raw.next('unsuback')).granted, [0x11]);
    raw.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-5] session expiry: an offline session ends after its expiry interval', async (t) => {
  // The broker's housekeeping sweep is mocked and its clock frozen: the session ends exactly on time.
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = Date.now();
  const tb = await startBroker({ allowAnonymous: true, now: () => now });
  const shortLived = () => tb.broker.sessions().find((s) => s.clientId === 'short-lived');
  try {
    const c = await connect(tb.url, {
      protocolVersion: 5,
      clientId: 'short-lived',
      clean: false,
      properties: { sessionExpiryInterval: 1 },
    });
    await c.subscribeAsync('se/#', { qos: 1 });
    await endAll(c);
    await waitFor(() => shortLived()?.connected === false, 'the session to go offline');
    now += 999;
    t.mock.timers.tick(500);
    assert.ok(shortLived(), 'the session is kept until its interval has passed');
    now += 1;
    t.mock.timers.tick(500);
    assert.equal(shortLived(), undefined, 'then it ends');
    assert.equal(tb.broker.stats().subscriptions, 0);
  } finally {
    await tb.close();
  }
});
