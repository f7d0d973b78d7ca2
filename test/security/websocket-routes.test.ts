import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createBroker } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { silentLogger } from '../listeners/helpers/broker';
import { connectMqtt, endMqtt } from '../listeners/helpers/clients';
import { openRaw } from './helpers/clients';
import { closedWithin, rawUpgrade } from './helpers/raw-websocket';

describe('another WebSocket service beside /mqtt gets the same Origin rule and per-address limits', () => {
  const broker = createBroker({
    allowAnonymous: true,
    logger: silentLogger,
    limits: { maxConnectionsPerAddress: 2 },
  });
  let manager: ListenerManager;
  let port = 0;

  before(async () => {
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      limits: () => broker.limits(),
      webSocketRoutes: () => [
        {
          path: '/echo',
          subprotocols: ['echo'],
          description: 'Echo',
          onSocket: (ws) => ws.on('message', (data) => ws.send(data)),
        },
      ],
    });
    const ws = await manager.create({ id: 'ws', kind: 'ws', port: 0 });
    assert.equal(ws.state, 'running', ws.error);
    port = ws.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
  });

  test('both routes answer; a foreign Origin is refused on either', async () => {
    const echo = new WebSocket(`ws://127.0.0.1:${port}/echo`, 'echo');
    const reply = await new Promise<string>((resolve, reject) => {
      echo.once('open', () => echo.send('ping'));
      echo.once('message', (data) => resolve(data.toString()));
      echo.once('error', reject);
    });
    assert.equal(reply, 'ping');
    echo.close();
    const mqtt = await connectMqtt(`ws://127.0.0.1:${port}/mqtt`);
    await endMqtt(mqtt);
    for (const path of ['/echo', '/mqtt']) {
      const { socket, status } = await rawUpgrade(port, {
        path,
        protocol: path === '/echo' ? 'echo' : 'mqtt',
        origin: 'https://evil.example',
      });
      socket.destroy();
      assert.equal(status, 403, path);
    }
  });

  test('connections to the other route count against the address', async () => {
    const from = '127.0.0.31';
    const first = await rawUpgrade(port, { path: '/echo', protocol: 'echo', localAddress: from });
    const second = await rawUpgrade(port, { path: '/echo', protocol: 'echo', localAddress: from });
    assert.deepEqual([first.status, second.status], [101, 101]);
    const third = await openRaw(port, from);
    third.on('error', () => {});
    assert.ok(await closedWithin(third, 5000), 'the third connection of the address is refused');
    first.socket.destroy();
    second.socket.destroy();
  });
});
