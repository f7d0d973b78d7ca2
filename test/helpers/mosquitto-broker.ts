import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, portOpen } from './free-port';

export interface MosquittoTlsOptions {
  /** Where mosquitto.conf is written. */
  dir: string;
  cafile: string;
  certfile: string;
  keyfile: string;
  crlfile?: string;
  /** More configuration lines, e.g. `allow_anonymous true` or `use_identity_as_username true`. */
  settings?: string[];
}

export interface RunningMosquitto {
  port: number;
  /** Everything mosquitto wrote so far. */
  log(): string;
  /** SIGTERM, resolved once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts the system mosquitto with one mutual-TLS listener (client certificate required) on a free
 * 127.0.0.1 port, from a temp config; resolves once it accepts TCP.
 */
export async function startMosquittoTls(options: MosquittoTlsOptions): Promise<RunningMosquitto> {
  const port = await freePort();
  const conf = path.join(options.dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      'user root',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      `listener ${port} 127.0.0.1`,
      `cafile ${options.cafile}`,
      `certfile ${options.certfile}`,
      `keyfile ${options.keyfile}`,
      ...(options.crlfile ? [`crlfile ${options.crlfile}`] : []),
      'require_certificate true',
      ...(options.settings ?? []),
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
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`mosquitto did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, log: () => log, stop };
}
