import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { ApiError } from '../../main/api/api-error';
import { type Explorer, createExplorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { EventLog, makePki, type Pki, silentLogger, startMosquittoPair, viaContract } from './helpers';
import { mosquittoPubSync } from '../helpers/mosquitto-clients';
import { freePort } from '../helpers/free-port';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };
let dir: string;
let pki: Pki;
let broker: Awaited<ReturnType<typeof startMosquittoPair>>;
let store: Store;
let log: EventLog;
let explorer: Explorer;
let tlsProfileId: string;
let plainProfileId: string;

before(async () => {
  dir = tempDir();
  pki = makePki(tempDir('fb-pki-'));
  broker = await startMosquittoPair(dir, pki);
  store = openStore(path.join(dir, 'data'));
  log = new EventLog();
  explorer = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: createFileKeyProtector(path.join(dir, 'data')),
    logger: silentLogger,
    dataDir: path.join(dir, 'data'),
  });
  const h = viaContract(explorer.handlers);
  tlsProfileId = (
    await h['explorer.profiles.save'](
      {
        name: 'mosquitto TLS',
        protocol: 'mqtts',
        host: '127.0.0.1',
        port: broker.tlsPort,
        servername: 'localhost',
        mqttVersion: 5,
        keepAliveSeconds: 30,
        cleanStart: true,
        caPem: pki.caPem,
        certPem: pki.clientCertPem,
        keyPem: pki.clientKeyPem,
        passphrase: pki.passphrase,
        insecureSkipVerify: false,
        subscriptions: [{ filter: 'fb/#', qos: 1 }],
      },
      ctx,
    )
  ).id;
  plainProfileId = (
    await h['explorer.profiles.importUrl'](
      { url: `mqtt://tester:pa55word@127.0.0.1:${broker.port}?version=4` },
      ctx,
    )
  ).id;
});

