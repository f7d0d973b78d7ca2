import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../helpers/process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { clientIdOf, connected, createWithKey, type GatewayLab, jwtFor, REGISTRY, startLab } from './helpers';

const SCRIPT = path.join(import.meta.dirname, 'fixtures', 'paho_gateway.py');

describe('the seed sample with Python paho, and a restart', () => {
  const dir = tempDir();
  let lab: GatewayLab;
  const keys: Record<string, string> = {};

  before(async () => {
    lab = await startLab(dir);
    keys['gw-py'] = await createWithKey(lab, 'gw-py', 'gateway');
    keys['valve-7'] = await createWithKey(lab, 'valve-7', 'device');
    const base = { accountId: lab.accountId, registryId: REGISTRY };
    await lab.call('gateways.bind', { ...base, gatewayId: 'gw-py', deviceId: 'valve-7' });
    await lab.call('gateways.updateConfig', { ...base, deviceId: 'gw-py', payload: 'gateway-config-1' });
    await lab.call('gateways.updateConfig', { ...base, deviceId: 'valve-7', payload: 'valve-config-1' });
    await lab.call('gateways.updateConfig', { ...base, deviceId: 'valve-7', payload: 'valve-config-2' });
  });
  after(async () => {
    await lab.core.close();
  });

  test('paho (3.1.1 over TLS) attaches, gets both latest configs, detaches, unsubscribes and disconnects', async () => {
    const cafile = path.join(dir, 'ca.pem');
    fs.writeFileSync(cafile, lab.ca);
    const result = await run('/usr/bin/python3', [
      SCRIPT,
      'localhost',
      String(lab.ports.mqtts),
      cafile,
      clientIdOf('gw-py'),
      await jwtFor(keys['gw-py']!),
      REGISTRY,
      'gw-py',
      'valve-7',
    ]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const steps = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(steps[0], { step: 'connack', rc: 0 });
    assert.deepEqual(
      steps.find((s) => s.step === 'subscribed'),
      { step: 'subscribed', granted: [1, 1] },
    );
    const messages = steps.filter((s) => s.step === 'message').map((s) => [s.topic, s.payload]);
    assert.deepEqual(messages.sort(), [
      [`/${REGISTRY}/gw-py/config`, 'gateway-config-1'],
      [`/${REGISTRY}/valve-7/config`, 'valve-config-2'],
    ]);
    assert.deepEqual(
      steps.map((s) => s.step).filter((s) => s !== 'message'),
      ['connack', 'attached', 'subscribed', 'detached', 'unsubscribed', 'done'],
    );
    const { device } = await lab.call('gateways.getDevice', {
      accountId: lab.accountId,
      registryId: REGISTRY,
      deviceId: 'valve-7',
    });
    assert.equal(device.configAckedVersion, 2, 'paho acknowledged the latest version');
    assert.deepEqual(device.attachedTo, []);
  });

  test('a restart keeps registries, bindings, keys and config; the gateway gets the config again', async () => {
    await lab.core.close();
    lab = await startLab(dir, false);
    assert.deepEqual(
      (await lab.call('gateways.listRegistries', { accountId: lab.accountId })).registries.map((r) => [
        r.registryId,
        r.gatewayCount,
        r.deviceCount,
      ]),
      [[REGISTRY, 1, 1]],
    );
    const devices = (
      await lab.call('gateways.listDevices', { accountId: lab.accountId, registryId: REGISTRY })
    ).devices;
    const valve = devices.find((d) => d.deviceId === 'valve-7')!;
    assert.deepEqual(valve.bindings, ['gw-py']);
    assert.equal(valve.configVersion, 2);
    assert.equal(valve.configAckedVersion, 2);
    assert.equal(valve.keys.length, 1);

    const gateway = await connected(lab, clientIdOf('gw-py'), await jwtFor(keys['gw-py']!));
    const received: string[] = [];
    gateway.on('message', (_topic, payload) => received.push(payload.toString()));
    try {
      await gateway.publishAsync(`/${REGISTRY}/valve-7/attach`, '', { qos: 1 });
      await gateway.subscribeAsync(`/${REGISTRY}/valve-7/config`, { qos: 1 });
      await waitFor(() => received.includes('valve-config-2'), 'the config after the restart');
    } finally {
      await gateway.endAsync();
    }
  });
});
