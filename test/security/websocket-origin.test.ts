import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createBroker } from '../../main/broker';
import { ListenerManager } from '../../main/broker/listeners';
import { type Core, createCore } from '../../main/core';
import { callCore } from '../helpers/core-call';
import { tempDir } from '../helpers/temp-dir';
import { silentLogger } from '../listeners/helpers/broker';
import { connectMqtt, endMqtt } from '../listeners/helpers/clients';
import { rawUpgrade } from './helpers/raw-websocket';

/** A pino logger whose lines are kept in memory. */
function capturingLogger() {
  const lines: Array<{ msg: string; origin?: string; status?: number }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

async function statusOf(port: number, origin?: string): Promise<number> {
  const { socket, status } = await rawUpgrade(port, origin === undefined ? {} : { origin });
  socket.destroy();
  return status;
}

describe('Origin on the MQTT WebSocket listener', () => {
  const broker = createBroker({ allowAnonymous: true, logger: silentLogger });
  const { logger, lines } = capturingLogger();
  let manager: ListenerManager;
  let port = 0;

  before(async () => {
    manager = new ListenerManager({ broker, logger });
    manager.setUiOrigins(['http://127.0.0.1:7333']);
    const ws = await manager.create({ id: 'ws', kind: 'ws', port: 0 });
    assert.equal(ws.state, 'running', ws.error);
    port = ws.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
  });

  test('a foreign browser origin is refused with 403 and logged', async () => {
    assert.equal(await statusOf(port, 'https://evil.example'), 403);
    const line = lines.find((l) => l.status === 403);
    assert.ok(line, 'the refusal is logged');
    assert.equal(line.origin, 'https://evil.example');
    assert.match(line.msg, /origin https:\/\/evil\.example is not allowed/);
    // A browser-like client (mqtt.js sending an Origin) gets no CONNACK.
    await assert.rejects(
      connectMqtt(`ws://127.0.0.1:${port}/mqtt`, { wsOptions: { origin: 'http://evil.example' } }, 3000),
    );
  });

  test("devices without an Origin, Fieldbench's own UI and its own address are allowed", async () => {
    assert.equal(await statusOf(port), 101);
    assert.equal(await statusOf(port, 'http://127.0.0.1:7333'), 101);
    assert.equal(await statusOf(port, 'app://fieldbench'), 101);
    // paho sends its target address as Origin
    assert.equal(await statusOf(port, `https://127.0.0.1:${port}`), 101);
    const device = await connectMqtt(`ws://127.0.0.1:${port}/mqtt`);
    await endMqtt(device);
  });

  test('allowed origins are a per-listener setting', async () => {
    const updated = await manager.update('ws', {
      options: { allowedOrigins: ['https://dash.example:8443'] },
    });
    port = updated.boundPort!;
    assert.equal(await statusOf(port, 'https://dash.example:8443'), 101);
    assert.equal(await statusOf(port, 'https://DASH.example:8443/'), 101);
    assert.equal(await statusOf(port, 'https://dash.example'), 403);
    assert.equal(await statusOf(port, 'https://evil.example'), 403);
    await manager.update('ws', { options: { allowedOrigins: ['*'] } });
    port = manager.get('ws').boundPort!;
    assert.equal(await statusOf(port, 'https://evil.example'), 101);
  });
});

describe('allowed origins through the operator API', () => {
  let core: Core;

  before(async () => {
    core = await createCore({
      dataDir: tempDir(),
      mode: 'headless',
      listeners: { brokerHost: '127.0.0.1', wsPort: 0 },
    });
  });

  after(async () => {
    await core.close();
  });

  test('listeners.update stores them, listeners.list reports them, bad ones are refused', async () => {
    const { listeners } = await callCore(core, 'listeners.list', {});
    const ws = listeners.find((l) => l.kind === 'ws')!;
    assert.deepEqual(ws.options.allowedOrigins, []);
    const updated = await callCore(core, 'listeners.update', {
      id: ws.id,
      options: { allowedOrigins: ['https://dash.example:8443'] },
    });
    assert.deepEqual(updated.options.allowedOrigins, ['https://dash.example:8443']);
    assert.equal(await statusOf(updated.boundPort!, 'https://dash.example:8443'), 101);
    assert.equal(await statusOf(updated.boundPort!, 'https://evil.example'), 403);
    const outcome = await core.dispatch(
      'listeners.update',
      { id: ws.id, options: { allowedOrigins: ['not an origin'] } },
      { transport: 'internal', actor: 'test' },
    );
    assert.equal(outcome.ok, false);
  });
});
