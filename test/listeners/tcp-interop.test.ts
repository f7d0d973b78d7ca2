import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListenerManager } from '../../main/broker/listeners';
import { type TestBroker, silentLogger, startTestBroker } from './helpers/broker';
import { run } from '../helpers/process';
import { connectMqtt, endMqtt, nextMessage, SYSTEM_PYTHON, subscribe } from './helpers/clients';

const PAHO = path.join(__dirname, 'helpers', 'paho_roundtrip.py');

describe('plain TCP listener interop', () => {
  let broker: TestBroker;
  let manager: ListenerManager;
  let port = 0;

  before(async () => {
    broker = await startTestBroker();
    manager = new ListenerManager({ broker, logger: silentLogger });
    port = (await manager.ensureEphemeral({ kind: 'mqtt', host: '127.0.0.1', port: 0 })).boundPort!;
  });

  after(async () => {
    await manager.close();
    await broker.close();
  });

  test('mosquitto_pub → mqtt.js (v5) and mqtt.js (v4) → mosquitto_sub, for MQTT 3.1.1 and 5', async () => {
    for (const version of ['mqttv311', 'mqttv5']) {
      const common = ['-h', '127.0.0.1', '-p', String(port), '-V', version];
      const watcher = await connectMqtt(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
      await subscribe(watcher, `cli/${version}`);
      const seen = nextMessage(watcher, `cli/${version}`);
      const pub = await run('mosquitto_pub', [
        ...common,
        '-t',
        `cli/${version}`,
        '-m',
        `pub ${version}`,
        '-q',
        '1',
      ]);
      assert.equal(pub.code, 0, pub.stderr);
      assert.equal(await seen, `pub ${version}`);
      await endMqtt(watcher);

      // A retained message reaches mosquitto_sub whenever it subscribes.
      const publisher = await connectMqtt(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4 });
      await new Promise<void>((resolve, reject) =>
        publisher.publish(`cli/${version}/retained`, `kept ${version}`, { qos: 1, retain: true }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
      await endMqtt(publisher);
      const sub = await run('mosquitto_sub', [
        ...common,
        '-t',
        `cli/${version}/retained`,
        '-C',
        '1',
        '-W',
        '10',
      ]);
      assert.equal(sub.code, 0, sub.stderr);
      assert.equal(sub.stdout.trim(), `kept ${version}`);
    }
  });

  test('paho-mqtt round-trips with MQTT 3.1.1 and 5', async () => {
    for (const protocol of ['4', '5']) {
      const r = await run(SYSTEM_PYTHON, [PAHO, '--port', String(port), '--protocol', protocol]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`ok hello from paho v${protocol}`));
    }
  });
});
