import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import type { BrokerHooks, Principal } from '../../main/broker';
import { connect, endAll, passMarker, RawClient, type Received, roundTrip } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

function principalFor(username: string | undefined): Principal {
  if (username === 'acme' || username === 'globex') {
    return { kind: 'device', accountId: username, accountName: username, topicPrefix: `$a/${username}/` };
  }
  return { kind: 'anonymous', accountId: null, topicPrefix: '' };
}

/** Asynchronous hooks (like a real tenancy lookup) that refuse `secret/#` and count calls. */
function tenantHooks(calls: { publish: number }): BrokerHooks {
  return {
    authenticate: async (ctx) => ({ ok: true, principal: principalFor(ctx.username) }),
    authorizePublish: async (_c, topic) => {
      calls.publish++;
      await new Promise((resolve) => setImmediate(resolve));
      return topic.startsWith('secret/') ? { reasonCode: 0x87, reasonString: 'no secrets' } : true;
    },
    authorizeSubscribe: async (_c, filter) => (filter.startsWith('secret/') ? { reasonCode: 0x87 } : true),
  };
}

/** SUBSCRIBE over a raw 5.0 connection (mqtt.js rejects failure codes); returns the SUBACK codes. */
async function rawSubscribe(port: number, filters: string[], version: 4 | 5 = 5): Promise<number[]> {
  const raw = await RawClient.open(port, version);
  raw.send(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clean: true,
      clientId: 'r',
      keepalive: 0,
    },
    version,
  );
  await raw.next('connack');
  raw.send(
    { cmd: 'subscribe', messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 })) },
    version,
  );
  const granted = (await raw.next('suback')).granted as number[];
  raw.close();
  return granted;
}

test('account namespaces: prefix added on the way in, stripped on the way out, no cross-account traffic', async () => {
  const calls = { publish: 0 };
  const tb = await startBroker({ hooks: tenantHooks(calls) });
  try {
    const acmeGot: Received[] = [];
    const acme = await connect(tb.url, { username: 'acme', protocolVersion: 5 }, acmeGot);
    await acme.subscribeAsync('#');
    const sharedGot: Received[] = [];
    const acmeShared = await connect(tb.url, { username: 'acme', protocolVersion: 5 }, sharedGot);
    await acmeShared.subscribeAsync('$share/g/data/#');
    const rootGot: Received[] = [];
    const root = await connect(tb.url, { protocolVersion: 5 }, rootGot);
    await root.subscribeAsync('#');
    const globex = await connect(tb.url, { username: 'globex', protocolVersion: 5 });

    await globex.publishAsync('data/1', 'from globex', { qos: 1 });
    const acmePub = await connect(tb.url, { username: 'acme', protocolVersion: 5 });
    await acmePub.publishAsync('data/1', 'from acme', { qos: 1, retain: true });
    await tb.broker.publish(
      { topic: 'data/2', payload: 'from platform', qos: 1 },
      { topicPrefix: '$a/acme/' },
    );

    await waitFor(
      () => acmeGot.length === 2 && sharedGot.length === 2,
      'acmeGot.length === 2 && sharedGot.length === 2',
    );
    assert.deepEqual(
      acmeGot.map((m) => `${m.topic}:${m.payload}`),
      ['data/1:from acme', 'data/2:from platform'],
    );
    assert.deepEqual(
      sharedGot.map((m) => m.topic),
      ['data/1', 'data/2'],
    );
    await passMarker(root, 'marker', rootGot);
    assert.equal(rootGot.length, 0, 'root # sees nothing of the accounts');
    assert.deepEqual(
      tb.broker.retained().map((r) => r.topic),
      ['$a/acme/data/1'],
    );

    // the root namespace cannot reach into accounts
    assert.deepEqual(await rawSubscribe(tb.port, ['$a/acme/#']), [0x87]);
    await assert.rejects(
      root.publishAsync('$a/acme/data/1', 'intrusion', { qos: 1 }),
      /0x87|135|Not authorized/i,
    );
    await endAll(acme, acmeShared, root, globex, acmePub);
  } finally {
    await tb.close();
  }
});

test('the same client id in two accounts are two sessions (no takeover)', async () => {
  const tb = await startBroker({ hooks: tenantHooks({ publish: 0 }) });
  try {
    const a = await connect(tb.url, { username: 'acme', clientId: 'dev-1' });
    const b = await connect(tb.url, { username: 'globex', clientId: 'dev-1' });
    // A round trip on each: a takeover would have closed the first.
    await Promise.all([roundTrip(a), roundTrip(b)]);
    assert.equal(tb.broker.clients().length, 2);
    assert.equal(a.connected && b.connected, true);
    assert.equal(tb.broker.disconnectClient('dev-1', 0x98, 'bye', '$a/globex/'), true);
    await waitFor(() => tb.broker.clients().length === 1, 'tb.broker.clients().length === 1');
    assert.equal(tb.broker.clients()[0]!.principal.accountId, 'acme');
    await endAll(a, b);
  } finally {
    await tb.close();
  }
});

