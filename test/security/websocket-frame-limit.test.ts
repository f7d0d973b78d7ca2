import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createBroker } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { silentLogger } from '../listeners/helpers/broker';
import { connectMqtt, endMqtt, nextMessage, subscribe } from '../listeners/helpers/clients';
import { binaryFrameHeader, closedWithin, rawUpgrade } from './helpers/raw-websocket';

const MiB = 1024 * 1024;

/** Writes `total` bytes of one reused chunk while the socket stays open, honouring backpressure. */
async function stream(socket: net.Socket, total: number): Promise<number> {
  const chunk = Buffer.alloc(MiB, 0x41);
  let sent = 0;
  while (sent < total && !socket.destroyed) {
    const flushed = socket.write(chunk);
    sent += chunk.length;
    if (!flushed) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
  return sent;
}

describe('MQTT over WebSocket: frames are limited to the broker packet size', () => {
  const broker = createBroker({ allowAnonymous: true, logger: silentLogger });
  let manager: ListenerManager;
  let port = 0;

  before(async () => {
    manager = new ListenerManager({ broker, logger: silentLogger, limits: () => broker.limits() });
    const ws = await manager.create({ id: 'ws', kind: 'ws', port: 0 });
    assert.equal(ws.state, 'running', ws.error);
    port = ws.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
  });

  test('a frame declaring 200 MiB is closed at its header, before any CONNECT, and memory stays flat', async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const { socket, status } = await rawUpgrade(port);
    assert.equal(status, 101);
    socket.on('error', () => {});
    socket.resume();
    socket.write(binaryFrameHeader(200 * MiB));
    const sent = await stream(socket, 150 * MiB);
    assert.ok(await closedWithin(socket, 5000), 'the server closes the connection');
    // What the two kernels' socket buffers hold, not the 150 MiB the client tried to send.
    assert.ok(sent < 32 * MiB, `closed at the header (the client got ${Math.round(sent / MiB)} MiB out)`);
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 48 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
  });

  test('a frame within the limit still carries MQTT, and other clients never noticed', async () => {
    const url = `ws://127.0.0.1:${port}/mqtt`;
    const sub = await connectMqtt(url);
    const pub = await connectMqtt(url);
    await subscribe(sub, 'frames/ok');
    const got = nextMessage(sub, 'frames/ok');
    pub.publish('frames/ok', Buffer.alloc(512 * 1024, 0x42), { qos: 1 });
    assert.equal((await got).length, 512 * 1024);
    await endMqtt(sub);
    await endMqtt(pub);
  });
});
