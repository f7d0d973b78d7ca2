import pino from 'pino';
import type { z } from 'zod';
import type { CallContext } from '../../main/api/handlers';
import type { ExplorerHandlers } from '../../main/explorer';
import type { EventDataOf, EventName } from '../../preload/contract';
import { EventBus } from '../../main/api/event-bus';
import { explorerMethods } from '../../preload/contract/explorer';
import { type RunningMosquitto, startMosquitto } from '../helpers/mosquitto-broker';
import { createCa, issueCert, readPem } from '../helpers/openssl-pki';

export const silentLogger = pino({ level: 'silent' });

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

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate with an encrypted key, and an unrelated CA. */
export function makePki(dir: string): Pki {
  const ca = createCa(dir, 'test-ca', { subject: '/O=Fieldbench Test/CN=Test CA', days: 2 });
  const other = createCa(dir, 'other-ca', { subject: '/O=Fieldbench Test/CN=Other CA', days: 2 });
  const server = issueCert(ca, 'server', {
    subject: '/O=Fieldbench Test/CN=localhost',
    extendedKeyUsage: 'serverAuth',
    subjectAltName: 'IP:127.0.0.1, DNS:localhost',
    days: 2,
  });
  const passphrase = 's3cret';
  const client = issueCert(ca, 'client', {
    subject: '/O=Fieldbench Test/CN=explorer-client',
    days: 2,
    passphrase,
  });
  return {
    dir,
    caPem: readPem(ca.cert),
    otherCaPem: readPem(other.cert),
    clientCertPem: readPem(client.cert),
    clientKeyPem: readPem(client.key),
    passphrase,
    files: { ca: ca.cert, serverCert: server.cert, serverKey: server.key },
  };
}

/** A real mosquitto with a plain listener (`port`) and a TLS listener that requires a client certificate (`tlsPort`). */
export async function startMosquittoPair(
  dir: string,
  pki: Pki,
): Promise<RunningMosquitto & { tlsPort: number }> {
  const tls = { cafile: pki.files.ca, certfile: pki.files.serverCert, keyfile: pki.files.serverKey };
  const mosquitto = await startMosquitto({
    dir,
    settings: ['per_listener_settings false', 'allow_anonymous true'],
    listeners: [{}, { tls }],
  });
  return { ...mosquitto, tlsPort: mosquitto.ports[1]! };
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
