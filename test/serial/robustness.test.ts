import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SerialLink } from '../../main/serial';
import { waitFor } from '../helpers/wait-for';
import { type ProvisioningLab, startLab } from '../provisioning/helpers';
import { type BenchDevice, plugGateway, runsEnded, unplug } from './lab';
import { ptyPair } from './pty';

/** Commissioning when things go wrong: each case ends in a clear, named state and nothing half-applied. */
describe('serial commissioning robustness', () => {
  let lab: ProvisioningLab;
  const devices: BenchDevice[] = [];

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    for (const d of devices) await unplug(d).catch(() => {});
    await lab.close();
  });

  async function plug(faults = {}, identity?: BenchDevice['identity']) {
    const device = await plugGateway(faults, identity);
    devices.push(device);
    return device;
  }

  async function commission(paths: string[], onlineTimeoutSeconds = 20) {
    const { runs } = await lab.call('commissioning.start', {
      ports: paths.map((path) => ({ path })),
      targetAccountId: lab.accountId,
      onlineTimeoutSeconds,
    });
    return {
      runs,
      ended: () =>
        runsEnded(
          lab,
          runs.map((r) => r.id),
        ),
    };
  }

  test('cable pulled mid-write: the run names the step, nothing is applied, and a restart succeeds', async () => {
    const device = await plug({ ignoreOps: ['file.end'] });
    const { runs, ended } = await commission([device.pty.host]);
    await waitFor(async () => {
      const { runs: now } = await lab.call('commissioning.runs', {});
      return now.find((r) => r.id === runs[0]!.id)?.step === 'write CA chain';
    }, 'the run to reach the file write');
    await device.pty.kill();
    const run = (await ended()).get(device.pty.host)!;
    assert.equal(run.state, 'failed');
    assert.equal(run.step, 'write CA chain');
    assert.match(run.detail, /serial port closed/);
    assert.equal(fs.existsSync(device.stateFile), false, 'no half-applied configuration on the device');

    // New cable, same (still powered) device: the run is restartable.
    device.gateway.faults = {};
    const pty = await ptyPair(undefined, 'again');
    device.pty = pty;
    await device.gateway.attach(pty.device);
    const second = await commission([pty.host]);
    const retried = (await second.ended()).get(pty.host)!;
    assert.equal(retried.state, 'succeeded', retried.detail);
  });

  test('a device that reboots mid-run is identified again and its staging pushed again', async () => {
    const device = await plug({ rebootOnOp: 'file.begin' });
    const { ended } = await commission([device.pty.host]);
    const run = (await ended()).get(device.pty.host)!;
    assert.equal(run.state, 'succeeded', `${run.step}: ${run.detail}`);
    const exported = await lab.call('commissioning.exportRecord', { id: run.recordId!, format: 'json' });
    const steps = JSON.parse(exported.content).record.steps.map((s: { name: string }) => s.name);
    assert.ok(steps.includes('re-identify after device restart'), steps.join(', '));
    assert.equal(JSON.parse(fs.readFileSync(device.stateFile, 'utf8')).generation >= 1, true);
  });

  test('a wrong activation key fails at the provision step with the reason', async () => {
    const device = await plug({ corruptActivationKey: true });
    const { ended } = await commission([device.pty.host]);
    const run = (await ended()).get(device.pty.host)!;
    assert.equal(run.state, 'failed');
    assert.equal(run.step, 'provision');
    assert.match(run.detail, /activation|refused|FAILED/i);
    const { records } = await lab.call('commissioning.records', { search: device.identity.serial });
    assert.equal(records[0]!.result, 'failed');
    const verified = await lab.call('commissioning.verifyRecord', { id: records[0]!.id });
    assert.equal(verified.valid, true, 'failed runs are signed too');
  });

  test('the same device on two ports: one run commissions it, the other is refused by name', async () => {
    const first = await plug();
    const twin = await plug({}, first.identity);
    const { ended } = await commission([first.pty.host, twin.pty.host]);
    const byPort = await ended();
    const states = [...byPort.values()].map((r) => r.state).sort();
    assert.deepEqual(states, ['failed', 'succeeded']);
    const refused = [...byPort.values()].find((r) => r.state === 'failed')!;
    assert.match(refused.detail, /already being commissioned on/);
  });

  test('a port open in another program and a wrong baud rate are reported as such', async () => {
    const busy = await plug();
    await lab.call('serial.addPort', { path: busy.pty.host });
    const holder = await SerialLink.open(busy.pty.host);
    const noisy = await plug({ noise: true });
    try {
      const { ended } = await commission([busy.pty.host, noisy.pty.host]);
      const byPort = await ended();
      assert.equal(byPort.get(busy.pty.host)!.step, 'open port');
      assert.match(byPort.get(busy.pty.host)!.detail, /already open in another program/);
      const { ports } = await lab.call('serial.listPorts', {});
      assert.equal(ports.find((p) => p.path === busy.pty.host)?.inUse, 'other');
      assert.equal(byPort.get(noisy.pty.host)!.step, 'identify');
      assert.match(byPort.get(noisy.pty.host)!.detail, /wrong baud rate/);
    } finally {
      await holder.close();
    }
  });
});
