import path from 'node:path';
import type { DeviceIdentity } from '../../main/provisioning/agent';
import { type GatewayFaults, SimulatedGateway } from '../../main/serial';
import type { CommissioningRun } from '../../preload/contract/serial';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { nextIdentity, type ProvisioningLab } from '../provisioning/helpers';
import { type PtyPair, ptyPair } from './pty';

export interface BenchDevice {
  pty: PtyPair;
  gateway: SimulatedGateway;
  identity: DeviceIdentity;
  stateFile: string;
}

/** A simulated gateway plugged into the device end of a fresh PTY pair. */
export async function plugGateway(
  faults: GatewayFaults = {},
  identity = nextIdentity(),
): Promise<BenchDevice> {
  const dir = tempDir('fb-gw-');
  const pty = await ptyPair(dir);
  const stateFile = path.join(dir, 'flash.json');
  const gateway = new SimulatedGateway({
    identity,
    stateFile,
    bootMs: 100,
    telemetryIntervalMs: 500,
    faults,
  });
  await gateway.attach(pty.device);
  return { pty, gateway, identity, stateFile };
}

export async function unplug(device: BenchDevice): Promise<void> {
  await device.gateway.stop();
  await device.pty.kill();
}

/** Waits until every run listed has ended; returns them by port. */
export async function runsEnded(
  lab: ProvisioningLab,
  ids: string[],
  timeoutMs = 60_000,
): Promise<Map<string, CommissioningRun>> {
  return waitFor(
    async () => {
      const { runs } = await lab.call('commissioning.runs', {});
      const mine = runs.filter((r) => ids.includes(r.id));
      return mine.length === ids.length && mine.every((r) => r.state !== 'running')
        ? new Map(mine.map((r) => [r.port, r]))
        : null;
    },
    'the commissioning runs to end',
    timeoutMs,
  );
}
