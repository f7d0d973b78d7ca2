import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ListenerManager, type ListenerStatus } from '../../main/broker/listeners';
import { openStore, type Store } from '../../main/store';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { connectMqtt, endMqtt, nextMessage, subscribe } from './helpers/clients';

function url(status: ListenerStatus): string {
  return `mqtt://127.0.0.1:${status.boundPort}`;
}

describe('listener manager', () => {
  let dir: string;
  let store: Store;
  let broker: TestBroker;
  let manager: ListenerManager;
  const stateChanges: ListenerStatus[] = [];

  before(async () => {
    dir = tempDir();
    store = openStore(dir);
    broker = await startTestBroker();
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      db: store.db,
      onStateChange: (s) => stateChanges.push(s),
    });
  });

  after(async () => {
    await manager.close();
    await broker.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a listener on port 0 reports the port it bound and serves mqtt.js v4 and v5', async () => {
    const status = await manager.create({ id: 'tcp-a', kind: 'mqtt', port: 0 });
    assert.equal(status.state, 'running');
    assert.ok(status.boundPort && status.boundPort > 0);
    for (const protocolVersion of [4, 5] as const) {
      const client = await connectMqtt(url(status), { protocolVersion });
      await subscribe(client, `v${protocolVersion}/echo`);
      const got = nextMessage(client, `v${protocolVersion}/echo`);
      client.publish(`v${protocolVersion}/echo`, 'ping');
      assert.equal(await got, 'ping');
      await endMqtt(client);
    }
    const after = manager.get('tcp-a');
    assert.ok(after.bytesIn > 0 && after.bytesOut > 0, 'bytes are counted');
    assert.ok(after.totalConnections >= 2);
    assert.ok(broker.handed.some((c) => c.listener.id === 'tcp-a' && c.listener.port === status.boundPort));
  });

  test('port in use puts only that listener in error, with a readable message', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const failed = await manager.create({ id: 'tcp-clash', kind: 'mqtt', port });
      assert.equal(failed.state, 'error');
      assert.match(failed.error ?? '', new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.ok(stateChanges.some((s) => s.id === 'tcp-clash' && s.state === 'error'));
      // The other listener keeps serving.
      const client = await connectMqtt(url(manager.get('tcp-a')));
      await endMqtt(client);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    // Once the port is free the same record starts fine.
    const retried = await manager.start('tcp-clash');
    assert.equal(retried.state, 'running');
    assert.equal(retried.boundPort, port);
    await manager.remove('tcp-clash');
  });

  test('stopping one listener leaves clients of another connected and working', async () => {
    const b = await manager.create({ id: 'tcp-b', kind: 'mqtt', port: 0 });
    const onA = await connectMqtt(url(manager.get('tcp-a')), { clientId: 'on-a' });
    const onB = await connectMqtt(url(b), { clientId: 'on-b' });
    const bClosed = new Promise<void>((r) => onB.once('close', () => r()));
    await waitFor(() => manager.get('tcp-b').connectedClients === 1, 'client on tcp-b to be counted');
    const stopped = await manager.stop('tcp-b');
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.boundPort, null);
    await bClosed;
    assert.equal(onA.connected, true);
    await subscribe(onA, 'still/alive');
    const got = nextMessage(onA, 'still/alive');
    onA.publish('still/alive', 'yes');
    assert.equal(await got, 'yes');
    await assert.rejects(connectMqtt(`mqtt://127.0.0.1:${b.boundPort}`, {}, 3000));
    onB.end(true);
    await endMqtt(onA);
  });

  test('maximum connections refuses extra sockets immediately and counts them', async () => {
    const limited = await manager.create({
      id: 'tcp-limited',
      kind: 'mqtt',
      port: 0,
      options: { maxConnections: 2 },
    });
    const first = await connectMqtt(url(limited));
    const second = await connectMqtt(url(limited));
    await assert.rejects(connectMqtt(url(limited), {}, 5000));
    await waitFor(() => manager.get('tcp-limited').refusedConnections >= 1, 'refusal to be counted');
    assert.equal(manager.get('tcp-limited').connectedClients, 2);
    await endMqtt(first);
    await endMqtt(second);
    await manager.remove('tcp-limited');
  });

  test('records persist in SQLite and a new manager loads and starts the enabled ones', async () => {
    await manager.create({ id: 'persisted-off', kind: 'ws', port: 0, enabled: false });
    const updated = await manager.update('persisted-off', { options: { maxConnections: 7 } });
    assert.equal(updated.state, 'stopped');
    assert.equal(updated.options.maxConnections, 7);
    const rows = store.db.prepare('SELECT id, kind, enabled, options FROM listeners ORDER BY id').all() as {
      id: string;
      enabled: number;
      options: string;
    }[];
    assert.deepEqual(
      rows.map((r) => r.id),
      ['persisted-off', 'tcp-a', 'tcp-b'],
    );
    assert.equal(JSON.parse(rows.find((r) => r.id === 'persisted-off')!.options).maxConnections, 7);

    const second = new ListenerManager({ broker, logger: silentLogger, db: store.db });
    await assert.rejects(second.create({ id: 'tcp-a', kind: 'mqtt', port: 0 }), { code: 'LISTENER_EXISTS' });
    try {
      // tcp-a's port is still held by the first manager: port 0 in the record means it gets a fresh one.
      const loaded = await second.load();
      const byId = new Map(loaded.map((s) => [s.id, s]));
      assert.equal(byId.get('persisted-off')?.state, 'stopped');
      assert.equal(byId.get('tcp-a')?.state, 'running');
      assert.notEqual(byId.get('tcp-a')?.boundPort, manager.get('tcp-a').boundPort);
    } finally {
      await second.close();
    }
  });

  test('ephemeral listeners from CLI flags are not persisted and are idempotent', async () => {
    const first = await manager.ensureEphemeral({ kind: 'mqtt', host: '127.0.0.1', port: 0 });
    const again = await manager.ensureEphemeral({ kind: 'mqtt', host: '127.0.0.1', port: 0 });
    assert.equal(first.id, again.id);
    assert.equal(first.boundPort, again.boundPort);
    assert.equal(first.ephemeral, true);
    const row = store.db.prepare('SELECT id FROM listeners WHERE id = ?').get(first.id);
    assert.equal(row, undefined);
    const client = await connectMqtt(url(first));
    await endMqtt(client);
    await manager.remove(first.id);
  });

  test('update restarts a running listener on its new port', async () => {
    const moved = await manager.update('tcp-b', { enabled: true, port: 0, host: '127.0.0.1' });
    assert.equal(moved.state, 'running');
    const client = await connectMqtt(url(moved));
    await endMqtt(client);
  });
});
