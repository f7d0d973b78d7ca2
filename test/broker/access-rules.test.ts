import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDefaultHooks, filterCovers, filtersIntersect } from '../../main/broker';
import { connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const ref = {
  clientId: 'c',
  principal: { kind: 'anonymous' as const, accountId: null, topicPrefix: '' },
  listener: { id: 't', kind: 'mqtt' as const, host: '127.0.0.1', port: 1 },
  remoteAddress: '127.0.0.1',
};

test('filter coverage and intersection used by the lab access rules', () => {
  assert.ok(filterCovers('a/#', 'a/b/+'));
  assert.ok(filterCovers('a/+', 'a/b'));
  assert.ok(!filterCovers('a/+', 'a/#'));
  assert.ok(!filterCovers('a/b', 'a/+'));
  assert.ok(filtersIntersect('a/+/c', 'a/b/#'));
  assert.ok(!filtersIntersect('a/b', 'a/c'));
});

test('default hooks: allow / deny rules for anonymous lab use', async () => {
  const hooks = createDefaultHooks(true, {
    allow: [{ filter: 'lab/#' }, { filter: 'status/+', actions: ['subscribe'] }],
    deny: [{ filter: 'lab/secret/#' }],
  });
  assert.equal(await hooks.authorizePublish(ref, 'lab/x', 0, false), true);
  assert.notEqual(await hooks.authorizePublish(ref, 'lab/secret/x', 0, false), true);
  assert.notEqual(await hooks.authorizePublish(ref, 'status/x', 0, false), true);
  assert.equal(await hooks.authorizeSubscribe(ref, 'status/+', 0), true);
  assert.equal(
    await hooks.authorizeSubscribe(ref, '$share/g/lab/public/#', 0),
    true,
    'share prefix is looked through',
  );
  assert.equal(await hooks.authorizeSubscribe(ref, 'lab/#', 0), true, 'granted beside a denied filter');
  assert.equal(await hooks.authorizeSubscribe(ref, '#', 0), true, 'reaches into allowed topics');
  assert.notEqual(await hooks.authorizeSubscribe(ref, 'lab/secret/#', 0), true, 'wholly denied');
  assert.notEqual(await hooks.authorizeSubscribe(ref, 'other/#', 0), true, 'outside every allow rule');
  const msg = { payload: Buffer.alloc(0), qos: 0 as const, retain: false };
  assert.equal(hooks.authorizeDelivery?.(ref, 'lab/x', msg), true);
  assert.notEqual(hooks.authorizeDelivery?.(ref, 'lab/secret/x', msg), true, 'withheld at delivery');
  assert.equal(createDefaultHooks(true).authorizeDelivery, undefined, 'no rules, no delivery hook');
  const closed = createDefaultHooks(false);
  const auth = await closed.authenticate({
    clientId: 'x',
    protocolVersion: 4,
    listener: ref.listener,
    remoteAddress: '127.0.0.1',
  });
  assert.equal(auth.ok, false);
});

test('access rules over the wire: refused subscriptions and silently dropped 3.1.1 publishes', async () => {
  const tb = await startBroker({ allowAnonymous: true, accessRules: { allow: [{ filter: 'lab/#' }] } });
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('lab/#');
    const raw = await RawClient.connected(tb.port, 'r');
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'other/#', qos: 1 }] });
    assert.deepEqual((await raw.next('suback')).granted, [0x80]);
    raw.send({ cmd: 'publish', topic: 'other/x', payload: 'no', qos: 0 });
    raw.send({ cmd: 'publish', topic: 'lab/x', payload: 'yes', qos: 0 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    await passMarker(sub, 'lab/marker', got);
    assert.deepEqual(
      got.map((m) => m.payload.toString()),
      ['yes'],
    );
    raw.close();
    await endAll(sub);
  } finally {
    await tb.close();
  }
});

test('limits: maxConnections refuses extra sockets, setLimits applies at runtime', async () => {
  const tb = await startBroker({ allowAnonymous: true, limits: { maxConnections: 2 } });
  try {
    const a = await connect(tb.url);
    const b = await connect(tb.url);
    const extra = await RawClient.open(tb.port);
    await extra.waitClosed();
    tb.broker.setLimits({ maxConnections: 3 });
    assert.equal(tb.broker.limits().maxConnections, 3);
    const c = await connect(tb.url);
    await endAll(a, b, c);
  } finally {
    await tb.close();
  }
});
