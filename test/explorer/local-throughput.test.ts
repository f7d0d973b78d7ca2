import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { createBroker } from '../../main/broker';
import { createExplorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { EventLog, silentLogger, tempDir, viaContract, waitFor } from './helpers';

const ctx = { transport: 'internal' as const, actor: 'test' };
const TOPICS = 10_000;
const MESSAGES = 30_000;
const RATE = 5_000;

test('local tap at ~5,000 msg/s over 10,000 topics: everything counted and stored, deltas batched', async () => {
  const dir = tempDir();
  const store = openStore(dir);
  const broker = createBroker({ allowAnonymous: true });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    broker.handleConnection(sock, {
      listener: { id: 'plain', kind: 'mqtt', host: '127.0.0.1', port: 0 },
      remoteAddress: sock.remoteAddress ?? '127.0.0.1',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
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
      // Pace in 50 ms slices so the offered load stays near RATE msg/s.
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
    await new Promise((r) => setTimeout(r, 400));
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
    await broker.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
