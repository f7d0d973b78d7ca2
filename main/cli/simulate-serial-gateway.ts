import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatedGateway } from '../serial';
import { UsageError } from './options';

export const SIMULATE_SERIAL_HELP = `Usage:
  fieldbench simulate-serial-gateway --port PATH [options]

Acts as gateway firmware on a serial port (one end of a PTY pair from socat, e.g.
  socat -d -d pty,raw,echo=0,link=/tmp/fb/host pty,raw,echo=0,link=/tmp/fb/gw
then "--port /tmp/fb/gw", and add /tmp/fb/host on the Commissioning page). It speaks the commissioning
protocol (docs/serial-protocol.md), keeps its committed settings in a state file, and after a commit and
reboot provisions itself with the device agent and sends telemetry every few seconds. Runs until stopped.

Options:
  --port PATH          the serial port (required)
  --baud N             baud rate (default 115200)
  --state FILE         the simulated flash (default: <tmp>/fieldbench-gw-<serial>.json)
  --mac MAC            MAC address (default 02:FB:5E:00:00:01)
  --serial S           serial number (default GW-0001)
  --model M            model (default FB-GW-SIM)
  --firmware V         firmware version (default 1.0.0)
  --telemetry-ms N     telemetry interval once online (default 5000)
`;

/** `fieldbench simulate-serial-gateway …`: runs until SIGINT/SIGTERM; returns the exit code. */
export async function runSimulateSerialGateway(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      baud: { type: 'string', default: '115200' },
      state: { type: 'string' },
      mac: { type: 'string', default: '02:FB:5E:00:00:01' },
      serial: { type: 'string', default: 'GW-0001' },
      model: { type: 'string', default: 'FB-GW-SIM' },
      firmware: { type: 'string', default: '1.0.0' },
      'telemetry-ms': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SIMULATE_SERIAL_HELP);
    return 0;
  }
  if (!values.port) throw new UsageError('--port is required');
  const baud = Number(values.baud);
  if (!Number.isInteger(baud) || baud < 300) throw new UsageError('--baud must be an integer ≥ 300');
  if (!/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(values.mac))
    throw new UsageError('--mac must look like 02:FB:5E:00:00:01');
  const telemetryIntervalMs = Number(values['telemetry-ms']);
  const gateway = new SimulatedGateway({
    identity: {
      mac: values.mac.toUpperCase(),
      serial: values.serial,
      model: values.model,
      firmware: values.firmware,
    },
    stateFile:
      values.state ?? path.join(os.tmpdir(), `fieldbench-gw-${values.serial.replace(/[^\w.-]/g, '_')}.json`),
    telemetryIntervalMs:
      Number.isFinite(telemetryIntervalMs) && telemetryIntervalMs >= 100 ? telemetryIntervalMs : 5000,
    onLog: (line) => console.log(line),
  });
  await gateway.attach(values.port, baud);
  console.log(
    `simulated gateway ${values.serial} (${values.mac}) listening on ${values.port} at ${baud} baud`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.stop();
  return 0;
}
