import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { createBroker, defaultLimits } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { createCa, issueCert, readPem } from '../helpers/openssl-pki';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { silentLogger } from '../listeners/helpers/broker';
import { connectMqtt, endMqtt, nextMessage, subscribe } from '../listeners/helpers/clients';
import { connectFrom, connectPacket, openRaw } from './helpers/clients';
import { binaryFrameHeader, closedWithin, rawUpgrade } from './helpers/raw-websocket';

const KiB = 1024;

describe('per-address limits apply to TCP, TLS, WS and WSS alike', () => {
  const broker = createBroker({
    allowAnonymous: true,
    logger: silentLogger,
    limits: {
      maxConnectionsPerAddress: 4,
      maxUnauthenticatedPerAddress: 3,
      maxPendingBytesPerAddress: 64 * KiB,
    },
  });
  let manager: ListenerManager;
  const port: Record<string, number> = {};
  const sockets: net.Socket[] = [];
  const clients: MqttClient[] = [];

  let caFile = '';

  before(async () => {
    const dir = tempDir();
    const ca = createCa(dir, 'limits-ca');
    caFile = ca.cert;
    const server = issueCert(ca, 'limits-server', {
      extendedKeyUsage: 'serverAuth',
      subjectAltName: 'DNS:localhost,IP:127.0.0.1',
    });
    const material = { certificates: [{ cert: readPem(server.cert), key: readPem(server.key) }] };
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      limits: () => broker.limits(),
      tlsMaterial: () => material,
    });
    for (const kind of ['mqtt', 'mqtts', 'ws', 'wss'] as const) {
      const status = await manager.create({ id: kind, kind, port: 0 });
      assert.equal(status.state, 'running', status.error);
      port[kind] = status.boundPort!;
    }
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(clients.map((c) => endMqtt(c)));
    await manager.close();
    await broker.close();
  });

  async function raw(kind: string, from: string): Promise<net.Socket> {
    const socket = await openRaw(port[kind]!, from);
    socket.on('error', () => {});
    sockets.push(socket);
    return socket;
  }

  test('the N+1-th connection from one address is refused on every listener while other addresses keep working', async () => {
    const from = '127.0.0.11';
    const subscriber = await connectFrom(from, port.mqtt!);
    clients.push(subscriber);
    await subscribe(subscriber, 'limits/hello');
    // Handshakes in progress count too: an idle socket on the TLS listener and one on the wss listener.
    const idleTls = await raw('mqtts', from);
    await raw('wss', from);
    const { socket: upgraded, status } = await rawUpgrade(port.ws!, { localAddress: from });
    assert.equal(status, 101);
    sockets.push(upgraded);
    await waitFor(() => manager.guard.usageOf(from).open === 4, 'four open connections from the address');

    for (const kind of ['mqtt', 'mqtts', 'ws', 'wss']) {
      const extra = await raw(kind, from);
      assert.ok(await closedWithin(extra, 5000), `the fifth connection (${kind}) is closed`);
    }
    assert.ok(
      manager.list().every((l) => l.refusedConnections === 1),
      'each listener counted its refusal',
    );

    // Another address is not affected, and the subscriber still gets messages.
    const other = await connectFrom('127.0.0.12', port.mqtt!);
    clients.push(other);
    const got = nextMessage(subscriber, 'limits/hello');
    other.publish('limits/hello', 'still working', { qos: 1 });
    assert.equal(await got, 'still working');

    // Closing one frees a place for the address.
    idleTls.destroy();
    await waitFor(() => manager.guard.usageOf(from).open === 3, 'the closed socket to be released');
    const again = await connectFrom(from, port.mqtt!);
    clients.push(again);
  });

  test('unauthenticated connections per address are bounded until they reach CONNACK', async () => {
    const from = '127.0.0.13';
    const idle = [await raw('mqtt', from), await raw('mqtt', from), await raw('mqtts', from)];
    await waitFor(() => manager.guard.usageOf(from).unauthenticated === 3, 'three unauthenticated');
    const fourth = await raw('ws', from);
    assert.ok(await closedWithin(fourth, 5000), 'the fourth unauthenticated connection is closed');

    // One of them completes CONNECT: it no longer counts, so another may start.
    const connack = new Promise<Buffer>((resolve) => idle[0]!.once('data', resolve));
    idle[0]!.write(connectPacket('limits-late'));
    assert.equal((await connack)[0], 0x20, 'CONNACK');
    await waitFor(
      () => manager.guard.usageOf(from).unauthenticated === 2,
      'the connected one to stop counting',
    );
    const fifth = await raw('mqtt', from);
    fifth.write(connectPacket('limits-fifth'));
    const answer = await new Promise<Buffer>((resolve) => fifth.once('data', resolve));
    assert.equal(answer[0], 0x20, 'the new connection is served');
  });

  test('a CONNACK over TLS and secure WebSocket ends the unauthenticated count too', async () => {
    // mqtt.js cannot choose its source address over TLS; 127.0.0.1 is used by no other test here.
    const ca = readPem(caFile);
    const tls = await connectMqtt(`mqtts://localhost:${port.mqtts}`, { ca });
    const wss = await connectMqtt(`wss://localhost:${port.wss}/mqtt`, { ca });
    clients.push(tls, wss);
    const usage = manager.guard.usageOf('127.0.0.1');
    assert.equal(usage.open, 2);
    assert.equal(usage.unauthenticated, 0);
    assert.equal(usage.pendingBytes, 0);
  });

  test('bytes sent before CONNACK are bounded per address (TCP and WebSocket)', async () => {
    const from = '127.0.0.14';
    // A CONNECT declaring 200 KiB (within the packet limit) that never ends.
    const header = Buffer.from([0x10, 0x80, 0xa4, 0x0c]); // remaining length 200 KiB (varint)
    const tcp = await raw('mqtt', from);
    tcp.write(header);
    tcp.write(Buffer.alloc(40 * KiB));
    const { socket: ws, status } = await rawUpgrade(port.ws!, { localAddress: from });
    assert.equal(status, 101);
    sockets.push(ws);
    ws.on('error', () => {});
    const payload = Buffer.concat([header, Buffer.alloc(40 * KiB)]);
    ws.write(binaryFrameHeader(payload.length));
    ws.write(payload); // unmasked bytes; the mask only scrambles them
    const closedOne = await Promise.race([closedWithin(tcp, 5000), closedWithin(ws, 5000)]);
    assert.ok(closedOne, 'a connection of the address went over 64 KiB before CONNACK and was closed');
    await waitFor(
      () => manager.guard.usageOf(from).pendingBytes <= 64 * KiB,
      'the closed connection to give back its bytes',
    );
  });

  test('an incomplete WebSocket frame counts before it is complete', async () => {
    const from = '127.0.0.15';
    const { socket, status } = await rawUpgrade(port.ws!, { localAddress: from });
    assert.equal(status, 101);
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write(binaryFrameHeader(512 * KiB)); // within the frame limit, never finished
    for (let i = 0; i < 10 && !socket.destroyed; i++) socket.write(Buffer.alloc(16 * KiB));
    assert.ok(await closedWithin(socket, 5000), 'closed once the address sent more than 64 KiB');
    await waitFor(() => manager.guard.usageOf(from).open === 0, 'the address to be released');
  });

  test('the defaults are finite', () => {
    assert.ok(defaultLimits.maxConnectionsPerAddress > 0);
    assert.ok(defaultLimits.maxUnauthenticatedPerAddress > 0);
    assert.ok(defaultLimits.maxPendingBytesPerAddress > 0);
  });
});
