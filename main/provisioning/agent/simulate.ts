import { type AgentOptions, runProvisioningAgent } from './agent';
import type { DeviceIdentity, ProvisionBundle } from './bundle';

export interface SimulatedDevice {
  bundle: ProvisionBundle;
  identity: DeviceIdentity;
}

export interface SimulationOptions {
  devices: SimulatedDevice[];
  /** Devices provisioning at the same time (default: all). */
  concurrency?: number;
  agent?: AgentOptions;
  /** Called as each device finishes. */
  onDevice?: (result: { clientId: string; ok: boolean; ms: number; error?: string }) => void;
}

export interface SimulationReport {
  succeeded: number;
  failed: number;
  durationMs: number;
  devicesPerSecond: number;
  p50Seconds: number;
  p99Seconds: number;
  /** Attempts beyond the first, over all devices (e.g. after a busy refusal). */
  retries: number;
  errors: { clientId: string; error: string }[];
}

/** The identity of simulated device `index`: MAC `<prefix>:xx:xx:xx`, serial `<serialPrefix>-<index>`. */
export function simulatedIdentity(
  index: number,
  macPrefix = '02:FB:00',
  serialPrefix = 'SIM',
): DeviceIdentity {
  const hex = index.toString(16).padStart(6, '0').toUpperCase();
  const mac = `${macPrefix}:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
  return { mac, serial: `${serialPrefix}-${index}`, model: 'FB-SIM-1', firmware: '1.0.0' };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Runs the provisioning agent for many devices at once and reports rate, latency and failures. */
export async function simulateDevices(options: SimulationOptions): Promise<SimulationReport> {
  const durations: number[] = [];
  const errors: SimulationReport['errors'] = [];
  let retries = 0;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < options.devices.length) {
      const device = options.devices[next++]!;
      const t0 = performance.now();
      const clientId = device.bundle['client-id'];
      try {
        const result = await runProvisioningAgent(device.bundle, device.identity, options.agent);
        retries += result.attempts - 1;
        const ms = performance.now() - t0;
        durations.push(ms);
        options.onDevice?.({ clientId, ok: true, ms });
      } catch (err) {
        const error = (err as Error).message;
        errors.push({ clientId, error });
        options.onDevice?.({ clientId, ok: false, ms: performance.now() - t0, error });
      }
    }
  };
  const concurrency = Math.max(
    1,
    Math.min(options.concurrency ?? options.devices.length, options.devices.length),
  );
  await Promise.all(Array.from({ length: concurrency }, worker));
  const durationMs = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    succeeded: durations.length,
    failed: errors.length,
    durationMs,
    devicesPerSecond: durations.length / (durationMs / 1000),
    p50Seconds: percentile(durations, 50) / 1000,
    p99Seconds: percentile(durations, 99) / 1000,
    retries,
    errors,
  };
}
