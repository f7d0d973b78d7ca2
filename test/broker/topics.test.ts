import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../../main/broker/session';
import type { Subscription } from '../../main/broker/subscription';
import { SubscriptionTrie } from '../../main/broker/subscription-trie';
import { isValidTopicFilter, isValidTopicName, topicMatches } from '../../main/broker/topics';
import { collect, connect, endAll, passMarker, RawClient, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const principal = { kind: 'anonymous' as const, accountId: null, topicPrefix: '' };

test('[MQTT-4.7.1-1] topic names: no wildcards, NUL or undecodable UTF-8; limits apply', () => {
  assert.ok(isValidTopicName('a/b/c', 100, 10));
  assert.ok(isValidTopicName('/', 100, 10));
  assert.ok(!isValidTopicName('', 100, 10));
  assert.ok(!isValidTopicName('a/+', 100, 10));
  assert.ok(!isValidTopicName('a/#', 100, 10));
  assert.ok(!isValidTopicName('a\u0000b', 100, 10));
  assert.ok(!isValidTopicName(Buffer.from([0x61, 0xff, 0x62]).toString('utf8'), 100, 10));
  assert.ok(!isValidTopicName('a/b/c', 4, 10));
  assert.ok(!isValidTopicName('a/b/c', 100, 2));
});

test('[MQTT-4.7.1-2] [MQTT-4.7.1-3] filters: # last and alone in its level, + alone in its level', () => {
  for (const ok of ['#', '+', 'a/#', 'a/+/b', '+/+', '/+', 'a//b', '$SYS/#']) {
    assert.ok(isValidTopicFilter(ok, 100, 10), ok);
  }
  for (const bad of ['a#', 'a/#/b', 'a/b#', 'a+', 'a/+b', '#/a', '', 'a\u0000']) {
    assert.ok(!isValidTopicFilter(bad, 100, 10), bad);
  }
});

test('[MQTT-4.7.2-1] wildcard matching and $-topics', () => {
  assert.ok(topicMatches('a/#', 'a'));
  assert.ok(topicMatches('a/#', 'a/b/c'));
  assert.ok(topicMatches('a/+/c', 'a/b/c'));
  assert.ok(topicMatches('+/+', '/x'));
  assert.ok(!topicMatches('a/+', 'a/b/c'));
  assert.ok(!topicMatches('#', '$SYS/x'));
  assert.ok(!topicMatches('+/x', '$SYS/x'));
  assert.ok(topicMatches('$SYS/#', '$SYS/x'));
  // inside an account namespace the level after the prefix is the topic root
  assert.ok(topicMatches('$a/acme/#', '$a/acme/x'));
  assert.ok(!topicMatches('$a/acme/#', '$a/acme/$SYS/x'));
  assert.ok(!topicMatches('#', '$a/acme/x'));
});

test('subscription trie: matches, groups per session and forgets removed subscriptions', () => {
  const trie = new SubscriptionTrie();
  const s1 = new Session('1', '1', principal, 4);
  const s2 = new Session('2', '2', principal, 4);
  const sub = (session: Session, filter: string, extra: Partial<Subscription> = {}): Subscription => ({
    session,
    filter,
    key: filter,
    group: undefined,
    qos: 0,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    identifier: undefined,
    ...extra,
  });
  const a = sub(s1, 'a/#');
  const b = sub(s1, 'a/+/c');
  const c = sub(s2, 'a/b/c');
  const shared = sub(s2, 'a/b/+', { group: 'g', key: '$share/g/a/b/+' });
  for (const x of [a, b, c, shared]) trie.add(x);
  assert.equal(trie.size, 4);
  const m = trie.match('a/b/c');
  assert.equal(m.targets.length, 2);
  const t1 = m.targets.find((t) => t.session === s1)!;
  assert.equal(t1.subs.length, 2);
  assert.equal(t1.simple, false);
  assert.equal(m.groups.length, 1);
  assert.equal(trie.match('$x/b/c').targets.length, 0);
  trie.remove(a);
  trie.remove(b);
  assert.deepEqual(
    trie.match('a/b/c').targets.map((t) => t.session),
    [s2],
  );
  trie.remove(c);
  trie.remove(shared);
  assert.equal(trie.size, 0);
  assert.equal(trie.match('a/b/c').targets.length, 0);
});

test('[MQTT-4.7.2-1] root wildcards do not match $-topics over the wire', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const tb = await startBroker({ allowAnonymous: true, limits: { sysIntervalSeconds: 1 } });
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('#');
    await sub.subscribeAsync('+/broker/#');
    const sys: Received[] = [];
    const watcher = await connect(tb.url, {}, sys);
    await watcher.subscribeAsync('$SYS/#');
    t.mock.timers.tick(1000);
    await waitFor(() => sys.length > 0, 'a $SYS publication');
    await passMarker(watcher, 'marker', got);
    assert.ok(!got.some((m) => m.topic.startsWith('$')), 'no $SYS through # or +');
    await endAll(sub, watcher);
  } finally {
    await tb.close();
  }
});

