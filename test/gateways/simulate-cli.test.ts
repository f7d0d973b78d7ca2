import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SimulatorReport } from '../../main/gateways/simulator';
import { TestApiClient } from '../helpers/api-client';
import { loopbackArgs, type RunningCli, runCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';

const ACCOUNT = 'simco';
const REGISTRY = 'cli-reg';

describe('fieldbench simulate-gateways against fieldbench serve', () => {
  let app: RunningCli;
  let api: TestApiClient;
  let accountId: string;
  let port: string;

  before(async () => {
    app = await startCli(loopbackArgs('serve', tempDir()));
    port = /mqtt 127\.0\.0\.1:(\d+)/.exec(app.readyLine)![1]!;
    api = await TestApiClient.connect(app.url, app.token);
    const root = (await api.call('accounts.list', {})).accounts.find((a) => a.parentId === null)!;
    const local = (await api.call('services.list', {})).services.find((s) => s.kind === 'embedded')!;
    accountId = (await api.call('accounts.create', { parentId: root.id, name: ACCOUNT, serviceId: local.id }))
      .id;
  });
  after(async () => {
    api?.close();
    await app?.stop();
  });

  const common = ['--account', ACCOUNT, '--registry', REGISTRY, '--gateways', '2', '--devices', '2'];
  const simulate = async (...args: string[]) => {
    const result = await runCli(['simulate-gateways', ...common, '--mqtt-port', port, ...args], {}, 60_000);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as SimulatorReport;
  };

  test('with --api it provisions keys and bindings, attaches and publishes', async () => {
    const report = await simulate('--api', `${app.url}#token=${app.token}`, '--rate', '5', '--duration', '1');
    assert.equal(report.gatewaysConnected, 2);
    assert.equal(report.devicesAttached, 4);
    assert.equal(report.attachFailures, 0);
    assert.ok(report.eventsSent >= 4, `events sent: ${report.eventsSent}`);
    const devices = (await api.call('gateways.listDevices', { accountId, registryId: REGISTRY })).devices;
    assert.deepEqual(
      devices.map((d) => [d.deviceId, d.kind, d.bindings]),
      [
        ['sim-gw-0', 'gateway', ['sim-gw-0-dev-0', 'sim-gw-0-dev-1']],
        ['sim-gw-0-dev-0', 'device', ['sim-gw-0']],
        ['sim-gw-0-dev-1', 'device', ['sim-gw-0']],
        ['sim-gw-1', 'gateway', ['sim-gw-1-dev-0', 'sim-gw-1-dev-1']],
        ['sim-gw-1-dev-0', 'device', ['sim-gw-1']],
        ['sim-gw-1-dev-1', 'device', ['sim-gw-1']],
      ],
    );
    assert.ok(
      devices.some((d) => d.lastEvent !== null),
      'events reached the registry',
    );
  });

  test('with --keys-dir it uses key files; a missing gateway key is a clear error', async () => {
    const dir = tempDir();
    for (const id of ['sim-gw-0', 'sim-gw-1']) {
      const ref = { accountId, registryId: REGISTRY, deviceId: id };
      const { privateKeyPem } = await api.call('gateways.generateKey', ref);
      fs.writeFileSync(path.join(dir, `${id}.pem`), privateKeyPem, { mode: 0o600 });
    }
    const report = await simulate('--keys-dir', dir, '--rate', '0', '--duration', '0');
    assert.equal(report.gatewaysConnected, 2);
    assert.equal(report.devicesAttached, 4);

    fs.rmSync(path.join(dir, 'sim-gw-1.pem'));
    const failed = await runCli(['simulate-gateways', ...common, '--mqtt-port', port, '--keys-dir', dir]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /No key file for gateway sim-gw-1/);
  });
});
