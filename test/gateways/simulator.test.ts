import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fleetIds, GatewaySimulator, provisionThroughApi } from '../../main/gateways/simulator';
import { waitFor } from '../helpers/wait-for';
import { ACCOUNT, type GatewayLab, REGISTRY, startLab } from './helpers';

describe('the gateway simulator library', () => {
  let lab: GatewayLab;
  let simulator: GatewaySimulator;

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await simulator?.stop();
    await lab.core.close();
  });

  test('provisions 3 gateways × 4 devices through the operator API, attaches them, publishes, applies config and commands', async () => {
    const fleet = await provisionThroughApi(lab, lab.accountId, REGISTRY, fleetIds('lab', 3, 4));
    assert.equal(fleet.keys.size, 15);
    simulator = new GatewaySimulator({
      mqtt: { host: 'localhost', port: lab.ports.mqtts, ca: lab.ca },
      accountName: ACCOUNT,
      registryId: REGISTRY,
      fleet,
      eventsPerSecond: 5,
      stateEvery: 2,
    });
    await simulator.start();
    assert.equal(simulator.snapshot().gatewaysConnected, 3);
    assert.equal(simulator.snapshot().devicesAttached, 12);
    const devices = async () =>
      (await lab.call('gateways.listDevices', { accountId: lab.accountId, registryId: REGISTRY })).devices;
    await waitFor(
      async () =>
        (await devices()).filter((d) => d.kind === 'device').every((d) => d.lastEvent && d.lastState),
      'an event and a state from every device',
      20_000,
    );
    const one = (await devices()).find((d) => d.deviceId === 'lab-gw-1-dev-2')!;
    assert.deepEqual(one.attachedTo, ['lab-gw-1']);
    assert.match(one.lastEvent!.text, /"temperature"/);

    const ref = { accountId: lab.accountId, registryId: REGISTRY, deviceId: 'lab-gw-1-dev-2' };
    await lab.call('gateways.updateConfig', { ...ref, payload: '{"interval":30}' });
    await lab.call('gateways.sendCommand', { ...ref, payload: 'blink', subfolder: 'led' });
    await waitFor(
      () => simulator.snapshot().configs['lab-gw-1-dev-2'] === '{"interval":30}',
      'the config applied',
    );
    await waitFor(() => simulator.snapshot().commandsReceived === 1, 'the command');
    await waitFor(
      async () => (await lab.call('gateways.getDevice', ref)).device.configAckedVersion === 1,
      'the config acknowledged',
    );
    const report = await simulator.stop();
    assert.equal(report.attachFailures, 0);
    assert.ok(report.eventsSent >= 12 && report.statesSent >= 12, JSON.stringify(report));
    assert.deepEqual(report.commands, [
      { deviceId: 'lab-gw-1-dev-2', topic: `/${REGISTRY}/lab-gw-1-dev-2/commands/led`, payload: 'blink' },
    ]);
    assert.ok(report.attachLatencyMs.p99 > 0);
    await waitFor(
      async () => (await devices()).every((d) => !d.connected && d.attachedTo.length === 0),
      'all offline',
    );
  });
});
