import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { z } from 'zod';
import type { CallContext } from '../../main/api/handlers';
import type { ExplorerHandlers } from '../../main/explorer';
import type { EventDataOf, EventName } from '../../preload/contract';
import { EventBus } from '../../main/api/event-bus';
import { explorerMethods } from '../../preload/contract/explorer';

export const silentLogger = pino({ level: 'silent' });

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fb-'));
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Collects every event the bus emits, by name. */
export class EventLog {
  readonly bus = new EventBus();
  readonly all: { name: EventName; data: unknown }[] = [];
  constructor() {
    this.bus.subscribe((name, data) => {
      this.all.push({ name, data });
    });
  }
  of<E extends EventName>(name: E): EventDataOf<E>[] {
    return this.all.filter((e) => e.name === name).map((e) => e.data as EventDataOf<E>);
  }
}

export interface Pki {
  dir: string;
  caPem: string;
  otherCaPem: string;
  clientCertPem: string;
  /** Encrypted with `passphrase`. */
  clientKeyPem: string;
  passphrase: string;
  files: { ca: string; serverCert: string; serverKey: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate with an encrypted key, and an unrelated CA. */
export function makePki(dir: string): Pki {
  const subj = (cn: string) => ['-subj', `/O=Fieldbench Test/CN=${cn}`];
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      ...subj('Test CA'),
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'other.key',
      '-out',
      'other.crt',
      '-days',
      '2',
      ...subj('Other CA'),
    ],
    dir,
  );
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      ...subj('localhost'),
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-passout',
      'pass:s3cret',
      '-keyout',
      'client.key',
      '-out',
      'client.csr',
      ...subj('explorer-client'),
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'client.crt',
      '-days',
      '2',
    ],
    dir,
  );
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  // mosquitto started as root drops to its own user, which must be able to read these test-only files.
  fs.chmodSync(path.dirname(dir), 0o755);
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  return {
    dir,
    caPem: read('ca.crt'),
    otherCaPem: read('other.crt'),
    clientCertPem: read('client.crt'),
    clientKeyPem: read('client.key'),
    passphrase: 's3cret',
    files: {
      ca: path.join(dir, 'ca.crt'),
      serverCert: path.join(dir, 'server.crt'),
      serverKey: path.join(dir, 'server.key'),
    },
  };
}

export interface Mosquitto {
  port: number;
  tlsPort: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A real mosquitto with a plain listener and a TLS listener that requires a client certificate. */
export async function startMosquitto(dir: string, pki: Pki): Promise<Mosquitto> {
  const port = await freePort();
  const tlsPort = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      `listener ${port} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${pki.files.ca}`,
      `certfile ${pki.files.serverCert}`,
      `keyfile ${pki.files.serverKey}`,
      'require_certificate true',
      '',
    ].join('\n'),
  );
  const proc = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  try {
    await waitFor(
      async () => (await canConnect(port)) && (await canConnect(tlsPort)),
      'mosquitto to listen',
      10_000,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}: ${stderr}`);
  }
  return {
    port,
    tlsPort,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Runs mosquitto_pub against the plain listener. */
export function mosquittoPub(port: number, args: string[]): void {
  execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    stdio: 'pipe',
    timeout: 10_000,
  });
}

/** Explorer methods as a UI calls them: contract input types in, promised responses out. */
export type ContractCaller = {
  [M in keyof typeof explorerMethods]: (
    req: z.input<(typeof explorerMethods)[M]['request']>,
    ctx: CallContext,
  ) => Promise<z.output<(typeof explorerMethods)[M]['response']>>;
};

/**
 * Wraps handlers the way a transport calls them: requests parsed by the contract (defaults
 * applied), responses validated against the contract's response schema.
 */
export function viaContract(handlers: ExplorerHandlers): ContractCaller {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const spec = explorerMethods[name as keyof typeof explorerMethods];
    wrapped[name] = async (req: unknown, ctx: CallContext) => {
      const parsed = spec.request.parse(req);
      const res = await (handler as (r: unknown, c: CallContext) => unknown)(parsed, ctx);
      const checked = spec.response.safeParse(res);
      if (!checked.success) throw new Error(`${name} response breaks the contract: ${checked.error.message}`);
      return res;
    };
  }
  return wrapped as ContractCaller;
}