after(async () => {
  await explorer?.close();
  store?.close();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('TLS profile with a client certificate (encrypted key): mosquitto_pub messages show in the tree, deltas and history', async () => {
  const h = viaContract(explorer.handlers);
  const info = await h['explorer.connections.open']({ profileId: tlsProfileId }, ctx);
  assert.equal(info.state, 'connected');
  const { viewId } = await h['explorer.view.open']({ connectionId: tlsProfileId }, ctx);
  const { subscriptionId } = await h['explorer.packets.subscribe'](
    { connectionId: tlsProfileId, filter: { types: ['publish'], direction: 'in' } },
    ctx,
  );

  for (let i = 0; i < 3; i++)
    mosquittoPubSync(broker.port, ['-t', 'fb/plant/temp', '-m', String(20 + i), '-q', '1']);
  mosquittoPubSync(broker.port, [
    '-t',
    'fb/plant/state',
    '-m',
    '{"on":true}',
    '-D',
    'publish',
    'user-property',
    'k',
    'v',
  ]);
  mosquittoPubSync(broker.port, ['-t', 'other/ignored', '-m', 'x']);

  const root = await waitFor(async () => {
    const r = await h['explorer.tree.children'](
      { connectionId: tlsProfileId, path: '', offset: 0, limit: 50, viewId },
      ctx,
    );
    return r.children[0]?.subtreeMessages === 4 ? r : undefined;
  }, 'four messages in the tree');
  assert.deepEqual(
    root.children.map((c) => c.path),
    ['fb'],
  );
  const plant = await h['explorer.tree.children'](
    { connectionId: tlsProfileId, path: 'fb/plant', offset: 0, limit: 50, viewId },
    ctx,
  );
  assert.deepEqual(
    plant.children.map((c) => [c.name, c.messages, c.preview]),
    [
      ['state', 1, '{"on":true}'],
      ['temp', 3, '22'],
    ],
  );
  assert.equal(plant.node?.subtreeTopics, 2);

  const deltas = await waitFor(() => {
    const d = log.of('explorer.tree.delta').filter((x) => x.viewId === viewId);
    return d.some((x) => x.nodes.some((n) => n.path === 'fb' && n.subtreeMessages === 4)) ? d : undefined;
  }, 'a delta with the fb node');
  assert.ok(deltas.length < 40, `${deltas.length} deltas for 4 messages`);

  const history = await h['explorer.history'](
    { connectionId: tlsProfileId, topic: 'fb/plant/temp', limit: 10 },
    ctx,
  );
  assert.deepEqual(
    history.messages.map((m) => Buffer.from(m.payload ?? '', 'base64').toString()),
    ['22', '21', '20'],
  );
  assert.equal(history.messages[0]?.qos, 1);
  const state = await h['explorer.history'](
    { connectionId: tlsProfileId, topic: 'fb/plant/state', limit: 1 },
    ctx,
  );
  assert.deepEqual(state.messages[0]?.properties?.userProperties, { k: 'v' });
  const decoded = await h['explorer.decode']({ id: state.messages[0]?.id ?? 0 }, ctx);
  assert.equal(decoded.detected, 'json');

  const packets = await waitFor(() => {
    const batches = log.of('explorer.packets').filter((b) => b.subscriptionId === subscriptionId);
    const all = batches.flatMap((b) => b.packets);
    return all.length >= 4 ? all : undefined;
  }, 'publish packets');
  assert.ok(packets.every((p) => p.type === 'publish' && p.direction === 'in'));
  assert.ok(packets.some((p) => p.topic === 'fb/plant/temp' && p.qos === 1 && p.size > 0));

  // Subscriptions are editable while connected.
  await h['explorer.subscriptions.set'](
    { connectionId: tlsProfileId, subscriptions: [{ filter: 'fb/plant/temp', qos: 0 }], persist: true },
    ctx,
  );
  mosquittoPubSync(broker.port, ['-t', 'fb/plant/state', '-m', 'unseen']);
  mosquittoPubSync(broker.port, ['-t', 'fb/plant/temp', '-m', '99']);
  await waitFor(async () => {
    const r = await h['explorer.history'](
      { connectionId: tlsProfileId, topic: 'fb/plant/temp', limit: 1 },
      ctx,
    );
    return Buffer.from(r.messages[0]?.payload ?? '', 'base64').toString() === '99';
  }, 'the message on the kept subscription');
  const stateAfter = await h['explorer.history'](
    { connectionId: tlsProfileId, topic: 'fb/plant/state', limit: 5 },
    ctx,
  );
  assert.equal(stateAfter.messages.length, 1, 'unsubscribed topic received nothing more');
  const saved = (await h['explorer.profiles.list']({}, ctx)).profiles.find((p) => p.id === tlsProfileId);
  assert.deepEqual(saved?.subscriptions, [{ filter: 'fb/plant/temp', qos: 0 }]);

  await h['explorer.packets.unsubscribe']({ subscriptionId }, ctx);
  await h['explorer.view.close']({ viewId }, ctx);
  await h['explorer.connections.close']({ connectionId: tlsProfileId }, ctx);
});

test('profile secrets are encrypted at rest; URL import and export without secrets', async () => {
  const h = viaContract(explorer.handlers);
  const rows = store.db.prepare('SELECT config, secrets FROM explorer_profiles').all() as {
    config: string;
    secrets: Buffer | null;
  }[];
  for (const row of rows) {
    const raw = row.config + (row.secrets?.toString('latin1') ?? '');
    assert.ok(
      !raw.includes('pa55word') && !raw.includes(pki.passphrase) && !raw.includes('ENCRYPTED PRIVATE KEY'),
    );
  }
  const imported = (await h['explorer.profiles.list']({}, ctx)).profiles.find((p) => p.id === plainProfileId);
  assert.equal(imported?.protocol, 'mqtt');
  assert.equal(imported?.username, 'tester');
  assert.equal(imported?.mqttVersion, 4);
  assert.equal(imported?.hasPassword, true);
  const { json } = await h['explorer.profiles.export']({}, ctx);
  assert.ok(!json.includes('pa55word') && !json.includes(pki.passphrase) && !json.includes('PRIVATE KEY'));
  assert.equal(JSON.parse(json).profiles.length, 2);
  await assert.rejects(
    Promise.resolve().then(() => h['explorer.profiles.importUrl']({ url: 'http://x' }, ctx)),
    /Unsupported scheme/,
  );
});

async function openError(profile: Parameters<Explorer['handlers']['explorer.profiles.save']>[0]) {
  const h = viaContract(explorer.handlers);
  const { id } = await h['explorer.profiles.save'](profile, ctx);
  try {
    await h['explorer.connections.open']({ profileId: id }, ctx);
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.ok(err.details, `no details on: ${err.message}`);
    assert.equal(err.code, 'UNAVAILABLE');
    return err.details as {
      kind: string;
      message: string;
      code?: string;
      serverChain?: { subject: string }[];
    };
  } finally {
    await h['explorer.profiles.delete']({ profileId: id }, ctx);
  }
  throw new Error('connection unexpectedly succeeded');
}

test('connection failures are explained in plain words', async () => {
  const base = {
    name: 'broken',
    host: '127.0.0.1',
    mqttVersion: 5 as const,
    keepAliveSeconds: 10,
    cleanStart: true,
    insecureSkipVerify: false,
    subscriptions: [],
  };
  const badCa = await openError({
    ...base,
    protocol: 'mqtts',
    port: broker.tlsPort,
    servername: 'localhost',
    caPem: pki.otherCaPem,
    certPem: pki.clientCertPem,
    keyPem: pki.clientKeyPem,
    passphrase: pki.passphrase,
  });
  assert.equal(badCa.kind, 'tls');
  assert.match(badCa.message, /TLS connection to 127\.0\.0\.1:\d+ failed: .*(not trusted|trusted CA)/);
  assert.match(badCa.serverChain?.[0]?.subject ?? '', /CN=localhost/);
  assert.match(badCa.message, /issued by "O=Fieldbench Test, CN=Test CA"/);

  const refused = await openError({
    ...base,
    protocol: 'mqtt',
    port: await freePort(),
  });
  assert.equal(refused.kind, 'refused');
  assert.match(refused.message, /Connection refused by 127\.0\.0\.1:\d+/);

  const dns = await openError({ ...base, protocol: 'mqtt', host: 'no-such-broker.invalid', port: 1883 });
  assert.equal(dns.kind, 'dns');
  assert.match(dns.message, /could not be resolved/);

  const wrongPassphrase = await openError({
    ...base,
    protocol: 'mqtts',
    port: broker.tlsPort,
    servername: 'localhost',
    caPem: pki.caPem,
    certPem: pki.clientCertPem,
    keyPem: pki.clientKeyPem,
    passphrase: 'wrong',
  });
  assert.match(wrongPassphrase.message, /wrong passphrase/);

  const noClientCert = await openError({
    ...base,
    protocol: 'mqtts',
    port: broker.tlsPort,
    servername: 'localhost',
    caPem: pki.caPem,
  });
  assert.ok(['tls', 'network'].includes(noClientCert.kind), noClientCert.kind);
  assert.match(noClientCert.message, /client certificate/);

  const tlsOnPlain = await openError({ ...base, protocol: 'mqtts', port: broker.port, caPem: pki.caPem });
  assert.match(tlsOnPlain.message, /did not answer with TLS|TLS/);
});

test('retained subtree clear on an external broker: dry run lists, then clears only the subtree', async () => {
  const h = viaContract(explorer.handlers);
  await h['explorer.connections.open']({ profileId: plainProfileId }, ctx);
  mosquittoPubSync(broker.port, ['-t', 'ret/a', '-m', '1', '-r']);
  mosquittoPubSync(broker.port, ['-t', 'ret/b/c', '-m', '2', '-r']);
  mosquittoPubSync(broker.port, ['-t', 'keep/x', '-m', '3', '-r']);
  const dry = await h['explorer.retained.clearSubtree'](
    { connectionId: plainProfileId, filter: 'ret/#', dryRun: true, collectMs: 800 },
    ctx,
  );
  assert.deepEqual(dry, { topics: ['ret/a', 'ret/b/c'], cleared: 0, dryRun: true });
  const again = await h['explorer.retained.clearSubtree'](
    { connectionId: plainProfileId, filter: 'ret/#', dryRun: true, collectMs: 800 },
    ctx,
  );
  assert.deepEqual(again.topics, ['ret/a', 'ret/b/c'], 'dry run cleared nothing');
  const done = await h['explorer.retained.clearSubtree'](
    { connectionId: plainProfileId, filter: 'ret/#', dryRun: false, collectMs: 800 },
    ctx,
  );
  assert.equal(done.cleared, 2);
  const after = await h['explorer.retained.clearSubtree'](
    { connectionId: plainProfileId, filter: '#', dryRun: true, collectMs: 800 },
    ctx,
  );
  assert.deepEqual(after.topics, ['keep/x']);
  await h['explorer.retained.clear']({ connectionId: plainProfileId, topic: 'keep/x' }, ctx);
  const none = await h['explorer.retained.clearSubtree'](
    { connectionId: plainProfileId, filter: '#', dryRun: true, collectMs: 800 },
    ctx,
  );
  assert.deepEqual(none.topics, []);
  await h['explorer.connections.close']({ connectionId: plainProfileId }, ctx);
});

test('capture to JSON lines, open it, and replay it: same topics, payloads and order', async () => {
  const h = viaContract(explorer.handlers);
  await h['explorer.connections.open']({ profileId: plainProfileId }, ctx);
  await h['explorer.connections.open']({ profileId: tlsProfileId }, ctx);
  const open = await h['explorer.connections.list']({}, ctx);
  assert.deepEqual(
    open.connections.map((c) => c.state),
    ['connected', 'connected'],
    'two external connections at once',
  );
  await h['explorer.subscriptions.set'](
    { connectionId: plainProfileId, subscriptions: [{ filter: 'cap/#', qos: 1 }], persist: false },
    ctx,
  );
  const capture = await h['explorer.capture.start'](
    { connectionId: plainProfileId, redactPayloads: false, redactCredentials: true, includePackets: true },
    ctx,
  );
  const binary = path.join(dir, 'bin.dat');
  fs.writeFileSync(binary, Buffer.from([0, 1, 2, 250, 251, 252]));
  const sent: [string, Buffer][] = [];
  for (let i = 0; i < 5; i++) {
    mosquittoPubSync(broker.port, ['-t', `cap/seq/${i % 2}`, '-m', `m${i}`, '-q', '1']);
    sent.push([`cap/seq/${i % 2}`, Buffer.from(`m${i}`)]);
  }
  mosquittoPubSync(broker.port, ['-t', 'cap/bin', '-f', binary]);
  sent.push(['cap/bin', fs.readFileSync(binary)]);
  await waitFor(() => {
    const c = explorer.service.captures.get(capture.captureId);
    return c && c.messages >= sent.length;
  }, 'captured messages');
  const stopped = await h['explorer.capture.stop']({ captureId: capture.captureId }, ctx);
  assert.equal(stopped.messages, sent.length);
  assert.ok(stopped.packets >= sent.length, 'packets were captured too');
  assert.ok(fs.existsSync(path.join(dir, 'data', 'exports', stopped.file)));

  const opened = await h['explorer.capture.open']({ file: stopped.file, offset: 0, limit: 100 }, ctx);
  assert.equal(opened.totalMessages, sent.length);
  assert.deepEqual(
    opened.messages.map((m) => [m.topic, Buffer.from(m.payload ?? '', 'base64').toString('hex')]),
    sent.map(([t, p]) => [t, p.toString('hex')]),
  );

  // An independent mqtt.js client watches the replay.
  const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
  const received: [string, Buffer][] = [];
  watcher.on('message', (topic, payload) => received.push([topic, payload]));
  await watcher.subscribeAsync('replayed/#', { qos: 1 });
  const { replayId, total } = await h['explorer.replay.start'](
    { file: stopped.file, connectionId: plainProfileId, speed: 20, topicPrefix: 'replayed/' },
    ctx,
  );
  assert.equal(total, sent.length);
  await waitFor(() => received.length >= sent.length, 'replayed messages');
  await waitFor(
    () => log.of('explorer.replay.progress').find((p) => p.replayId === replayId && p.done),
    'replay done event',
  );
  assert.deepEqual(
    received.map(([t, p]) => [t, p.toString('hex')]),
    sent.map(([t, p]) => [`replayed/${t}`, p.toString('hex')]),
  );
  await watcher.endAsync();

  // Redacted capture keeps topics and sizes but no payloads.
  const redacted = await h['explorer.capture.start'](
    { connectionId: plainProfileId, redactPayloads: true, redactCredentials: true, includePackets: false },
    ctx,
  );
  mosquittoPubSync(broker.port, ['-t', 'cap/secret', '-m', 'top secret']);
  await waitFor(
    () => (explorer.service.captures.get(redacted.captureId)?.messages ?? 0) >= 1,
    'redacted capture',
  );
  const r = await h['explorer.capture.stop']({ captureId: redacted.captureId }, ctx);
  const text = fs.readFileSync(path.join(dir, 'data', 'exports', r.file), 'utf8');
  assert.ok(!text.includes(Buffer.from('top secret').toString('base64')) && !text.includes('top secret'));
  assert.match(text, /"topic":"cap\/secret".*"size":10,"payload":null/);
  await h['explorer.connections.close']({ connectionId: plainProfileId }, ctx);
  await h['explorer.connections.close']({ connectionId: tlsProfileId }, ctx);
});
