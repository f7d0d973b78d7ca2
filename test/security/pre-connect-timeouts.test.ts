import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBroker } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { silentLogger } from '../listeners/helpers/broker';
import { openRaw } from './helpers/clients';
import { closedWithin, rawUpgrade } from './helpers/raw-websocket';

const CONNECT_TIMEOUT_MS = 1000;

describe('WebSocket connections are closed before CONNECT at the same limits as TCP', () => {
  const broker = createBroker({
    allowAnonymous: true,
    logger: silentLogger,
    limits: { connectTimeoutMs: CONNECT_TIMEOUT_MS },
  });
  let manager: ListenerManager;
  const port: Record<string, number> = {};

  before(async () => {
    manager = new ListenerManager({ broker, logger: silentLogger, limits: () => broker.limits() });
    for (const kind of ['mqtt', 'ws'] as const) {
      const status = await manager.create({ id: kind, kind, port: 0 });
      assert.equal(status.state, 'running', status.error);
      port[kind] = status.boundPort!;
    }
  });

  after(async () => {
    await manager.close();
    await broker.close();
  });

  // The broker sweeps every 500 ms and Node checks HTTP timeouts every second: a few seconds is ample,
  // and far below Node's defaults (60 s for headers, 300 s for a request) that applied before.
  const deadline = CONNECT_TIMEOUT_MS + 4000;

  test('TCP: no CONNECT within the connect timeout', async () => {
    const socket = await openRaw(port.mqtt!, '127.0.0.21');
    socket.on('error', () => {});
    assert.ok(await closedWithin(socket, deadline));
  });

  test('WebSocket: no upgrade request within the connect timeout', async () => {
    const socket = await openRaw(port.ws!, '127.0.0.22');
    socket.on('error', () => {});
    assert.ok(await closedWithin(socket, deadline));
  });

  test('WebSocket: half an upgrade request within the connect timeout', async () => {
    const socket = await openRaw(port.ws!, '127.0.0.23');
    socket.on('error', () => {});
    socket.write('GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.ok(await closedWithin(socket, deadline));
  });

  test('WebSocket: upgraded, but no CONNECT within the connect timeout', async () => {
    const { socket, status } = await rawUpgrade(port.ws!, { localAddress: '127.0.0.24' });
    assert.equal(status, 101);
    socket.on('error', () => {});
    socket.resume();
    assert.ok(await closedWithin(socket, deadline));
  });
});
