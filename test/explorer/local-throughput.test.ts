import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { createBroker } from '../../main/broker';
import { serveBroker } from '../helpers/test-broker';
import { createExplorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };
const TOPICS = 10_000;
const MESSAGES = 30_000;
const RATE = 5_000;

test('local tap at ~5,000 msg/s over 10,000 topics: everything counted and stored, deltas batched', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  // No $SYS topics: the topic counts below must not depend on how long the run takes.
  const broker = createBroker({ allowAnonymous: true, limits: { sysIntervalSeconds: 0 } });
  const server = await serveBroker(broker, { listenerId: 'plain' });
  const port = server.port;
  const log = new EventLog();
  const explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: createFileKeyProtector(dir),
    logger: silentLogger,
    dataDir: dir,
    broker,
    history: { maxMessagesPerTopic: 100 },
  });
  const h = viaContract(explorer.handlers);
  const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  try {
    const { viewId } = await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    await h['explorer.view.expand']({ viewId, path: 'fleet', expanded: true }, ctx);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const payload = Buffer.from('{"temperature":21.5,"humidity":40,"battery":3.3}');
    for (let sent = 0; sent < MESSAGES; ) {
      // A load generator's pacing, not a wait: 50 ms slices keep the offered load near RATE msg/s.
      const due = Math.floor(((Date.now() - started) / 1000) * RATE) + 250;
      for (; sent < Math.min(due, MESSAGES); sent++) {
        publisher.publish(`fleet/g${sent % 100}/dev${sent % TOPICS}/telemetry`, payload, { qos: 0 });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const tree = explorer.service.tree('local');
    await waitFor(() => tree.messages >= MESSAGES, 'all messages counted', 60_000);
    const seconds = (Date.now() - started) / 1000;
    explorer.service.history.flush();
    const stored = store.db.prepare('SELECT COUNT(*) FROM explorer_messages').pluck().get() as number;
    await waitFor(
      () => log.of('explorer.tree.delta').some((d) => d.viewId === viewId && d.totals.messages >= MESSAGES),
      'the delta with the final total',
    );
    const deltas = log.of('explorer.tree.delta').filter((d) => d.viewId === viewId);
    const maxBytes = Math.max(...deltas.map((d) => JSON.stringify(d).length));
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.log(
      `local throughput: ${MESSAGES} msgs over ${TOPICS} topics in ${seconds.toFixed(1)} s (${Math.round(MESSAGES / seconds)} msg/s), ` +
        `${deltas.length} deltas (max ${maxBytes} B), ${stored} stored, heap +${heapGrowthMb.toFixed(1)} MB`,
    );
    assert.equal(tree.topics, TOPICS);
    assert.equal(stored, MESSAGES, 'every message written to history (at most 100 per topic kept)');
    assert.ok(
      deltas.length <= Math.ceil((seconds * 1000) / 150) + 5,
      `${deltas.length} deltas in ${seconds} s`,
    );
    assert.ok(maxBytes < 400_000);
    const fleet = await h['explorer.tree.children'](
      { connectionId: 'local', path: 'fleet', limit: 200, viewId },
      ctx,
    );
    assert.equal(fleet.total, 100);
    assert.equal(fleet.node?.subtreeMessages, MESSAGES);
    await h['explorer.view.close']({ viewId }, ctx);
  } finally {
    await publisher.endAsync(true);
    await explorer.close();
    await server.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