for (const [name, topic] of [
  ['a wildcard', 'a/+'],
  ['NUL', 'a\u0000b'],
] as const) {
  test(`[MQTT-3.3.2-2] PUBLISH to a topic with ${name} closes the connection (5.0: 0x90)`, async () => {
    const tb = await startBroker();
    try {
      const raw = await RawClient.connected(tb.port, 'x', 5);
      raw.send({ cmd: 'publish', topic, payload: 'x', qos: 0 }, 5);
      assert.equal((await raw.next('disconnect')).reasonCode, 0x90);
      await raw.waitClosed();
    } finally {
      await tb.close();
    }
  });
}

test('[MQTT-1.5.4-1] a topic that is not valid UTF-8 closes the connection', async () => {
  const tb = await startBroker();
  try {
    const raw = await RawClient.connected(tb.port, 'x');
    // PUBLISH QoS 0, topic bytes 61 ff 62
    raw.sendRaw([0x30, 0x06, 0x00, 0x03, 0x61, 0xff, 0x62, 0x21]);
    await raw.waitClosed();
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.9.3-2] invalid filters get SUBACK failure 0x80 (3.1.1) / 0x8F (5.0)', async () => {
  const tb = await startBroker();
  try {
    for (const version of [4, 5] as const) {
      const raw = await RawClient.open(tb.port, version);
      raw.send(
        {
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: version,
          clean: true,
          clientId: 'y',
          keepalive: 0,
        },
        version,
      );
      await raw.next('connack');
      raw.send(
        {
          cmd: 'subscribe',
          messageId: 3,
          subscriptions: [
            { topic: 'a/+b', qos: 1 },
            { topic: '$share/g+/x', qos: 1 },
            { topic: 'fine', qos: 1 },
          ],
        },
        version,
      );
      const bad = version === 5 ? 0x8f : 0x80;
      assert.deepEqual((await raw.next('suback')).granted, [bad, bad, 1]);
      raw.close();
    }
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.3.4-2] overlapping subscriptions: one copy, highest QoS, all subscription identifiers', async () => {
  const tb = await startBroker();
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, { protocolVersion: 5 }, got);
    await sub.subscribeAsync('o/#', { qos: 0, properties: { subscriptionIdentifier: 11 } });
    await sub.subscribeAsync('o/+/x', { qos: 2, properties: { subscriptionIdentifier: 22 } });
    await sub.subscribeAsync('o/a/x', { qos: 1 });
    const pub = await connect(tb.url, { protocolVersion: 5 });
    await pub.publishAsync('o/a/x', 'm', { qos: 2 });
    await waitFor(() => got.length >= 1, 'got.length >= 1');
    await passMarker(pub, 'o/marker', got);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.packet.qos, 2);
    const ids = got[0]!.packet.properties?.subscriptionIdentifier;
    assert.deepEqual([ids].flat().sort(), [11, 22]);
    await endAll(pub, sub);
  } finally {
    await tb.close();
  }
});

test('[MQTT-3.8.3-3] no local: a client does not get its own messages on that subscription', async () => {
  const tb = await startBroker();
  try {
    const got: Received[] = [];
    const c = await connect(tb.url, { protocolVersion: 5 }, got);
    await c.subscribeAsync('nl/#', { qos: 1, nl: true });
    const other = await connect(tb.url, { protocolVersion: 5 });
    await c.publishAsync('nl/mine', 'x', { qos: 1 });
    await other.publishAsync('nl/theirs', 'y', { qos: 1 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    await passMarker(other, 'nl/marker', got);
    assert.deepEqual(
      got.map((m) => m.topic),
      ['nl/theirs'],
    );
    await endAll(c, other);
  } finally {
    await tb.close();
  }
});

test('[MQTT-4.8.2] shared subscriptions spread messages across the group, one copy each', async () => {
  const tb = await startBroker();
  try {
    const clients = [];
    const counts = [0, 0, 0];
    for (let i = 0; i < 3; i++) {
      const c = await connect(tb.url, { protocolVersion: 5 });
      c.on('message', () => counts[i]!++);
      await c.subscribeAsync('$share/workers/jobs/+', { qos: 1 });
      clients.push(c);
    }
    const plain = await connect(tb.url, { protocolVersion: 5 });
    const plainGot = collect(plain);
    await plain.subscribeAsync('jobs/#');
    const pub = await connect(tb.url, { protocolVersion: 5 });
    for (let i = 0; i < 30; i++) await pub.publishAsync(`jobs/${i}`, 'j', { qos: 1 });
    await waitFor(
      () => counts.reduce((a, b) => a + b, 0) === 30 && plainGot.length === 30,
      'counts.reduce((a, b) => a + b, 0) === 30 && plainGot.length === 30',
    );
    assert.deepEqual(counts, [10, 10, 10]);
    // 3.1.1 clients can use $share too
    const v4 = await connect(tb.url);
    await v4.subscribeAsync('$share/workers/jobs/+');
    await endAll(pub, plain, v4, ...clients);
  } finally {
    await tb.close();
  }
});
