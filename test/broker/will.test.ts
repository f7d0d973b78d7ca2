import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { startBroker, type TestBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

async function willClient(port: number, version: 4 | 5, extra: Record<string, unknown> = {}) {
  const raw = await RawClient.open(port, version);
  raw.send(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clean: true,
      clientId: 'testament',
      keepalive: 0,
      will: { topic: 'wills/x', payload: Buffer.from('gone'), qos: 1, retain: false },
      ...extra,
    },
    version,
  );
  await raw.next('connack');
  return raw;
}

async function watcher(
  url: string,
): Promise<{ got: Received[]; client: MqttClient; close: () => Promise<void> }> {
  const got: Received[] = [];
  const c = await connect(url, { protocolVersion: 5 }, got);
  await c.subscribeAsync('wills/#', { qos: 1 });
  return { got, client: c, close: () => endAll(c) };
}

const testamentIs = (tb: TestBroker, connected: boolean) =>
  tb.broker.sessions().some((s) => s.clientId === 'testament' && s.connected === connected);

test('[MQTT-3.1.2-8] the will is published when the network connection drops', async () => {
  const tb = await startBroker();
  try {
    const w = await watcher(tb.url);
    for (const version of [4, 5] as const) {
      const raw = await willClient(tb.port, version);
      raw.close();
      await waitFor(
        () => w.got.length === (version === 4 ? 1 : 2),
        'w.got.length === (version === 4 ? 1 : 2)',
      );
    }
    assert.ok(w.got.every((m) => m.payload.toString() === 'gone' && m.packet.qos === 1));
    await w.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-10] the will is withheld on a normal DISCONNECT', async () => {
  const tb = await startBroker();
  try {
    const w = await watcher(tb.url);
    const raw = await willClient(tb.port, 4);
    raw.send({ cmd: 'disconnect' });
    await raw.waitClosed();
    const raw5 = await willClient(tb.port, 5);
    raw5.send({ cmd: 'disconnect', reasonCode: 0 }, 5);
    await raw5.waitClosed();
    await passMarker(w.client, 'wills/marker', w.got);
    assert.equal(w.got.length, 0);
    await w.close();
  } finally {
    await tb.close();
  }
});

test('5.0 DISCONNECT with reason 0x04 publishes the will', async () => {
  const tb = await startBroker();
  try {
    const w = await watcher(tb.url);
    const raw = await willClient(tb.port, 5);
    raw.send({ cmd: 'disconnect', reasonCode: 0x04 }, 5);
    await waitFor(() => w.got.length === 1, 'w.got.length === 1');
    await w.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-9] a protocol error publishes the will', async () => {
  const tb = await startBroker();
  try {
    const w = await watcher(tb.url);
    const raw = await willClient(tb.port, 4);
    raw.sendRaw([0x36, 0x00]); // PUBLISH with QoS 3
    await waitFor(() => w.got.length === 1, 'w.got.length === 1');
    await w.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.3-9] will delay: sent after the delay, not at all if the client comes back first', async (t) => {
  // The will waits on a broker timer: mocked, with a frozen broker clock, so the delay is exact.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const frozen = Date.now();
  const tb = await startBroker({ allowAnonymous: true, now: () => frozen });
  try {
    const w = await watcher(tb.url);
    const opts = {
      properties: { sessionExpiryInterval: 60 },
      clean: false,
      will: {
        topic: 'wills/x',
        payload: Buffer.from('late'),
        qos: 1,
        retain: false,
        properties: { willDelayInterval: 1 },
      },
    };
    const first = await willClient(tb.port, 5, opts);
    first.close();
    await waitFor(() => testamentIs(tb, false), 'the broker to see the drop');
    t.mock.timers.tick(999);
    await passMarker(w.client, 'wills/marker', w.got);
    assert.equal(w.got.length, 0, 'not before the delay');
    t.mock.timers.tick(1);
    await waitFor(() => w.got.length === 1, 'the will after its delay');
    // reconnecting within the delay cancels the will
    const again = await willClient(tb.port, 5, opts);
    again.close();
    await waitFor(() => testamentIs(tb, false), 'the broker to see the second drop');
    const back = await willClient(tb.port, 5, opts);
    t.mock.timers.tick(1500);
    await passMarker(w.client, 'wills/marker', w.got);
    assert.equal(w.got.length, 1);
    back.send({ cmd: 'disconnect', reasonCode: 0 }, 5);
    await w.close();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.1.2-8] the will is sent at session end when that comes before the will delay', async () => {
  const tb = await startBroker();
  try {
    const w = await watcher(tb.url);
    const raw = await willClient(tb.port, 5, {
      properties: { sessionExpiryInterval: 0 },
      will: {
        topic: 'wills/x',
        payload: Buffer.from('now'),
        qos: 0,
        retain: false,
        properties: { willDelayInterval: 60 },
      },
    });
    raw.close();
    await waitFor(() => w.got.length === 1, 'w.got.length === 1', 2000);
    await w.close();
  } finally {
    await tb.close();
  }
});
