import fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  defaultBundle,
  type SimulatedDevice,
  simulatedIdentity,
  simulateDevices,
} from '../provisioning/agent';
import { UsageError } from './options';

export const SIMULATE_HELP = `Usage:
  fieldbench simulate-provisioning --broker-url URL --ca FILE --password P [options]

Simulates devices provisioning themselves through a provision broker (for labs and demos). Device i
gets MAC <mac-prefix>:xx:xx:xx and serial <serial-prefix>-i; its client id is the MAC without colons and
its username MAC-serial, as the provision bundle's defaults say. Create the matching provision requests
first (--print-csv prints them for the Provisioning page's CSV import), or give --devices.

Options:
  --broker-url URL         the provision broker, e.g. mqtts://localhost:8883
  --ca FILE                CA certificates the devices trust (PEM; Certificates page → CA chain)
  --count N                how many devices (default 10)
  --password P             the throw-away password of every simulated device
  --devices FILE           CSV "mac,serial,password,activation-key" instead of --count/--password
  --mac-prefix P           first three MAC octets (default 02:FB:00)
  --serial-prefix P        serial number prefix (default SIM)
  --concurrency N          devices provisioning at once (default: all)
  --format json|kura       wire format of the provisioning messages (default json)
  --csr                    devices generate keys and send a CSR (certificate instead of password)
  --no-ca-authentication   do not check the CA chain Fieldbench sends
  --timeout S              seconds to wait for each reply (default 30)
  --print-csv              print the provision-request CSV for these devices and exit
`;

interface DeviceRow {
  mac: string;
  serial: string;
  password: string;
  activationKey: string;
}

function readDevicesCsv(file: string): DeviceRow[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const rows = lines[0]?.toLowerCase().startsWith('mac') ? lines.slice(1) : lines;
  return rows.map((line, i) => {
    const [mac, serial, password, activationKey = ''] = line.split(',').map((c) => c.trim());
    if (!mac || !serial || !password) throw new UsageError(`${file} line ${i + 1}: need mac,serial,password`);
    return { mac, serial, password, activationKey };
  });
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

/** `fieldbench simulate-provisioning …`: returns the process exit code. */
export async function runSimulateProvisioning(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'broker-url': { type: 'string' },
      ca: { type: 'string' },
      count: { type: 'string' },
      password: { type: 'string' },
      devices: { type: 'string' },
      'mac-prefix': { type: 'string' },
      'serial-prefix': { type: 'string' },
      concurrency: { type: 'string' },
      format: { type: 'string' },
      csr: { type: 'boolean' },
      'no-ca-authentication': { type: 'boolean' },
      timeout: { type: 'string' },
      'print-csv': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  const count = positive('count', values.count, 10);
  const rows: DeviceRow[] = values.devices
    ? readDevicesCsv(values.devices)
    : Array.from({ length: count }, (_, i) => {
        const identity = simulatedIdentity(i + 1, values['mac-prefix'], values['serial-prefix']);
        if (!values.password) throw new UsageError('--password (or --devices) is required');
        return { mac: identity.mac, serial: identity.serial, password: values.password, activationKey: '' };
      });
  if (values['print-csv']) {
    process.stdout.write('client-id,username,password\n');
    for (const r of rows)
      process.stdout.write(`${r.mac.replaceAll(':', '')},${r.mac}-${r.serial},${r.password}\n`);
    return 0;
  }
  const brokerUrl = values['broker-url'];
  if (!brokerUrl) throw new UsageError('--broker-url is required');
  const caAuthentication = !values['no-ca-authentication'];
  if (caAuthentication && !values.ca) throw new UsageError('--ca is required (or --no-ca-authentication)');
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'kura') throw new UsageError('--format must be json or kura');
  const timeout = positive('timeout', values.timeout, 30);
  const devices: SimulatedDevice[] = rows.map((r, i) => {
    const identity = { ...simulatedIdentity(i + 1), mac: r.mac, serial: r.serial };
    return {
      identity,
      bundle: defaultBundle(identity, {
        'broker-url': brokerUrl,
        password: r.password,
        'activation-key': r.activationKey,
        'ca-authentication': caAuthentication,
        timeout,
        'retry-max-attempts': 3,
        'retry-interval': 2,
      }),
    };
  });
  const ca = values.ca ? fs.readFileSync(values.ca, 'utf8') : undefined;
  console.log(`Provisioning ${devices.length} simulated devices through ${brokerUrl} …`);
  const report = await simulateDevices({
    devices,
    concurrency: values.concurrency ? positive('concurrency', values.concurrency, 1) : undefined,
    agent: { trustedCaPem: ca, format, csr: Boolean(values.csr) },
    onDevice: (r) =>
      console.log(
        r.ok
          ? `  ✓ ${r.clientId} provisioned in ${(r.ms / 1000).toFixed(2)} s`
          : `  ✗ ${r.clientId}: ${r.error}`,
      ),
  });
  console.log(
    `${report.succeeded} provisioned, ${report.failed} failed in ${(report.durationMs / 1000).toFixed(1)} s ` +
      `(${report.devicesPerSecond.toFixed(1)} devices/s, p50 ${report.p50Seconds.toFixed(2)} s, p99 ${report.p99Seconds.toFixed(2)} s)`,
  );
  return report.failed === 0 ? 0 : 1;
}
