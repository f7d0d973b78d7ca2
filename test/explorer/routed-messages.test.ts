import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type Broker, type BrokerHooks, createBroker } from '../../main/broker';
import { createExplorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { serveBroker } from '../helpers/test-broker';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };

/** Everything allowed except publishing under `forbidden/` (refused with 0x87, as an access rule would). */
const hooks: BrokerHooks = {
  authenticate: () => ({ ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } }),
  authorizePublish: (_c, topic) =>
    topic.startsWith('forbidden/') ? { reasonCode: 0x87, reasonString: 'not allowed here' } : true,
  authorizeSubscribe: () => true,
};

async function setup(limits: Parameters<typeof createBroker>[0] = {}) {
  const dir = tempDir();
  const store = openStore(dir);
  const broker: Broker = createBroker({ hooks, ...limits });
  const server = await serveBroker(broker);
  const explorer = createExplorer({
    db: store.db,
    events: new EventLog().bus,
    keyProtector: createFileKeyProtector(dir),
    logger: silentLogger,
    dataDir: dir,
    broker,
  });
  const h = viaContract(explorer.handlers);
  const { viewId } = await h['explorer.view.open']({ connectionId: 'local' }, ctx);
  const clients: MqttClient[] = [];
  const client = async (opts: IClientOptions = {}) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, {
      reconnectPeriod: 0,
      protocolVersion: 5,
      ...opts,
    });
    clients.push(c);
    return c;
  };
  const history = async (topic: string) =>
    (await h['explorer.history']({ connectionId: 'local', topic, limit: 100 }, ctx)).messages;
  return {
    broker,
    explorer,
    h,
    viewId,
    client,
    history,
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await explorer.close();
      await broker.close();
      await server.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a publish refused by authorization (PUBACK 0x87) is neither in the explorer tree nor in its history', async () => {
  const t = await setup();
  try {
    const pub = await t.client({ clientId: 'refused-pub' });
    const acks: number[] = [];
    pub.on('packetreceive', (p) => {
      if (p.cmd === 'puback') acks.push(p.reasonCode ?? 0);
    });
    await pub.publishAsync('forbidden/x', 'no', { qos: 1 }).catch(() => undefined);
    pub.publish('forbidden/y', 'no qos0', { qos: 0 });
    await pub.publishAsync('allowed/x', 'yes', { qos: 1 });
    assert.deepEqual(acks, [0x87, 0x10], 'refused with 0x87; the allowed one had no subscribers');

    const tree = t.explorer.service.tree('local');
    await waitFor(() => tree.messages >= 1, 'the allowed message in the tree');
    // The QoS 0 refusal was sent before the allowed publish: had it been counted, it would be by now.
    assert.equal(tree.messages, 1);
    const root = await t.h['explorer.tree.children'](
      { connectionId: 'local', path: '', offset: 0, limit: 50, viewId: t.viewId },
      ctx,
    );
    assert.deepEqual(
      root.children.map((c) => c.path),
      ['allowed'],
    );
    t.explorer.service.history.flush();
    assert.equal((await t.history('forbidden/x')).length, 0);
    assert.equal((await t.history('forbidden/y')).length, 0);
    const allowed = await t.history('allowed/x');
    assert.equal(allowed.length, 1);
    assert.equal(allowed[0]?.clientId, 'refused-pub');
  } finally {
    await t.close();
  }
});

