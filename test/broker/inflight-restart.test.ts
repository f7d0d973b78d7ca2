import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createBroker } from '../../main/broker';
import { openStore, type Store } from '../../main/store';
import { connect, endAll, RawClient, type Received } from '../helpers/mqtt-client';
import { serveBroker, type TestBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';
import { tempDir } from '../helpers/temp-dir';

async function startOn(store: Store): Promise<TestBroker> {
  return serveBroker(createBroker({ db: store.db, allowAnonymous: true }));
}

async function rawConnect(port: number, clientId: string, version: 4 | 5) {
  const raw = await RawClient.open(port, version);
  const connect: Record<string, unknown> = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: version,
    clean: false,
    clientId,
    keepalive: 0,
  };
  if (version === 5) connect.properties = { sessionExpiryInterval: 3600 };
  raw.send(connect, version);
  const connack = await raw.next('connack');
  return { raw, connack };
}

test('[MQTT-4.4.0-1] restart: unacknowledged QoS 1 and QoS 2 deliveries are re-sent with DUP, a PUBREC-ed one continues with PUBREL', async () => {
  const dir = tempDir();
  let store = openStore(dir);
  let tb = await startOn(store);
  const ids: Record<string, number> = {};
  try {
    const { raw } = await rawConnect(tb.port, 'slow', 4);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'inf/#', qos: 2 }] });
    await raw.next('suback');
    const pub = await connect(tb.url, { clientId: 'pub' });
    await pub.publishAsync('inf/one', 'q1', { qos: 1 });
    await pub.publishAsync('inf/two', 'q2', { qos: 2 });
    await pub.publishAsync('inf/three', 'q2-recd', { qos: 2 });
    for (let i = 0; i < 3; i++) {
      const p = await raw.next('publish');
      assert.equal(p.dup, false);
      ids[p.topic as string] = p.messageId as number;
    }
    // Acknowledge only the first step of inf/three: the broker now owes a PUBREL, not the PUBLISH.
    raw.send({ cmd: 'pubrec', messageId: ids['inf/three'] });
    await raw.next('pubrel');
    raw.close();
    await endAll(pub);
    await waitFor(
      () => tb.broker.sessions().find((s) => s.clientId === 'slow')?.connected === false,
      "tb.broker.sessions().find((s) => s.clientId === 'slow')?.connected === false",
    );
    assert.equal(tb.broker.sessions().find((s) => s.clientId === 'slow')?.inflight, 3);
  } finally {
    await tb.close();
    store.close();
  }

  store = openStore(dir);
  tb = await startOn(store);
  try {
    assert.equal(tb.broker.sessions().find((s) => s.clientId === 'slow')?.inflight, 3, 'in flight restored');
    const { raw, connack } = await rawConnect(tb.port, 'slow', 4);
    assert.equal(connack.sessionPresent, true);
    const one = await raw.next('publish');
    const two = await raw.next('publish');
    const resent = [one, two].sort((a, b) => String(a.topic).localeCompare(String(b.topic)));
    assert.deepEqual(
      resent.map((p) => ({
        topic: p.topic,
        payload: String(p.payload),
        qos: p.qos,
        dup: p.dup,
        id: p.messageId,
      })),
      [
        { topic: 'inf/one', payload: 'q1', qos: 1, dup: true, id: ids['inf/one'] },
        { topic: 'inf/two', payload: 'q2', qos: 2, dup: true, id: ids['inf/two'] },
      ],
    );
    const pubrel = await raw.next('pubrel');
    assert.equal(pubrel.messageId, ids['inf/three']);
    await raw.sync();
    assert.equal(
      raw.packets.filter((p) => p.cmd === 'publish').length,
      0,
      'the PUBREC-ed message is not sent again',
    );
    raw.send({ cmd: 'puback', messageId: ids['inf/one'] });
    raw.send({ cmd: 'pubrec', messageId: ids['inf/two'] });
    assert.equal((await raw.next('pubrel')).messageId, ids['inf/two']);
    raw.send({ cmd: 'pubcomp', messageId: ids['inf/two'] });
    raw.send({ cmd: 'pubcomp', messageId: ids['inf/three'] });
    await waitFor(
      () => tb.broker.sessions().find((s) => s.clientId === 'slow')?.inflight === 0,
      "tb.broker.sessions().find((s) => s.clientId === 'slow')?.inflight === 0",
    );
    raw.close();
    // Completed flows are gone from the store too: a reconnect gets nothing more.
    await waitFor(
      () => tb.broker.sessions().find((s) => s.clientId === 'slow')?.connected === false,
      "tb.broker.sessions().find((s) => s.clientId === 'slow')?.connected === false",
    );
    const again = await rawConnect(tb.port, 'slow', 4);
    await again.raw.sync();
    assert.deepEqual(
      again.raw.packets.map((p) => p.cmd),
      [],
    );
    again.raw.close();
  } finally {
    await tb.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('[MQTT-4.3.3-2] (3.1.1 numbering) restart: inbound QoS 2 state (PUBREC sent, PUBREL pending) survives; the message is delivered once', async () => {
  const dir = tempDir();
  let store = openStore(dir);
  let tb = await startOn(store);
  const got: Received[] = [];
  const watchOpts = {
    clientId: 'watch',
    protocolVersion: 5 as const,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  };
  try {
    const watch = await connect(tb.url, watchOpts, got);
    await watch.subscribeAsync('in/#', { qos: 2 });
    const { raw } = await rawConnect(tb.port, 'sender', 5);
    raw.send({ cmd: 'publish', topic: 'in/q2', payload: 'once', qos: 2, messageId: 7 }, 5);
    const pubrec = await raw.next('pubrec');
    assert.equal(pubrec.messageId, 7);
    await waitFor(() => got.length === 1, 'first delivery', 5000);
    raw.close();
    await endAll(watch);
    await waitFor(
      () => tb.broker.sessions().every((s) => !s.connected),
      'tb.broker.sessions().every((s) => !s.connected)',
    );
  } finally {
    await tb.close();
    store.close();
  }

  store = openStore(dir);
  tb = await startOn(store);
  const fresh: Received[] = [];
  try {
    const watch = await connect(tb.url, watchOpts, got);
    const observer = await connect(tb.url, { clientId: 'observer', protocolVersion: 5 }, fresh);
    await observer.subscribeAsync('in/#', { qos: 2 });
    const { raw, connack } = await rawConnect(tb.port, 'sender', 5);
    assert.equal(connack.sessionPresent, true);
    // A sender that missed the PUBREC re-sends the PUBLISH with DUP: acknowledged, not delivered again.
    raw.send({ cmd: 'publish', topic: 'in/q2', payload: 'once', qos: 2, messageId: 7, dup: true }, 5);
    assert.equal((await raw.next('pubrec')).messageId, 7);
    raw.send({ cmd: 'pubrel', messageId: 7, reasonCode: 0 }, 5);
    const pubcomp = await raw.next('pubcomp');
    assert.equal(pubcomp.messageId, 7);
    assert.equal(pubcomp.reasonCode ?? 0, 0, 'the packet identifier was known after the restart (not 0x92)');
    // Released: the same identifier now starts a new message.
    raw.send({ cmd: 'publish', topic: 'in/q2', payload: 'second', qos: 2, messageId: 7 }, 5);
    await raw.next('pubrec');
    await waitFor(() => fresh.length === 1 && got.length === 2, 'the new message', 5000);
    assert.deepEqual(
      got.map((m) => m.payload.toString()),
      ['once', 'second'],
    );
    assert.deepEqual(
      fresh.map((m) => m.payload.toString()),
      ['second'],
    );
    raw.close();
    await endAll(watch, observer);
  } finally {
    await tb.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
