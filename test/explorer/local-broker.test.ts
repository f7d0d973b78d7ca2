import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createBroker } from '../../main/broker';
import { createExplorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { serveBroker as serve } from '../helpers/test-broker';
import { allowAllHooks as hooks } from './allow-all-hooks';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };

test('local connection reads the embedded broker through the tap, only while watched', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  const broker = createBroker({ hooks });
  const server = await serve(broker);
  const log = new EventLog();
  const explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: createFileKeyProtector(dir),
    logger: silentLogger,
    dataDir: dir,
    broker,
  });
  const h = viaContract(explorer.handlers);
  const clients: MqttClient[] = [];
  const client = async (opts: mqtt.IClientOptions = {}) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, {
      reconnectPeriod: 0,
      protocolVersion: 5,
      ...opts,
    });
    clients.push(c);
    return c;
  };
  try {
    const list = await h['explorer.connections.list']({}, ctx);
    assert.equal(list.connections[0]?.id, 'local');
    const plain = await client({ clientId: 'dev-plain' });
    const acme = await client({ clientId: 'dev-acme', username: 'acme' });

    // Idle: no view, so nothing is read. The PUBACK comes after the broker routed the message.
    await plain.publishAsync('sensors/idle', 'x', { qos: 1 });
    assert.equal(explorer.service.local?.attached, false);
    assert.equal(explorer.service.existingTree('local')?.messages ?? 0, 0);

    await plain.publishAsync('retained/one', 'r1', { retain: true, qos: 1 });
    const { viewId } = await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    assert.equal(explorer.service.local?.attached, true);
    const { subscriptionId } = await h['explorer.packets.subscribe'](
      { connectionId: 'local', filter: {} },
      ctx,
    );

    const watcher = await client({ clientId: 'watcher', username: 'acme' });
    await watcher.subscribeAsync('meter/#', { qos: 1 });
    for (let i = 0; i < 5; i++) await plain.publishAsync('sensors/t', `{"v":${i}}`, { qos: 1 });
    await acme.publishAsync('meter/1', '7.5', {
      qos: 1,
      properties: { contentType: 'text/plain', userProperties: { unit: 'kWh' } },
    });

    const root = await waitFor(async () => {
      const r = await h['explorer.tree.children'](
        { connectionId: 'local', path: '', offset: 0, limit: 50, viewId },
        ctx,
      );
      const sensors = r.children.find((c) => c.path === 'sensors');
      const acmeGroup = r.children.find((c) => c.path === '$a/acme');
      return sensors?.subtreeMessages === 5 && acmeGroup?.subtreeMessages === 1 ? r : undefined;
    }, 'tap messages in the tree');
    const group = root.children.find((c) => c.path === '$a/acme');
    assert.equal(group?.isAccountGroup, true);
    assert.equal(group?.name, 'acme');
    assert.equal(
      root.children.find((c) => c.path === 'retained')?.subtreeMessages,
      1,
      'retained seeded on attach',
    );
    const meter = await h['explorer.tree.children'](
      { connectionId: 'local', path: '$a/acme/meter', offset: 0, limit: 5 },
      ctx,
    );
    assert.deepEqual(
      meter.children.map((c) => [c.displayTopic, c.account, c.messages, c.preview]),
      [['meter/1', 'acme', 1, '7.5']],
    );
    const history = await h['explorer.history'](
      { connectionId: 'local', topic: '$a/acme/meter/1', limit: 5 },
      ctx,
    );
    assert.equal(history.messages[0]?.clientId, 'dev-acme');
    assert.equal(history.messages[0]?.displayTopic, 'meter/1');

    // Publishing into an account namespace from the explorer reaches that account's subscriber.
    const got = new Promise<string>((resolve) =>
      watcher.once('message', (topic, payload) => resolve(`${topic}=${payload}`)),
    );
    await h['explorer.publish'](
      {
        connectionId: 'local',
        topic: 'meter/2',
        account: 'acme',
        payload: { encoding: 'json', data: { kwh: 3 } },
        qos: 1,
        retain: false,
      },
      ctx,
    );
    assert.equal(await got, 'meter/2={"kwh":3}');

    // Templates are saved in SQLite; a stored message can be re-published as it was.
    const template = await h['explorer.templates.save'](
      {
        name: 'meter reading',
        topic: 'meter/9',
        account: 'acme',
        payload: { encoding: 'text', data: '1.0' },
        qos: 1,
        retain: false,
      },
      ctx,
    );
    await h['explorer.templates.save']({ ...template, name: 'meter reading v2' }, ctx);
    const templates = await h['explorer.templates.list']({}, ctx);
    assert.deepEqual(
      templates.templates.map((t) => [t.id, t.name, t.topic]),
      [[template.id, 'meter reading v2', 'meter/9']],
    );
    await h['explorer.templates.delete']({ id: template.id }, ctx);
    assert.equal((await h['explorer.templates.list']({}, ctx)).templates.length, 0);
    const again = new Promise<string>((resolve) =>
      watcher.once('message', (topic, payload) => resolve(`${topic}=${payload}`)),
    );
    await h['explorer.republish']({ id: history.messages[0]?.id ?? 0 }, ctx);
    assert.equal(await again, 'meter/1=7.5');

    // Packets: every direction and type, with account labels; timeline per client.
    const packets = await waitFor(() => {
      const all = log
        .of('explorer.packets')
        .filter((b) => b.subscriptionId === subscriptionId)
        .flatMap((b) => b.packets);
      return all.some((p) => p.type === 'publish' && p.direction === 'out' && p.clientId === 'watcher')
        ? all
        : undefined;
    }, 'outgoing publish to the watcher');
    assert.ok(
      packets.some(
        (p) => p.type === 'subscribe' && p.clientId === 'watcher' && p.filters?.includes('meter/#'),
      ),
    );
    assert.ok(packets.some((p) => p.type === 'publish' && p.account === 'acme' && p.topic === 'meter/1'));
    const later = await client({ clientId: 'late' });
    await later.subscribeAsync('x/#');
    await later.endAsync();
    const timeline = await waitFor(async () => {
      const t = await h['explorer.packets.timeline'](
        { connectionId: 'local', clientId: 'late', limit: 50 },
        ctx,
      );
      return t.entries.some((e) => e.kind === 'disconnect') ? t : undefined;
    }, 'timeline of a short-lived client');
    assert.deepEqual(
      timeline.entries.map((e) => e.kind),
      ['connect', 'connack', 'subscribe', 'suback', 'disconnect'],
    );
    assert.equal(timeline.entries[1]?.summary, 'CONNACK accepted');

    // A connection that drops without DISCONNECT shows its cause.
    const dropped = await client({ clientId: 'dropper' });
    dropped.stream.destroy();
    const dropTimeline = await waitFor(async () => {
      const t = await h['explorer.packets.timeline']({ connectionId: 'local', clientId: 'dropper' }, ctx);
      return t.entries.some((e) => e.kind === 'disconnect') ? t : undefined;
    }, 'timeline of a dropped client');
    assert.equal(
      dropTimeline.entries.at(-1)?.summary,
      'Connection closed: the network connection dropped without a DISCONNECT',
    );

    // Filtered packet subscription only gets matching packets.
    const { subscriptionId: filtered } = await h['explorer.packets.subscribe'](
      { connectionId: 'local', filter: { topic: 'sensors/#', types: ['publish'], direction: 'in' } },
      ctx,
    );
    await plain.publishAsync('sensors/t', 'x', { qos: 0 });
    await plain.publishAsync('other/t', 'x', { qos: 0 });
    // A marker published last: once it is through the filter, so is everything before it.
    await plain.publishAsync('sensors/marker', 'x', { qos: 0 });
    const filteredPackets = await waitFor(() => {
      const all = log
        .of('explorer.packets')
        .filter((b) => b.subscriptionId === filtered)
        .flatMap((b) => b.packets);
      return all.some((p) => p.topic === 'sensors/marker') ? all : undefined;
    }, 'filtered packets up to the marker');
    const onlySensors = filteredPackets.filter((p) => p.topic !== 'sensors/marker');
    assert.ok(onlySensors.length > 0);
    assert.ok(
      onlySensors.every((p) => p.topic === 'sensors/t' && p.direction === 'in' && p.type === 'publish'),
    );

    // Flat search: a topic pattern as each account sees it, and text in the last values.
    const meters = await h['explorer.tree.find']({ connectionId: 'local', filter: 'meter/+' }, ctx);
    assert.deepEqual(
      meters.topics.map((t) => t.path),
      ['$a/acme/meter/1', '$a/acme/meter/2'],
    );
    const byValue = await h['explorer.tree.find']({ connectionId: 'local', search: 'KWH' }, ctx);
    assert.deepEqual(
      byValue.topics.map((t) => t.displayTopic),
      ['meter/2'],
    );

    // A pinned topic is sent in deltas even though its parent is collapsed.
    await h['explorer.pins.set']({ connectionId: 'local', topic: 'sensors/t', pinned: true }, ctx);
    assert.deepEqual((await h['explorer.pins.list']({ connectionId: 'local' }, ctx)).topics, ['sensors/t']);
    await plain.publishAsync('sensors/t', 'pinned!', { qos: 1 });
    const pinnedNode = await waitFor(
      () =>
        log
          .of('explorer.tree.delta')
          .flatMap((d) => d.nodes)
          .find((n) => n.path === 'sensors/t' && n.preview === 'pinned!'),
      'pinned topic in a delta',
    );
    assert.equal(pinnedNode.pinned, true);

    // Retained subtree clear with a dry run.
    await acme.publishAsync('cfg/a', '1', { retain: true, qos: 1 });
    await acme.publishAsync('cfg/b/c', '2', { retain: true, qos: 1 });
    const dry = await h['explorer.retained.clearSubtree'](
      { connectionId: 'local', filter: 'cfg/#', account: 'acme', dryRun: true, collectMs: 500 },
      ctx,
    );
    assert.deepEqual(dry.topics, ['$a/acme/cfg/a', '$a/acme/cfg/b/c']);
    assert.equal(broker.retained('$a/acme/cfg/#').length, 2);
    const cleared = await h['explorer.retained.clearSubtree'](
      { connectionId: 'local', filter: 'cfg/#', account: 'acme', dryRun: false, collectMs: 500 },
      ctx,
    );
    assert.equal(cleared.cleared, 2);
    await waitFor(() => broker.retained('$a/acme/cfg/#').length === 0, 'retained cleared');
    assert.equal(broker.retained('retained/#').length, 1, 'other retained messages untouched');

    // Closing every watcher detaches the tap.
    await h['explorer.packets.unsubscribe']({ subscriptionId }, ctx);
    await h['explorer.packets.unsubscribe']({ subscriptionId: filtered }, ctx);
    await h['explorer.view.close']({ viewId }, ctx);
    assert.equal(explorer.service.local?.attached, false);
    const before = explorer.service.existingTree('local')?.messages;
    // The PUBACK comes after the broker routed the message (a watcher is told synchronously).
    await plain.publishAsync('sensors/t', 'unseen', { qos: 1 });
    assert.equal(explorer.service.existingTree('local')?.messages, before);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await explorer.close();
    await broker.close();
    await server.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
