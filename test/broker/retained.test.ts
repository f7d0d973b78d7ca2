import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connect, endAll, passMarker, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';
import { testClock } from '../helpers/test-clock';

test('[MQTT-3.3.1-5] retained messages are stored, replaced and [MQTT-3.3.1-10] cleared by an empty payload', async () => {
  const tb = await startBroker();
  try {
    const pub = await connect(tb.url);
    await pub.publishAsync('r/a', 'one', { qos: 1, retain: true });
    await pub.publishAsync('r/a', 'two', { qos: 1, retain: true });
    await pub.publishAsync('r/b', 'bee', { qos: 0, retain: true });
    await waitFor(() => tb.broker.retained('r/#').length === 2, "tb.broker.retained('r/#').length === 2");
    assert.deepEqual(
      tb.broker
        .retained('r/#')
        .map((m) => `${m.topic}=${m.payload}`)
        .sort(),
      ['r/a=two', 'r/b=bee'],
    );
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('r/+', { qos: 1 });
    await waitFor(() => got.length === 2, 'got.length === 2');
    assert.ok(
      got.every((m) => m.packet.retain),
      '[MQTT-3.3.1-8] retained flag set on delivery of stored messages',
    );
    await pub.publishAsync('r/a', '', { qos: 1, retain: true });
    assert.deepEqual(
      tb.broker.retained('r/#').map((m) => m.topic),
      ['r/b'],
    );
    // the empty retained publish is still forwarded to current subscribers
    await waitFor(() => got.length === 3, 'got.length === 3');
    assert.equal(got[2]!.payload.length, 0);
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.1-9] live messages reach existing subscribers with retain 0', async () => {
  const tb = await startBroker();
  try {
    const sub = await connect(tb.url);
    const got = collect(sub);
    await sub.subscribeAsync('live');
    const pub = await connect(tb.url);
    await pub.publishAsync('live', 'x', { retain: true });
    await waitFor(() => got.length === 1, 'got.length === 1');
    assert.equal(got[0]!.packet.retain, false);
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.1-10..13] retain handling 0, 1 and 2', async () => {
  const tb = await startBroker();
  try {
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('rh/x', 'kept', { qos: 1, retain: true });
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('rh/x', { qos: 1, rh: 2 });
    await passMarker(pub, 'rh/x', got);
    assert.equal(got.length, 0, 'rh=2: never sent');
    await sub.subscribeAsync('rh/+', { qos: 1, rh: 1 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    await sub.subscribeAsync('rh/+', { qos: 1, rh: 1 });
    await passMarker(pub, 'rh/marker', got);
    assert.equal(got.length, 1, 'rh=1: only for a new subscription');
    await sub.subscribeAsync('rh/#', { qos: 1, rh: 0 });
    await sub.subscribeAsync('rh/#', { qos: 1, rh: 0 });
    await waitFor(() => got.length === 3, 'got.length === 3');
    assert.ok(got.every((m) => m.packet.retain));
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.1-12] retain as published keeps the retain flag on live delivery', async () => {
  const tb = await startBroker();
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('rap/keep', { qos: 0, rap: true });
    await sub.subscribeAsync('rap/clear', { qos: 0, rap: false });
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('rap/keep', 'k', { retain: true });
    await pub.publishAsync('rap/clear', 'c', { retain: true });
    await waitFor(() => got.length === 2, 'got.length === 2');
    const flags = Object.fromEntries(got.map((m) => [m.topic, m.packet.retain]));
    assert.deepEqual(flags, { 'rap/keep': true, 'rap/clear': false });
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('retained messages with message expiry are not delivered once expired', async () => {
  const clock = testClock();
  const tb = await startBroker({ allowAnonymous: true, now: clock.ms });
  try {
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('exp/r', 'short', {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: 1 },
    });
    clock.advance(1000);
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('exp/#');
    await passMarker(pub, 'exp/marker', got);
    assert.equal(got.length, 0);
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('$SYS/broker statistics are published as retained messages', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { sysIntervalSeconds: 1 } });
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('$SYS/broker/#');
    await waitFor(
      () => got.some((m) => m.topic === '$SYS/broker/clients/connected'),
      "got.some((m) => m.topic === '$SYS/broker/clients/connected')",
      5000,
    );
    const names = new Set(got.map((m) => m.topic));
    for (const t of [
      '$SYS/broker/uptime',
      '$SYS/broker/messages/received',
      '$SYS/broker/messages/sent',
      '$SYS/broker/bytes/received',
      '$SYS/broker/bytes/sent',
      '$SYS/broker/load/messages/received/1s',
      '$SYS/broker/retained/count',
      '$SYS/broker/subscriptions/count',
    ]) {
      assert.ok(names.has(t), t);
    }
    const connected = got.find((m) => m.topic === '$SYS/broker/clients/connected')!;
    assert.equal(connected.payload.toString(), '1');
    await endAll(sub);
  } finally {
    await tb.close();
  }
});
