import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ListenerManager } from '../../main/broker/listeners';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { createTestPki, type TestPki } from '../helpers/openssl-pki';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';
import { connectMqtt, endMqtt, nextMessage, SYSTEM_PYTHON, subscribe } from './helpers/clients';

const PAHO = path.join(__dirname, 'helpers', 'paho_roundtrip.py');

/** The HTTP status a WebSocket upgrade gets (101 when accepted), and the subprotocol chosen. */
function upgrade(
  port: number,
  urlPath: string,
  protocols: string[],
): Promise<{ status: number; protocol: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${urlPath}`, protocols);
    ws.once('open', () => {
      resolve({ status: 101, protocol: ws.protocol });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, protocol: '' });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('WebSocket listeners', () => {
  let pki: TestPki;
  let broker: TestBroker;
  let manager: ListenerManager;
  let wsPort = 0;
  let wssPort = 0;

  before(async () => {
    pki = createTestPki(tempDir());
    broker = await startTestBroker();
    manager = new ListenerManager({
      broker,
      logger: silentLogger,
      tlsMaterial: () => ({
        certificates: [{ cert: pki.read(pki.server.cert), key: pki.read(pki.server.key) }],
      }),
    });
    const ws = await manager.create({ id: 'ws', kind: 'ws', port: 0 });
    const wss = await manager.create({ id: 'wss', kind: 'wss', port: 0 });
    assert.equal(ws.state, 'running', ws.error);
    assert.equal(wss.state, 'running', wss.error);
    wsPort = ws.boundPort!;
    wssPort = wss.boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
    fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  test('mqtt.js v4 and v5 over ws and wss', async () => {
    const urls = [`ws://127.0.0.1:${wsPort}/mqtt`, `wss://localhost:${wssPort}/mqtt`];
    for (const url of urls) {
      for (const protocolVersion of [4, 5] as const) {
        const client = await connectMqtt(url, { protocolVersion, ca: pki.read(pki.ca) });
        const topic = `ws/${protocolVersion}`;
        await subscribe(client, topic);
        const got = nextMessage(client, topic);
        client.publish(topic, url, { qos: 1 });
        assert.equal(await got, url);
        await endMqtt(client);
      }
    }
    assert.ok(manager.get('ws').bytesIn > 0);
  });

  test('a ws client and a tcp client talk to each other', async () => {
    const tcp = await manager.create({ id: 'tcp', kind: 'mqtt', port: 0 });
    const overWs = await connectMqtt(`ws://127.0.0.1:${wsPort}/mqtt`);
    const overTcp = await connectMqtt(`mqtt://127.0.0.1:${tcp.boundPort}`);
    await subscribe(overWs, 'bridge/x');
    const got = nextMessage(overWs, 'bridge/x');
    overTcp.publish('bridge/x', 'tcp to ws', { qos: 1 });
    assert.equal(await got, 'tcp to ws');
    await endMqtt(overWs);
    await endMqtt(overTcp);
    await manager.remove('tcp');
  });

  test('paho-mqtt over websockets (plain and TLS)', async () => {
    const plain = await run(SYSTEM_PYTHON, [PAHO, '--port', String(wsPort), '--transport', 'websockets']);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    const secure = await run(SYSTEM_PYTHON, [
      ...[PAHO, '--host', 'localhost', '--port', String(wssPort), '--transport', 'websockets'],
      ...['--cafile', pki.ca],
    ]);
    assert.equal(secure.code, 0, secure.stdout + secure.stderr);
  });

  test('the mqtt and mqttv3.1 subprotocols are accepted, others and other paths are not', async () => {
    assert.deepEqual(await upgrade(wsPort, '/mqtt', ['mqtt']), { status: 101, protocol: 'mqtt' });
    assert.deepEqual(await upgrade(wsPort, '/mqtt', ['mqttv3.1']), { status: 101, protocol: 'mqttv3.1' });
    assert.deepEqual(await upgrade(wsPort, '/mqtt', ['graphql-ws', 'mqtt']), {
      status: 101,
      protocol: 'mqtt',
    });
    assert.equal((await upgrade(wsPort, '/mqtt', ['graphql-ws'])).status, 400);
    assert.equal((await upgrade(wsPort, '/mqtt', [])).status, 400);
    assert.equal((await upgrade(wsPort, '/other', ['mqtt'])).status, 404);
    const plainGet = await new Promise<number>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${wsPort}/mqtt`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .once('error', reject);
    });
    assert.equal(plainGet, 404);
  });
});
