import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { connect, endAll, type Received } from '../helpers/mqtt-client';
import { startBroker } from '../helpers/test-broker';
import { waitFor } from '../helpers/wait-for';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's python3 carries python3-paho-mqtt

function mosquittoSub(port: number, args: string[]): { output: () => string; done: Promise<number | null> } {
  const child = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    out += String(d);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const done = new Promise<number | null>((resolve) =>
    // 'close', not 'exit': the last lines may still be in the pipe when the process exits
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { output: () => out, done };
}

for (const version of ['mqttv311', 'mqttv5', 'mqttv31'] as const) {
  test(`interop: mosquitto_sub and mosquitto_pub (${version}), QoS 0/1/2 and retained`, async () => {
    const tb = await startBroker();
    try {
      const pub = (args: string[]) =>
        run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(tb.port), '-V', version, ...args], {
          timeout: 10_000,
        });
      await pub(['-t', 'interop/kept', '-m', 'retained-msg', '-q', '1', '-r']);
      const sub = mosquittoSub(tb.port, [
        '-V',
        version,
        '-t',
        'interop/#',
        '-q',
        '2',
        '-v',
        '-C',
        '4',
        '-i',
        'msub',
      ]);
      await waitFor(
        () => tb.broker.clients().some((c) => c.clientId === 'msub' && c.subscriptions === 1),
        "tb.broker.clients().some((c) => c.clientId === 'msub' && c.subscriptions === 1)",
        10_000,
      );
      await pub(['-t', 'interop/q0', '-m', 'zero', '-q', '0']);
      await pub(['-t', 'interop/q1', '-m', 'one', '-q', '1']);
      await pub(['-t', 'interop/q2', '-m', 'two', '-q', '2']);
      assert.equal(await sub.done, 0, sub.output());
      assert.deepEqual(sub.output().trim().split('\n'), [
        'interop/kept retained-msg',
        'interop/q0 zero',
        'interop/q1 one',
        'interop/q2 two',
      ]);
    } finally {
      await tb.close();
    }
  });
}

const PAHO_SCRIPT = `
import json, sys, threading
import paho.mqtt.client as mqtt
port, proto = int(sys.argv[1]), sys.argv[2]
version = mqtt.MQTTv5 if proto == '5' else mqtt.MQTTv311
got = []
subscribed, received = threading.Event(), threading.Event()
def on_message(cl, ud, m):
    got.append([m.topic, m.payload.decode(), m.qos])
    if len(got) >= 3:
        received.set()
c = mqtt.Client(client_id='paho-' + proto, protocol=version)
c.on_message = on_message
c.on_subscribe = lambda *args: subscribed.set()
c.connect('127.0.0.1', port, keepalive=30)
c.loop_start()
c.subscribe('paho/#', qos=2)
subscribed.wait(5)
for q in (0, 1, 2):
    c.publish('paho/q%d' % q, 'm%d' % q, qos=q).wait_for_publish(5)
received.wait(5)
c.disconnect()
c.loop_stop()
print(json.dumps(sorted(got)))
`;

for (const proto of ['4', '5']) {
  test(`interop: python paho client (protocol ${proto === '5' ? '5.0' : '3.1.1'}) publishes and receives QoS 0/1/2`, async () => {
    const tb = await startBroker();
    try {
      const watcherGot: Received[] = [];
      const watcher = await connect(tb.url, {}, watcherGot);
      await watcher.subscribeAsync('paho/#', { qos: 2 });
      const { stdout } = await run(PYTHON, ['-c', PAHO_SCRIPT, String(tb.port), proto], { timeout: 20_000 });
      assert.deepEqual(JSON.parse(stdout), [
        ['paho/q0', 'm0', 0],
        ['paho/q1', 'm1', 1],
        ['paho/q2', 'm2', 2],
      ]);
      await waitFor(() => watcherGot.length === 3, 'watcherGot.length === 3');
      await endAll(watcher);
    } finally {
      await tb.close();
    }
  });
}
