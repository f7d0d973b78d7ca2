import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerHooks, ClientRef, DeliveryMessage, Principal } from '../../main/broker';
import type { BrokerEventMap } from '../../main/broker';
import { connect, endAll, passMarker, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

function principalFor(username: string | undefined): Principal {
  if (username === 'acme')
    return { kind: 'device', accountId: 'acme', accountName: 'acme', topicPrefix: '$a/acme/' };
  return { kind: 'anonymous', accountId: null, topicPrefix: '' };
}

/** Allows everything, except that `blocked` may not receive anything under `*\/secret`. */
function hooksWithDelivery(
  calls: { client: string; topic: string; message: DeliveryMessage }[],
): BrokerHooks {
  return {
    authenticate: (ctx) => ({ ok: true, principal: principalFor(ctx.username) }),
    authorizePublish: () => true,
    authorizeSubscribe: () => true,
    authorizeDelivery(client: ClientRef, topic: string, message: DeliveryMessage) {
      calls.push({ client: client.clientId, topic, message });
      if (client.clientId === 'thrower') throw new Error('hook bug');
      return client.clientId === 'blocked' && topic.endsWith('/secret')
        ? { reasonCode: 0x87, reasonString: 'not for you' }
        : true;
    },
  };
}

test('authorizeDelivery: a refused delivery is dropped, counted and reported; other subscribers still get it', async () => {
  const calls: { client: string; topic: string; message: DeliveryMessage }[] = [];
  const tb = await startBroker({ hooks: hooksWithDelivery(calls) });
  const dropped: BrokerEventMap['message.dropped'][] = [];
  tb.broker.events.on('message.dropped', (e) => dropped.push(e));
  const openGot: Received[] = [];
  const blockedGot: Received[] = [];
  const open = await connect(tb.url, { clientId: 'open', protocolVersion: 5 }, openGot);
  const blocked = await connect(tb.url, { clientId: 'blocked', protocolVersion: 5 }, blockedGot);
  const pub = await connect(tb.url, { clientId: 'pub', protocolVersion: 5 });
  try {
    await open.subscribeAsync('data/#', { qos: 1 });
    await blocked.subscribeAsync('data/#', { qos: 1 });
    await blocked.subscribeAsync('$share/g/data/shared/#', { qos: 0 });
    await pub.publishAsync('data/public', 'p0', { qos: 0 });
    await pub.publishAsync('data/secret', 's0', { qos: 0 });
    await pub.publishAsync('data/secret', 's1', { qos: 1 });
    await pub.publishAsync('data/shared/secret', 'sh', { qos: 1 });
    await pub.publishAsync('data/public', 'p1', { qos: 1 });
    await waitFor(() => openGot.length === 5 && blockedGot.length === 2, 'deliveries', 10_000);
    assert.deepEqual(
      blockedGot.map((m) => m.payload.toString()),
      ['p0', 'p1'],
    );
    assert.deepEqual(
      openGot.map((m) => m.payload.toString()),
      ['p0', 's0', 's1', 'sh', 'p1'],
    );
    // Four refused: s0, s1 and sh on data/#, and sh again through the shared group.
    await waitFor(() => dropped.length === 4, 'dropped events', 5000);
    assert.ok(dropped.every((d) => d.clientId === 'blocked' && d.reason === 'not-authorized'));
    assert.deepEqual(
      dropped.map((d) => `${d.topic}@${d.qos}`),
      ['data/secret@0', 'data/secret@1', 'data/shared/secret@1', 'data/shared/secret@0'],
    );
    const summary = tb.broker.clients().find((c) => c.clientId === 'blocked');
    assert.equal(summary?.droppedMessages, 4);
    assert.equal(tb.broker.stats().messagesDropped, 4);
    // The hook is told the delivery QoS (min of publish and subscription QoS).
    const sharedCall = calls.findLast((c) => c.client === 'blocked' && c.topic === 'data/shared/secret');
    assert.equal(sharedCall?.message.qos, 0);
    assert.equal(sharedCall?.message.payload.toString(), 'sh');
  } finally {
    await endAll(open, blocked, pub);
    await tb.close();
  }
});

test('authorizeDelivery: sees the topic as the subscriber sees it, covers retained messages, and a throwing hook refuses', async () => {
  const calls: { client: string; topic: string; message: DeliveryMessage }[] = [];
  const tb = await startBroker({ hooks: hooksWithDelivery(calls) });
  const acmePub = await connect(tb.url, { clientId: 'acme-pub', username: 'acme', protocolVersion: 5 });
  try {
    await acmePub.publishAsync('meters/secret', 'r', { qos: 1, retain: true });
    const blockedGot: Received[] = [];
    const blocked = await connect(
      tb.url,
      { clientId: 'blocked', username: 'acme', protocolVersion: 5 },
      blockedGot,
    );
    const throwerGot: Received[] = [];
    const thrower = await connect(
      tb.url,
      { clientId: 'thrower', username: 'acme', protocolVersion: 5 },
      throwerGot,
    );
    await blocked.subscribeAsync('meters/#', { qos: 1 });
    await thrower.subscribeAsync('meters/#', { qos: 1 });
    await acmePub.publishAsync('meters/open', 'o', { qos: 1 });
    await waitFor(() => blockedGot.length === 1, 'the open message', 5000);
    await passMarker(acmePub, 'meters/marker', blockedGot);
    // The thrower cannot receive a marker: its secret, open and marker deliveries are counted as dropped.
    const throwerDropped = () => tb.broker.clients().find((c) => c.clientId === 'thrower')?.droppedMessages;
    await waitFor(() => throwerDropped() === 3, 'the thrower refused three deliveries');
    assert.deepEqual(
      blockedGot.map((m) => m.topic),
      ['meters/open'],
      'the retained secret was refused',
    );
    assert.equal(throwerGot.length, 0, 'a throwing hook refuses');
    const retainedCall = calls.find((c) => c.client === 'blocked' && c.message.retain);
    assert.equal(retainedCall?.topic, 'meters/secret', 'account prefix stripped');
    assert.equal(retainedCall?.message.payload.toString(), 'r');
    await endAll(blocked, thrower);
  } finally {
    await endAll(acmePub);
    await tb.close();
  }
});

test('authorizeDelivery: offline persistent sessions are asked at routing time; refused messages are not queued', async () => {
  const calls: { client: string; topic: string; message: DeliveryMessage }[] = [];
  const tb = await startBroker({ hooks: hooksWithDelivery(calls) });
  const pub = await connect(tb.url, { clientId: 'pub', protocolVersion: 5 });
  try {
    const first = await connect(tb.url, {
      clientId: 'blocked',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await first.subscribeAsync('q/#', { qos: 1 });
    await first.endAsync();
    await pub.publishAsync('q/secret', 'x', { qos: 1 });
    await pub.publishAsync('q/fine', 'y', { qos: 1 });
    const session = tb.broker.sessions().find((s) => s.clientId === 'blocked');
    assert.equal(session?.queued, 1, 'only the allowed message is queued');
    assert.equal(session?.droppedMessages, 1);
    const offlineCall = calls.find((c) => c.topic === 'q/secret');
    assert.equal(offlineCall?.client, 'blocked');
    const got: Received[] = [];
    const again = await connect(
      tb.url,
      { clientId: 'blocked', protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 300 } },
      got,
    );
    await waitFor(() => got.length === 1, 'queued message', 5000);
    assert.equal(got[0]?.topic, 'q/fine');
    await endAll(again);
  } finally {
    await endAll(pub);
    await tb.close();
  }
});
