import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Aedes } from 'aedes';
import { createExplorer, type Explorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { run } from '../helpers/process';
import {
  type ContractCaller,
  EventLog,
  makePki,
  type Pki,
  silentLogger,
  startMosquittoPair,
  viaContract,
} from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { serveTcp } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

/*
 * Two external connections open at once, to two different real brokers on loopback: mosquitto over
 * TLS with a client certificate, and aedes over plain TCP. Both carry a topic of the same name, so a
 * message crossing over from one connection's tree to the other's would show in the counts.
 */

const ctx = { transport: 'internal' as const, actor: 'test' };
let dir: string;
let pki: Pki;
let mosquitto: Awaited<ReturnType<typeof startMosquittoPair>>;
let aedes: { port: number; close(): Promise<void> };
let store: Store;
let log: EventLog;
let explorer: Explorer;
let h: ContractCaller;
let mosquittoId: string;
let aedesId: string;

async function startAedes(): Promise<{ port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const tcp = await serveTcp((socket) => broker.handle(socket));
  return {
    port: tcp.port,
    close: async () => {
      await tcp.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** `mosquitto_pub` at QoS 1, without blocking the event loop (aedes runs in this process). */
async function pub(port: number, topic: string, payload: string): Promise<void> {
  const res = await run(
    'mosquitto_pub',
    ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-t', topic, '-m', payload],
    {
      timeoutMs: 15_000,
    },
  );
  if (res.code !== 0) throw new Error(`mosquitto_pub to ${port} failed (${res.code}): ${res.stderr}`);
}

/** Top-level names, and per topic the count and last value, of a connection's tree. */
async function treeOf(connectionId: string): Promise<Map<string, { messages: number; preview?: string }>> {
  const out = new Map<string, { messages: number; preview?: string }>();
  const walk = async (p: string) => {
    const r = await h['explorer.tree.children']({ connectionId, path: p, offset: 0, limit: 500 }, ctx);
    for (const child of r.children) {
      if (child.messages > 0) {
        const entry: { messages: number; preview?: string } = { messages: child.messages };
        if (child.preview !== undefined) entry.preview = child.preview;
        out.set(child.path, entry);
      }
      if (child.childCount > 0) await walk(child.path);
    }
  };
  await walk('');
  return out;
}

async function historyOf(connectionId: string, topic: string): Promise<string[]> {
  const r = await h['explorer.history']({ connectionId, topic, limit: 100 }, ctx);
  return r.messages.map((m) => Buffer.from(m.payload ?? '', 'base64').toString());
}

before(async () => {
  dir = tempDir();
  pki = makePki(tempDir('fb-pki-'));
  mosquitto = await startMosquittoPair(dir, pki);
  aedes = await startAedes();
  store = openStore(path.join(dir, 'data'));
  log = new EventLog();
  explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: createFileKeyProtector(path.join(dir, 'data')),
    logger: silentLogger,
    dataDir: path.join(dir, 'data'),
  });
  h = viaContract(explorer.handlers);
  mosquittoId = (
    await h['explorer.profiles.save'](
      {
        name: 'mosquitto over TLS',
        protocol: 'mqtts',
        host: '127.0.0.1',
        port: mosquitto.tlsPort,
        servername: 'localhost',
        mqttVersion: 5,
        caPem: pki.caPem,
        certPem: pki.clientCertPem,
        keyPem: pki.clientKeyPem,
        passphrase: pki.passphrase,
        subscriptions: [{ filter: '#', qos: 1 }],
      },
      ctx,
    )
  ).id;
  aedesId = (
    await h['explorer.profiles.save'](
      {
        name: 'aedes',
        protocol: 'mqtt',
        host: '127.0.0.1',
        port: aedes.port,
        mqttVersion: 4,
        subscriptions: [{ filter: '#', qos: 1 }],
      },
      ctx,
    )
  ).id;
});

after(async () => {
  await explorer?.close();
  store?.close();
  await mosquitto?.stop();
  await aedes?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two external connections to two different brokers at once: each tree gets exactly its own broker’s messages', async () => {
  const [a, b] = await Promise.all([
    h['explorer.connections.open']({ profileId: mosquittoId }, ctx),
    h['explorer.connections.open']({ profileId: aedesId }, ctx),
  ]);
  assert.equal(a.state, 'connected');
  assert.equal(b.state, 'connected');
  const viewA = (await h['explorer.view.open']({ connectionId: mosquittoId }, ctx)).viewId;
  const viewB = (await h['explorer.view.open']({ connectionId: aedesId }, ctx)).viewId;

  for (let i = 0; i < 3; i++) await pub(mosquitto.port, 'shared/t', `A-${i}`);
  await pub(mosquitto.port, 'site/a/only', 'from mosquitto');
  await pub(aedes.port, 'shared/t', 'B-0');
  for (let i = 0; i < 2; i++) await pub(aedes.port, 'site/b/only', `B-only-${i}`);

  await waitFor(async () => {
    const [ta, tb] = await Promise.all([treeOf(mosquittoId), treeOf(aedesId)]);
    return ta.get('shared/t')?.messages === 3 && tb.get('site/b/only')?.messages === 2;
  }, 'both trees to receive their messages');
  // A marker last on each broker: once each tree has its own, any message that crossed over has shown.
  await pub(mosquitto.port, 'marker', 'A');
  await pub(aedes.port, 'marker', 'B');
  await waitFor(async () => {
    const [ta, tb] = await Promise.all([treeOf(mosquittoId), treeOf(aedesId)]);
    return ta.get('marker')?.preview === 'A' && tb.get('marker')?.preview === 'B';
  }, 'the markers');
  const withoutMarker = async (connectionId: string) =>
    [...(await treeOf(connectionId)).entries()].filter(([topic]) => topic !== 'marker').sort();

  assert.deepEqual(await withoutMarker(mosquittoId), [
    ['shared/t', { messages: 3, preview: 'A-2' }],
    ['site/a/only', { messages: 1, preview: 'from mosquitto' }],
  ]);
  assert.deepEqual(await withoutMarker(aedesId), [
    ['shared/t', { messages: 1, preview: 'B-0' }],
    ['site/b/only', { messages: 2, preview: 'B-only-1' }],
  ]);
  assert.deepEqual(await historyOf(mosquittoId, 'shared/t'), ['A-2', 'A-1', 'A-0']);
  assert.deepEqual(await historyOf(aedesId, 'shared/t'), ['B-0']);

  const infos = new Map((await h['explorer.connections.list']({}, ctx)).connections.map((c) => [c.id, c]));
  // Counts include each broker's marker.
  assert.equal(infos.get(mosquittoId)?.messages, 5);
  assert.equal(infos.get(mosquittoId)?.topics, 3);
  assert.equal(infos.get(aedesId)?.messages, 4);
  assert.equal(infos.get(aedesId)?.topics, 3);

  // Each view's deltas name only its own connection, and end with that connection's numbers.
  const expected = new Map([
    [viewA, { connectionId: mosquittoId, shared: 3, site: 1, messages: 5 }],
    [viewB, { connectionId: aedesId, shared: 1, site: 2, messages: 4 }],
  ]);
  const latest = await waitFor(() => {
    const last = new Map<string, { shared?: number; site?: number; messages: number }>();
    for (const d of log.of('explorer.tree.delta')) {
      const want = expected.get(d.viewId);
      assert.ok(want, `delta for an unknown view ${d.viewId}`);
      assert.equal(d.connectionId, want.connectionId);
      const seen = last.get(d.viewId) ?? { messages: 0 };
      for (const n of d.nodes) {
        if (n.path === 'shared') seen.shared = n.subtreeMessages;
        if (n.path === 'site') seen.site = n.subtreeMessages;
      }
      seen.messages = d.totals.messages;
      last.set(d.viewId, seen);
    }
    const done = [...expected].every(([v, w]) => last.get(v)?.messages === w.messages);
    return done ? last : undefined;
  }, 'deltas with the final totals for both views');
  for (const [viewId, want] of expected) {
    assert.deepEqual(latest.get(viewId), { shared: want.shared, site: want.site, messages: want.messages });
  }

  await h['explorer.view.close']({ viewId: viewA }, ctx);
  await h['explorer.view.close']({ viewId: viewB }, ctx);
});

test('closing one of two external connections leaves the other working', async () => {
  await h['explorer.connections.close']({ connectionId: mosquittoId }, ctx);
  const open = (await h['explorer.connections.list']({}, ctx)).connections;
  assert.deepEqual(
    open.map((c) => [c.id, c.state]),
    [[aedesId, 'connected']],
  );

  await pub(mosquitto.port, 'shared/t', 'A-after-close');
  await pub(aedes.port, 'shared/t', 'B-after-close');
  await pub(aedes.port, 'site/b/new', 'B-new');

  await waitFor(async () => (await treeOf(aedesId)).get('site/b/new')?.messages === 1, 'aedes traffic');
  const tb = await treeOf(aedesId);
  assert.deepEqual(tb.get('shared/t'), { messages: 2, preview: 'B-after-close' });
  assert.deepEqual(await historyOf(aedesId, 'shared/t'), ['B-after-close', 'B-0']);

  // The closed connection's tree and history stay as they were: nothing more arrived. Its message was
  // published before the aedes traffic just awaited, so it would have shown by now.
  assert.deepEqual((await treeOf(mosquittoId)).get('shared/t'), { messages: 3, preview: 'A-2' });
  assert.deepEqual(await historyOf(mosquittoId, 'shared/t'), ['A-2', 'A-1', 'A-0']);

  // Publishing keeps working on the remaining connection, and mosquitto is untouched by the close.
  await h['explorer.publish'](
    { connectionId: aedesId, topic: 'site/b/echo', payload: { encoding: 'text', data: 'via explorer' } },
    ctx,
  );
  await waitFor(async () => (await treeOf(aedesId)).get('site/b/echo')?.preview === 'via explorer', 'echo');

  // It can be opened again and sees new traffic.
  await h['explorer.connections.open']({ profileId: mosquittoId }, ctx);
  await pub(mosquitto.port, 'shared/t', 'A-reopened');
  await waitFor(
    async () => (await treeOf(mosquittoId)).get('shared/t')?.preview === 'A-reopened',
    'traffic after reopening',
  );
  assert.equal((await treeOf(mosquittoId)).get('shared/t')?.messages, 4);
  assert.equal((await treeOf(aedesId)).get('shared/t')?.messages, 2);
  await h['explorer.connections.close']({ connectionId: mosquittoId }, ctx);
  await h['explorer.connections.close']({ connectionId: aedesId }, ctx);
});
