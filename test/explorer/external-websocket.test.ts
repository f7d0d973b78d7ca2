import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { ApiError } from '../../main/api/api-error';
import { type Broker, type BrokerHooks, createBroker } from '../../main/broker';
import { createExplorer, type Explorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { type ContractCaller, EventLog, makePki, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };

/** Refuses user "bad" with 0x86 so CONNACK failures can be explained; everyone else is anonymous. */
const hooks: BrokerHooks = {
  authenticate: async (c) =>
    c.username === 'bad'
      ? { ok: false, reasonCode: 0x86 }
      : { ok: true, principal: { kind: 'anonymous', accountId: null, topicPrefix: '' } },
  authorizePublish: async () => true as const,
  authorizeSubscribe: async () => true as const,
};

let dir: string;
let broker: Broker;
let tcp: net.Server;
const tcpSockets = new Set<net.Socket>();
let wsServer: WebSocketServer;
let wssHttp: https.Server;
let wssServer: WebSocketServer;
let store: Store;
let explorer: Explorer;
let h: ContractCaller;
let caPem: string;
const listener = (id: string, port: number) => ({ id, kind: 'mqtt' as const, host: '127.0.0.1', port });

before(async () => {
  dir = tempDir();
  const pki = makePki(tempDir('fb-pki-'));
  caPem = pki.caPem;
  broker = createBroker({ hooks });
  tcp = net.createServer((sock) => {
    tcpSockets.add(sock);
    sock.on('close', () => tcpSockets.delete(sock));
    broker.handleConnection(sock, { listener: listener('tcp', 0), remoteAddress: sock.remoteAddress ?? '' });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const attach = (server: WebSocketServer, id: string) =>
    server.on('connection', (socket, req) =>
      broker.handleConnection(createWebSocketStream(socket), {
        listener: listener(id, 0),
        remoteAddress: req.socket.remoteAddress ?? '',
      }),
    );
  wsServer = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/mqtt',
    handleProtocols: () => 'mqtt',
  });
  await new Promise<void>((resolve) => wsServer.once('listening', resolve));
  attach(wsServer, 'ws');
  wssHttp = https.createServer({
    key: fs.readFileSync(pki.files.serverKey),
    cert: fs.readFileSync(pki.files.serverCert),
  });
  wssServer = new WebSocketServer({ server: wssHttp, path: '/mqtt', handleProtocols: () => 'mqtt' });
  attach(wssServer, 'wss');
  await new Promise<void>((resolve) => wssHttp.listen(0, '127.0.0.1', resolve));

  store = openStore(path.join(dir, 'data'));
  explorer = createExplorer({
    db: store.db,
    events: new EventLog().bus,
    keyProtector: createFileKeyProtector(path.join(dir, 'data')),
    logger: silentLogger,
    dataDir: path.join(dir, 'data'),
  });
  h = viaContract(explorer.handlers);
});

after(async () => {
  await explorer?.close();
  store?.close();
  for (const client of wsServer?.clients ?? []) client.terminate();
  for (const client of wssServer?.clients ?? []) client.terminate();
  await broker?.close();
  await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  await new Promise<void>((resolve) => wssServer.close(() => resolve()));
  wssHttp.closeAllConnections();
  await new Promise<void>((resolve) => wssHttp.close(() => resolve()));
  for (const sock of tcpSockets) sock.destroy();
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const portOf = (s: { address(): unknown }) => (s.address() as net.AddressInfo).port;

async function roundTrip(profileId: string, topic: string): Promise<void> {
  await h['explorer.connections.open']({ profileId }, ctx);
  await h['explorer.publish'](
    {
      connectionId: profileId,
      topic,
      payload: { encoding: 'base64', data: Buffer.from([1, 2, 3]).toString('base64') },
      qos: 1,
    },
    ctx,
  );
  const history = await waitFor(async () => {
    const r = await h['explorer.history']({ connectionId: profileId, topic }, ctx);
    return r.messages.length > 0 ? r : undefined;
  }, `${topic} received back`);
  assert.equal(history.messages[0]?.payload, 'AQID');
  assert.equal(history.messages[0]?.previewKind, 'hex');
  await h['explorer.connections.close']({ connectionId: profileId }, ctx);
}

test('ws and wss profiles connect, publish and receive through a websocket endpoint', async () => {
  const ws = await h['explorer.profiles.importUrl']({ url: `ws://127.0.0.1:${portOf(wsServer)}/mqtt` }, ctx);
  assert.equal(ws.path, '/mqtt');
  await roundTrip(ws.id, 'over/ws');
  const wss = await h['explorer.profiles.save'](
    {
      name: 'wss',
      protocol: 'wss',
      host: '127.0.0.1',
      port: portOf(wssHttp),
      path: '/mqtt',
      servername: 'localhost',
      caPem,
      subscriptions: [{ filter: 'over/#', qos: 1 }],
    },
    ctx,
  );
  await roundTrip(wss.id, 'over/wss');
});

async function refusal(mqttVersion: 4 | 5): Promise<{ kind: string; message: string; code?: string }> {
  const profile = await h['explorer.profiles.save'](
    {
      name: `bad v${mqttVersion}`,
      host: '127.0.0.1',
      port: portOf(tcp),
      username: 'bad',
      password: 'nope',
      mqttVersion,
    },
    ctx,
  );
  try {
    await h['explorer.connections.open']({ profileId: profile.id }, ctx);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err.details as { kind: string; message: string; code?: string };
  }
  throw new Error('connect unexpectedly succeeded');
}

test('a refused CONNECT is explained by its reason code (MQTT 5 and 3.1.1)', async () => {
  const v5 = await refusal(5);
  assert.equal(v5.kind, 'connack');
  assert.equal(v5.code, 'CONNACK 134');
  assert.match(
    v5.message,
    /refused the connection: Bad user name or password \(reason code 134\); check the user name/,
  );
  const v4 = await refusal(4);
  assert.equal(v4.kind, 'connack');
  assert.match(v4.message, /Bad user name or password \(reason code [45]\)/);
});

test('a dropped external connection reconnects, explains why meanwhile, and applies subscription edits made while down', async () => {
  const log = new EventLog();
  const local = createExplorer({
    db: store.db,
    events: log.bus,
    keyProtector: createFileKeyProtector(path.join(dir, 'data')),
    logger: silentLogger,
    dataDir: path.join(dir, 'data'),
  });
  const api = viaContract(local.handlers);
  const sockets = new Set<net.Socket>();
  const makeServer = () =>
    net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      broker.handleConnection(sock, {
        listener: listener('flaky', 0),
        remoteAddress: sock.remoteAddress ?? '',
      });
    });
  let server = makeServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  try {
    const profile = await api['explorer.profiles.save'](
      { name: 'flaky', host: '127.0.0.1', port, subscriptions: [{ filter: 'a/#', qos: 0 }] },
      ctx,
    );
    await api['explorer.connections.open']({ profileId: profile.id }, ctx);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    await closed;
    const down = await waitFor(() => {
      const last = log
        .of('explorer.connections')
        .at(-1)
        ?.connections.find((c) => c.id === profile.id);
      return last?.state === 'reconnecting' && last.error?.kind === 'refused' ? last : undefined;
    }, 'reconnecting with an explained error');
    assert.match(down.error?.message ?? '', /Connection refused by 127\.0\.0\.1/);

    await api['explorer.subscriptions.set'](
      { connectionId: profile.id, subscriptions: [{ filter: 'b/#', qos: 1 }], persist: false },
      ctx,
    );
    server = makeServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await waitFor(() => local.service.external.get(profile.id)?.state === 'connected', 'reconnected', 20_000);
    await waitFor(
      () => broker.sessions().some((x) => x.subscriptions.some((sub) => sub.filter === 'b/#')),
      'new filter',
    );
    await broker.publish({ topic: 'a/old', payload: 'no' });
    await broker.publish({ topic: 'b/new', payload: 'yes' });
    await waitFor(
      () => local.service.existingTree(profile.id)?.find('b/new'),
      'message on the new subscription',
    );
    assert.equal(local.service.existingTree(profile.id)?.find('a/old'), undefined);
  } finally {
    await local.close();
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('ALPN: a profile offering the protocol the server wants connects; a wrong one fails with the TLS alert explained', async () => {
  const pki = makePki(tempDir('fb-alpn-'));
  const server = tls.createServer(
    {
      key: fs.readFileSync(pki.files.serverKey),
      cert: fs.readFileSync(pki.files.serverCert),
      ALPNProtocols: ['x-amzn-mqtt-ca'],
    },
    (sock) =>
      broker.handleConnection(sock, {
        listener: listener('alpn', 0),
        remoteAddress: sock.remoteAddress ?? '',
      }),
  );
  const sockets = new Set<net.Socket>();
  server.on('secureConnection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = {
    protocol: 'mqtts' as const,
    host: '127.0.0.1',
    port: portOf(server),
    servername: 'localhost',
    caPem: pki.caPem,
    subscriptions: [{ filter: 'alpn/#', qos: 0 as const }],
  };
  try {
    const good = await h['explorer.profiles.save'](
      { ...base, name: 'alpn ok', alpn: ['x-amzn-mqtt-ca'] },
      ctx,
    );
    const info = await h['explorer.connections.open']({ profileId: good.id }, ctx);
    assert.equal(info.state, 'connected');
    await h['explorer.connections.close']({ connectionId: good.id }, ctx);

    const bad = await h['explorer.profiles.save']({ ...base, name: 'alpn wrong', alpn: ['mqtt'] }, ctx);
    const error = await h['explorer.connections.open']({ profileId: bad.id }, ctx).then(
      () => undefined,
      (err: ApiError) => err.details as { kind: string; message: string },
    );
    assert.equal(error?.kind, 'tls');
    assert.match(error?.message ?? '', /no application protocol/i);
  } finally {
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
