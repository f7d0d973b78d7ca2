import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, portOpen } from './free-port';
import { waitFor } from './wait-for';

/** TLS settings of one mosquitto listener (file paths). */
export interface MosquittoTls {
  cafile: string;
  certfile: string;
  keyfile: string;
  crlfile?: string;
  /** Default true: clients must present a certificate. */
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  /** Where mosquitto.conf is written. */
  dir: string;
  /**
   * One loopback listener on a free port each: plain when `tls` is absent; `settings` are lines for that
   * listener, e.g. `use_identity_as_username true`.
   */
  listeners: { tls?: MosquittoTls; settings?: string[] }[];
  /** Global configuration lines before the listeners, e.g. `allow_anonymous true`. */
  settings?: string[];
}

export interface RunningMosquitto {
  /** The first listener's port. */
  port: number;
  /** Every listener's port, in the order given. */
  ports: number[];
  /** Everything mosquitto wrote so far. */
  log(): string;
  /** SIGTERM, resolved once it exited. */
  stop(): Promise<void>;
}

function tlsLines(tls: MosquittoTls): string[] {
  return [
    `cafile ${tls.cafile}`,
    `certfile ${tls.certfile}`,
    `keyfile ${tls.keyfile}`,
    ...(tls.crlfile ? [`crlfile ${tls.crlfile}`] : []),
    `require_certificate ${tls.requireCertificate ?? true}`,
  ];
}

/** Starts the system mosquitto from a temp config with the given listeners; resolves once all accept TCP. */
export async function startMosquitto(options: MosquittoOptions): Promise<RunningMosquitto> {
  const ports: number[] = [];
  for (const _ of options.listeners) ports.push(await freePort());
  const conf = path.join(options.dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      // Stays root, so it reads test files wherever they are.
      'user root',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      ...(options.settings ?? []),
      ...options.listeners.flatMap((l, i) => [
        `listener ${ports[i]} 127.0.0.1`,
        ...(l.tls ? tlsLines(l.tls) : []),
        ...(l.settings ?? []),
      ]),
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
        for (const port of ports) if (!(await portOpen(port))) return false;
        return true;
      },
      'mosquitto to listen',
      15_000,
    );
  } catch (err) {
    await stop();
    throw new Error(`mosquitto did not start (${(err as Error).message}): ${log}`);
  }
  return { port: ports[0]!, ports, log: () => log, stop };
}

export interface MosquittoTlsOptions extends Omit<MosquittoTls, 'requireCertificate'> {
  /** Where mosquitto.conf is written. */
  dir: string;
  /** More configuration lines for the listener, e.g. `use_identity_as_username true`. */
  settings?: string[];
}

/**
 * Starts the system mosquitto with one mutual-TLS listener (client certificate required) on a free
 * 127.0.0.1 port, from a temp config; resolves once it accepts TCP.
 */
export function startMosquittoTls(options: MosquittoTlsOptions): Promise<RunningMosquitto> {
  const { dir, settings, ...tls } = options;
  return startMosquitto({ dir, listeners: [{ tls, settings }] });
}
