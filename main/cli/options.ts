import { parseArgs } from 'node:util';
import { logLevels } from '../../preload/contract/system';
import type { LogLevel } from '../log';

export const DEFAULT_HTTP_PORT = 7333;

export interface CliOptions {
  /** `token-rotate` is `fieldbench token rotate`. */
  command: 'start' | 'serve' | 'token-rotate';
  help: boolean;
  version: boolean;
  dataDir?: string;
  host: string;
  httpPort: number;
  /** Serve the operator UI over HTTPS even on loopback (always when bound elsewhere). */
  https: boolean;
  logLevel: LogLevel;
  forceHeadless: boolean;
  forceDesktop: boolean;
  brokerHost: string;
  mqttPort?: number;
  mqttsPort?: number;
  mqttsMutualPort?: number;
  wsPort?: number;
  wssPort?: number;
  restPort?: number;
  restsPort?: number;
  allowAnonymous: boolean;
  configFile?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP_TEXT = `Fieldbench — operator workbench for IoT messaging

Usage:
  fieldbench [start] [options]   open the desktop window, or run headless when Electron or a display is missing
  fieldbench serve [options]     run headless: the broker and the UI served to a browser
  fieldbench token rotate [--data-dir DIR]
                                 replace the operator token; a running Fieldbench ends the sessions opened
                                 with the old one, and prints nothing new: open the UI with the new token
  fieldbench simulate-gateways   simulated JWT gateways and devices (--help for its options)
  fieldbench simulate-provisioning [options]
                                 simulate devices provisioning themselves (see simulate-provisioning --help)
  fieldbench simulate-serial-gateway --port PATH [options]
                                 act as a gateway on a serial port for commissioning (see its --help)

Options:
  --data-dir DIR          where the database, keys and logs live
                          (default: $FIELDBENCH_DATA_DIR, else $XDG_DATA_HOME/fieldbench or ~/.local/share/fieldbench)
  --host ADDR             address of the operator UI and API (default 127.0.0.1; anything else is exposed to the
                          network and served over HTTPS with a certificate from Fieldbench's CA)
  --https                 serve the operator UI over HTTPS on loopback too
  --http-port N           port of the operator UI (default ${DEFAULT_HTTP_PORT}; 0 picks a free port, shown in the ready line)
  --log-level LEVEL       ${logLevels.join(' | ')} (default info)
  --headless              never open a window
  --desktop               require the desktop window (fail if Electron or a display is missing)

Broker:
  --broker-host ADDR      address the MQTT listeners bind (default 0.0.0.0)
  --mqtt-port N           MQTT over TCP (0 = free port, shown in the ready line)
  --mqtts-port N          MQTT over TLS, with a server certificate from Fieldbench's CA
  --mqtts-mutual-port N   MQTT over TLS requiring a client certificate
  --ws-port N             MQTT over WebSocket (path /mqtt)
  --wss-port N            MQTT over secure WebSocket (path /mqtt)
  --rest-port N           resource REST API over HTTP (Thngs, properties, actions; API-key auth)
  --rests-port N          resource REST API over HTTPS
  --allow-anonymous       let devices connect without credentials (lab use only; prints a warning)
  --config FILE           JSON settings: broker limits, lab access rules, login lockout, root account name,
                          CA key algorithm, explorer history limits (see docs/configuration.md)

  -h, --help              show this help
  -v, --version           show the version
`;

function port(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

/** Parses the command line strictly: an unknown flag or a bad value is a UsageError (exit code 2). */
export function parseCli(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        'http-port': { type: 'string' },
        https: { type: 'boolean' },
        'log-level': { type: 'string' },
        headless: { type: 'boolean' },
        desktop: { type: 'boolean' },
        'broker-host': { type: 'string' },
        'mqtt-port': { type: 'string' },
        'mqtts-port': { type: 'string' },
        'mqtts-mutual-port': { type: 'string' },
        'ws-port': { type: 'string' },
        'wss-port': { type: 'string' },
        'rest-port': { type: 'string' },
        'rests-port': { type: 'string' },
        'allow-anonymous': { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [first = 'start', ...extra] = positionals;
  let command: CliOptions['command'];
  if (first === 'token') {
    if (extra[0] !== 'rotate') throw new UsageError('Usage: fieldbench token rotate [--data-dir DIR]');
    command = 'token-rotate';
    extra.shift();
  } else if (first === 'start' || first === 'serve') command = first;
  else throw new UsageError(`Unknown command "${first}"`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  const str = (name: string) => values[name] as string | undefined;
  const logLevel = str('log-level') ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  if (values.headless && values.desktop) throw new UsageError('--headless and --desktop cannot be combined');
  if (command === 'serve' && values.desktop)
    throw new UsageError('serve always runs headless; drop --desktop');
  return {
    command,
    help: Boolean(values.help),
    version: Boolean(values.version),
    dataDir: str('data-dir'),
    host: str('host') ?? '127.0.0.1',
    httpPort: port('http-port', str('http-port')) ?? DEFAULT_HTTP_PORT,
    https: Boolean(values.https),
    logLevel: logLevel as LogLevel,
    forceHeadless: command === 'serve' || Boolean(values.headless),
    forceDesktop: Boolean(values.desktop),
    brokerHost: str('broker-host') ?? '0.0.0.0',
    mqttPort: port('mqtt-port', str('mqtt-port')),
    mqttsPort: port('mqtts-port', str('mqtts-port')),
    mqttsMutualPort: port('mqtts-mutual-port', str('mqtts-mutual-port')),
    wsPort: port('ws-port', str('ws-port')),
    wssPort: port('wss-port', str('wss-port')),
    restPort: port('rest-port', str('rest-port')),
    restsPort: port('rests-port', str('rests-port')),
    allowAnonymous: Boolean(values['allow-anonymous']),
    configFile: str('config'),
  };
}
