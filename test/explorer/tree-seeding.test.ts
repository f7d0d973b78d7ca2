import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { createBroker } from '../../main/broker';
import { createExplorer, type Explorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { serveBroker } from '../helpers/test-broker';
import { allowAllHooks } from './allow-all-hooks';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };

test('after a restart the local tree lists stored topics with counts and previews; live traffic adds to them once', async () => {
  const dir = tempDir();
  const keys = createFileKeyProtector(dir);
  // No $SYS topics: the topic counts below must not depend on how long the run takes.
  const broker = createBroker({ hooks: allowAllHooks, limits: { sysIntervalSeconds: 0 } });
  const server = await serveBroker(broker);
  const log = new EventLog();
  const open = (): { explorer: Explorer; close(): Promise<void> } => {
    const store = openStore(dir);
    const explorer = createExplorer({
      db: store.db,
      events: log.bus,
      keyProtector: keys,
      logger: silentLogger,
      dataDir: dir,
      broker,
    });
    return {
      explorer,
      close: async () => {
        await explorer.close();
        store.close();
      },
    };
  };
  const url = `mqtt://127.0.0.1:${server.port}`;
  const plain = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 5 });
  const acme = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 5, username: 'acme' });
  let run = open();
  try {
    // First run: traffic through the broker tap into the tree and the history.
    let h = viaContract(run.explorer.handlers);
    await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    for (let i = 0; i < 3; i++) await plain.publishAsync('plant/line1/temp', `{"t":${20 + i}}`, { qos: 1 });
    await plain.publishAsync('plant/line1/mode', 'auto', { qos: 1, retain: true });
    await plain.publishAsync('plant/raw', Buffer.from([0, 1, 2, 255]), { qos: 1 });
    await acme.publishAsync('meter/1', '7.5', { qos: 1 });
    await acme.publishAsync('meter/1', '7.6', { qos: 1 });
    await waitFor(() => run.explorer.service.existingTree('local')?.messages === 7, 'first-run traffic');
    await run.close();

    // Second run on the same database (the broker, with its retained message, kept running).
    run = open();
    h = viaContract(run.explorer.handlers);
    const result = await run.explorer.service.seeded('local');
    assert.equal(result?.topics, 4);
    const children = async (path: string) =>
      (await h['explorer.tree.children']({ connectionId: 'local', path, offset: 0, limit: 50 }, ctx))
        .children;
    const root = await children('');
    assert.deepEqual(
      root.map((c) => [c.path, c.subtreeTopics, c.subtreeMessages]),
      [
        ['$a/acme', 1, 2],
        ['plant', 3, 5],
      ],
    );
    const group = root.find((c) => c.path === '$a/acme');
    assert.equal(group?.isAccountGroup, true);
    assert.equal(group?.name, 'acme');
    const meter = await children('$a/acme/meter');
    assert.deepEqual(
      meter.map((c) => [c.displayTopic, c.account, c.messages, c.preview, c.previewKind]),
      [['meter/1', 'acme', 2, '7.6', 'text']],
    );
    const line1 = await children('plant/line1');
    assert.deepEqual(
      line1.map((c) => [c.path, c.messages, c.preview, c.retained, c.rate]),
      [
        ['plant/line1/mode', 1, 'auto', true, 0],
        ['plant/line1/temp', 3, '{"t":22}', false, 0],
      ],
    );
    assert.ok((line1[1]?.lastTime ?? 0) > 0);
    const raw = (await children('plant')).find((c) => c.path === 'plant/raw');
    assert.deepEqual([raw?.preview, raw?.previewKind, raw?.lastSize], ['000102ff', 'hex', 4]);

    // Watching lists the broker's retained message again: it is the stored one, not a new message.
    const { viewId } = await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    await plain.publishAsync('plant/line1/temp', '{"t":30}', { qos: 1 });
    await acme.publishAsync('meter/1', '7.7', { qos: 1 });
    await waitFor(async () => {
      const temp = (await children('plant/line1')).find((c) => c.path === 'plant/line1/temp');
      return temp?.messages === 4;
    }, 'live message on a seeded topic');
    await waitFor(async () => (await children('$a/acme/meter'))[0]?.messages === 3, 'live tenant message');
    const after = await children('plant/line1');
    assert.deepEqual(
      after.map((c) => [c.path, c.messages, c.preview, c.retained]),
      [
        ['plant/line1/mode', 1, 'auto', true],
        ['plant/line1/temp', 4, '{"t":30}', false],
      ],
    );
    const top = await h['explorer.tree.children'](
      { connectionId: 'local', path: '', offset: 0, limit: 5, viewId },
      ctx,
    );
    assert.equal(top.children.find((c) => c.path === 'plant')?.subtreeMessages, 6);
    assert.equal(run.explorer.service.existingTree('local')?.messages, 9);

    // Forgetting the tree keeps it empty for the rest of the run.
    await h['explorer.tree.clear']({ connectionId: 'local' }, ctx);
    assert.equal((await children('')).length, 0);
  } finally {
    plain.end(true);
    acme.end(true);
    await run.close();
    await server.close();
  }
});

test('seeding stops at the per-connection topic limit', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  const explorer = createExplorer({
    db: store.db,
    events: new EventLog().bus,
    keyProtector: createFileKeyProtector(dir),
    logger: silentLogger,
    dataDir: dir,
    maxTopicsPerConnection: 3,
  });
  try {
    for (let i = 0; i < 10; i++) {
      explorer.service.history.add({
        connectionId: 'c1',
        topic: `t/${i}`,
        payload: Buffer.from(`${i}`),
        qos: 0,
        retain: false,
        time: 1000 + i,
      });
    }
    explorer.service.seedFromHistory('c1');
    const result = await explorer.service.seeded('c1');
    assert.equal(result?.full, true);
    assert.equal(explorer.service.existingTree('c1')?.topics, 3);
    assert.equal(explorer.service.existingTree('c1')?.messages, 3);
  } finally {
    await explorer.close();
    store.close();
  }
});