test('a will, a platform publish and $SYS updates reach the explorer with their publisher', async () => {
  const t = await setup({ limits: { sysIntervalSeconds: 1 } });
  try {
    const doomed = await t.client({
      clientId: 'dev-will',
      will: { topic: 'status/dev-will', payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    doomed.stream.destroy(); // abnormal end: the broker publishes the will
    await t.h['explorer.publish'](
      {
        connectionId: 'local',
        topic: 'platform/notice',
        payload: { encoding: 'text', data: 'hello' },
        qos: 0,
        retain: false,
      },
      ctx,
    );
    await t.broker.publish({ topic: 'platform/direct', payload: 'from the api' });

    const history = async (topic: string) => {
      t.explorer.service.history.flush();
      return (await t.history(topic))[0];
    };
    const will = await waitFor(() => history('status/dev-will'), 'the will in history');
    assert.equal(Buffer.from(will.payload ?? '', 'base64').toString(), 'offline');
    assert.equal(will.clientId, 'dev-will');
    const notice = await waitFor(() => history('platform/notice'), 'the explorer publish in history');
    assert.equal(notice.clientId, '(broker)');
    const direct = await waitFor(() => history('platform/direct'), 'the platform publish in history');
    assert.equal(direct.clientId, '(broker)');
    const uptime = await waitFor(() => history('$SYS/broker/uptime'), '$SYS in history', 20_000);
    assert.equal(uptime.clientId, '(broker)');
    assert.equal(uptime.retain, true);
    const tree = t.explorer.service.tree('local');
    // One copy each, not one from the tap plus one from the routed feed.
    assert.equal((await t.history('platform/notice')).length, 1);
    assert.ok(tree.topics >= 4);
  } finally {
    await t.close();
  }
});

test('1,000 publishes fanned out to 200 subscribers are all counted once in the tree, none dropped', async () => {
  const t = await setup();
  const SUBSCRIBERS = 200;
  const MESSAGES = 1000;
  let delivered = 0;
  try {
    const subscribers = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) => t.client({ clientId: `fan-${i}`, protocolVersion: 4 })),
    );
    await Promise.all(subscribers.map((s) => s.subscribeAsync('fan/out', { qos: 0 })));
    for (const s of subscribers) s.on('message', () => delivered++);
    // Watch packets too: the packet tap then sees 200 deliveries per publish, which must not eat
    // into the explorer's message budget.
    const { subscriptionId } = await t.h['explorer.packets.subscribe'](
      { connectionId: 'local', filter: {} },
      ctx,
    );
    const pub = await t.client({ clientId: 'fan-pub' });
    for (let i = 0; i < MESSAGES; i++) pub.publish('fan/out', `m${i}`, { qos: 0 });
    await waitFor(() => delivered === SUBSCRIBERS * MESSAGES, 'every delivery', 120_000);
    const tree = t.explorer.service.tree('local');
    await waitFor(() => tree.messages >= MESSAGES, 'all publishes counted', 30_000);
    const node = await t.h['explorer.tree.children'](
      { connectionId: 'local', path: 'fan', offset: 0, limit: 10, viewId: t.viewId },
      ctx,
    );
    assert.equal(node.node?.subtreeMessages, MESSAGES);
    assert.equal(tree.messages, MESSAGES);
    const local = (await t.h['explorer.connections.list']({}, ctx)).connections.find((c) => c.id === 'local');
    assert.equal(local?.messages, MESSAGES);
    assert.equal(local?.dropped, 0);
    await t.h['explorer.packets.unsubscribe']({ subscriptionId }, ctx);
  } finally {
    await t.close();
  }
});

test('over its budget the routed feed drops and counts what it did not pass on', async () => {
  const t = await setup();
  try {
    let seen = 0;
    const feed = t.broker.routed.attach(() => seen++, { maxMessagesPerSecond: 100 });
    const pub = await t.client({ clientId: 'burst' });
    for (let i = 0; i < 1000; i++) pub.publish('burst/t', 'x', { qos: 0 });
    const tree = t.explorer.service.tree('local');
    await waitFor(() => tree.messages >= 1000, 'the explorer (own budget) counted the burst', 30_000);
    await waitFor(() => seen + feed.dropped === 1000, 'every message passed on or counted as dropped');
    assert.ok(feed.dropped > 0, 'a burst of 1,000 in well under 10 s exceeds 100/s');
    assert.ok(seen >= 100, `${seen} passed on`);
    feed.close();
    assert.throws(() => t.broker.routed.attach(() => undefined, { maxMessagesPerSecond: 0 }), /positive/);
  } finally {
    await t.close();
  }
});
