import fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Fleet,
  fleetIds,
  GatewaySimulator,
  keysFromFiles,
  provisionThroughApi,
  RemoteOperatorApi,
} from '../gateways/simulator';

export const SIMULATE_HELP = `fieldbench simulate-gateways — N gateways × M devices against a Fieldbench broker

Usage:
  fieldbench simulate-gateways --account NAME --registry ID [options]

Keys (one of):
  --api URL               a running Fieldbench's address with its token (http://127.0.0.1:7333/#token=…):
                          creates the registry, gateways, devices, ES256 keys and bindings
  --keys-dir DIR          private keys as <device-id>.pem for devices that already exist

Options:
  --gateways N            gateways (default 2)       --devices M        devices per gateway (default 5)
  --prefix NAME           id prefix (default sim)    --rate R           events per second per device (default 1)
  --state-every N         a state message every N events (default 10)
  --duration S            seconds to run (default 10)
  --mqtt-host H           broker host (default 127.0.0.1)   --mqtt-port P   (default 1883, or 8883 with --ca)
  --ca FILE               CA chain: connect over TLS (Certificates page → CA chain)
  --with-device-token     put each device's JWT into attach (device-token auth methods)
`;

/** `fieldbench simulate-gateways …`: provisions or reads keys, runs the simulator, prints a JSON report. */
export async function runSimulateGateways(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      api: { type: 'string' },
      'keys-dir': { type: 'string' },
      account: { type: 'string' },
      registry: { type: 'string' },
      gateways: { type: 'string', default: '2' },
      devices: { type: 'string', default: '5' },
      prefix: { type: 'string', default: 'sim' },
      rate: { type: 'string', default: '1' },
      'state-every': { type: 'string', default: '10' },
      duration: { type: 'string', default: '10' },
      'mqtt-host': { type: 'string', default: '127.0.0.1' },
      'mqtt-port': { type: 'string' },
      ca: { type: 'string' },
      'with-device-token': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || !values.account || !values.registry || (!values.api && !values['keys-dir'])) {
    process.stdout.write(SIMULATE_HELP);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const count = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`);
    return n;
  };
  const ids = fleetIds(values.prefix, count('gateways', values.gateways), count('devices', values.devices));
  let fleet: Fleet;
  if (values.api) {
    const api = await RemoteOperatorApi.connect(values.api);
    try {
      const account = (await api.call('accounts.list', {})).accounts.find((a) => a.name === values.account);
      if (!account) throw new Error(`No account named "${values.account}"`);
      fleet = await provisionThroughApi(api, account.id, values.registry, ids);
    } finally {
      api.close();
    }
  } else fleet = keysFromFiles(values['keys-dir']!, ids);

  const ca = values.ca ? fs.readFileSync(values.ca, 'utf8') : undefined;
  const simulator = new GatewaySimulator({
    mqtt: {
      host: values['mqtt-host'],
      port: values['mqtt-port'] ? count('mqtt-port', values['mqtt-port']) : ca ? 8883 : 1883,
      ca,
    },
    accountName: values.account,
    registryId: values.registry,
    fleet,
    eventsPerSecond: count('rate', values.rate),
    stateEvery: count('state-every', values['state-every']),
    attachWithToken: values['with-device-token'],
    log: (line) => console.error(line),
  });
  await simulator.start();
  await new Promise((resolve) => setTimeout(resolve, count('duration', values.duration) * 1000));
  const report = await simulator.stop();
  console.log(JSON.stringify({ ...report, commands: report.commands.slice(0, 20) }, null, 2));
}