test('authorizeSubscribe refusal: SUBACK 0x87 (5.0) / 0x80 (3.1.1)', async () => {
  const tb = await startBroker({ hooks: tenantHooks({ publish: 0 }) });
  try {
    assert.deepEqual(await rawSubscribe(tb.port, ['secret/x', 'open/x']), [0x87, 1]);
    assert.deepEqual(await rawSubscribe(tb.port, ['secret/x', 'open/x'], 4), [0x80, 1]);
  } finally {
    await tb.close();
  }
});

test('authorizePublish refusal: PUBACK 0x87 (5.0), dropped for 3.1.1 QoS 0, and logged', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const calls = { publish: 0 };
  const tb = await startBroker({ hooks: tenantHooks(calls), logger: pino({ level: 'info' }, sink) });
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('#');
    const raw = await RawClient.connected(tb.port, 'sneaky', 5);
    raw.send({ cmd: 'publish', topic: 'secret/plans', payload: 'x', qos: 1, messageId: 1 }, 5);
    const ack = await raw.next('puback');
    assert.equal(ack.reasonCode, 0x87);
    const v4 = await connect(tb.url, { clientId: 'sneaky4' });
    await v4.publishAsync('secret/plans', 'y', { qos: 0 });
    await v4.publishAsync('open/ok', 'z', { qos: 1 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    assert.equal(got[0]!.topic, 'open/ok');
    await waitFor(
      () => lines.filter((l) => l.includes('publish refused')).length === 2,
      "lines.filter((l) => l.includes('publish refused')).length === 2",
    );
    const logged = lines
      .filter((l) => l.includes('publish refused'))
      .map((l) => JSON.parse(l) as { clientId: string });
    assert.deepEqual(logged.map((l) => l.clientId).sort(), ['sneaky', 'sneaky4']);
    raw.close();
    await endAll(sub, v4);
  } finally {
    await tb.close();
  }
});

test('asynchronous publish decisions are cached per topic and keep message order', async () => {
  const calls = { publish: 0 };
  const tb = await startBroker({ hooks: tenantHooks(calls) });
  try {
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('seq/#');
    const pub = await connect(tb.url);
    for (let i = 0; i < 200; i++) pub.publish(i % 2 ? 'seq/a' : 'seq/b', String(i));
    await waitFor(() => got.length === 200, 'got.length === 200');
    assert.deepEqual(
      got.map((m) => Number(m.payload)),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.ok(calls.publish <= 4, `hook called ${calls.publish} times`);
    await endAll(sub, pub);
  } finally {
    await tb.close();
  }
});

test('interceptors consume reserved control topics before routing', async () => {
  const tb = await startBroker();
  try {
    const seen: string[] = [];
    const off = tb.broker.intercept('$control/#', (client, msg) => {
      seen.push(`${client.clientId}:${msg.topic}:${msg.payload}`);
      return true;
    });
    const got: Received[] = [];
    const sub = await connect(tb.url, {}, got);
    await sub.subscribeAsync('$control/#');
    const pub = await connect(tb.url, { clientId: 'ctl' });
    await pub.publishAsync('$control/reboot', 'now', { qos: 1 });
    assert.deepEqual(seen, ['ctl:$control/reboot:now']);
    off();
    await pub.publishAsync('$control/reboot', 'again', { qos: 1 });
    await waitFor(() => got.length === 1, 'got.length === 1');
    assert.equal(seen.length, 1);
    await endAll(sub, pub);
  } finally {
    await tb.close();
  }
});

test('an intercepted QoS 0 publish is consumed without an acknowledgement and the client stays connected', async () => {
  const tb = await startBroker();
  try {
    const seen: string[] = [];
    const off = tb.broker.intercept('$control/#', (_client, msg) => {
      seen.push(String(msg.payload));
      return true;
    });
    const pub = await connect(tb.url, { clientId: 'ctl0' });
    for (let i = 0; i < 5; i++) pub.publish('$control/ping', String(i));
    // A QoS 1 marker after them: its PUBACK proves the connection survived the QoS 0 ones.
    await pub.publishAsync('$control/ping', 'marker', { qos: 1 });
    assert.deepEqual(seen, ['0', '1', '2', '3', '4', 'marker']);
    assert.equal(pub.connected, true);
    off();
    await endAll(pub);
  } finally {
    await tb.close();
  }
});

test('disconnectWhere closes every client of an account', async () => {
  const tb = await startBroker({ hooks: tenantHooks({ publish: 0 }) });
  try {
    const clients = await Promise.all([
      connect(tb.url, { username: 'acme', protocolVersion: 5 }),
      connect(tb.url, { username: 'acme' }),
      connect(tb.url, { username: 'globex' }),
    ]);
    const n = tb.broker.disconnectWhere((c) => c.principal.accountId === 'acme', 0x98, 'account disabled');
    assert.equal(n, 2);
    await waitFor(() => tb.broker.clients().length === 1, 'tb.broker.clients().length === 1');
    await endAll(...clients);
  } finally {
    await tb.close();
  }
});
