import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseListenerOptions, type TlsMaterial } from '../broker/listeners';
import { describeListenError } from '../broker/listeners/listen-error';
import { TlsContexts } from '../broker/listeners/tls-contexts';

/** Concurrent HTTP connections per REST listener; more are refused at accept. */
const MAX_CONNECTIONS = 2000;

export const restListenerSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['rest', 'rests']),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  enabled: z.boolean(),
});
export type RestListenerRecord = z.infer<typeof restListenerSchema>;

export interface RestListenerStatus extends RestListenerRecord {
  state: 'stopped' | 'running' | 'error';
  boundPort: number | null;
  error?: string;
}

interface Running {
  app: FastifyInstance;
  server: http.Server;
  contexts?: TlsContexts;
}

export interface RestListenerDeps {
  /** Builds the REST app on a server the listener creates. */
  createApp(serverFactory: (handler: http.RequestListener) => http.Server): FastifyInstance;
  /** Server certificate from the PKI, as the mqtts listeners get it. */
  tlsMaterial(): Promise<TlsMaterial>;
  /** Where the records are kept between runs (JSON), or nothing for ephemeral listeners. */
  persist?: { load(): string | undefined; save(json: string): void };
  logger: Logger;
}

/** The REST API's own listeners (`rest` = HTTP, `rests` = HTTPS), started and stopped like the broker's. */
export class RestListeners {
  private readonly records = new Map<string, RestListenerRecord>();
  private readonly running = new Map<string, Running>();
  private readonly errors = new Map<string, string>();
  private readonly ephemeral = new Set<string>();

  constructor(private readonly deps: RestListenerDeps) {}

  async load(): Promise<void> {
    const saved = this.deps.persist?.load();
    if (!saved) return;
    const parsed = z.array(restListenerSchema).safeParse(JSON.parse(saved));
    if (!parsed.success) {
      this.deps.logger.warn('saved REST listeners are unreadable; none started');
      return;
    }
    for (const record of parsed.data) this.records.set(record.id, record);
    for (const record of parsed.data) if (record.enabled) await this.start(record.id);
  }

  list(): RestListenerStatus[] {
    return [...this.records.values()].map((record) => {
      const run = this.running.get(record.id);
      const address = run?.server.address();
      const error = this.errors.get(record.id);
      return {
        ...record,
        state: run ? 'running' : error ? 'error' : 'stopped',
        boundPort: typeof address === 'object' && address ? address.port : null,
        ...(error ? { error } : {}),
      };
    });
  }

  /** Adds or replaces a listener (restarting it) and saves the set unless `ephemeral`. */
  async set(
    input: Omit<RestListenerRecord, 'id'> & { id?: string },
    ephemeral = false,
  ): Promise<RestListenerStatus> {
    const record = restListenerSchema.parse({ ...input, id: input.id ?? crypto.randomUUID() });
    await this.stop(record.id);
    this.records.set(record.id, record);
    if (ephemeral) this.ephemeral.add(record.id);
    else this.save();
    if (record.enabled) await this.start(record.id);
    return this.list().find((l) => l.id === record.id)!;
  }

  async remove(id: string): Promise<void> {
    await this.stop(id);
    this.records.delete(id);
    this.errors.delete(id);
    this.save();
  }

  /** New TLS handshakes use the current server certificate. */
  async updateTls(): Promise<void> {
    const material = await this.deps.tlsMaterial();
    for (const run of this.running.values()) {
      if (run.contexts && run.server instanceof https.Server)
        run.server.setSecureContext(run.contexts.load(material));
    }
  }

  async close(): Promise<void> {
    for (const id of [...this.running.keys()]) await this.stop(id);
  }

  private async start(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record || this.running.has(id)) return;
    this.errors.delete(id);
    let server: http.Server | undefined;
    let contexts: TlsContexts | undefined;
    try {
      const secure = record.kind === 'rests';
      if (secure) contexts = new TlsContexts(parseListenerOptions({}), false);
      const tlsOptions = contexts ? contexts.load(await this.deps.tlsMaterial()) : undefined;
      const app = this.deps.createApp((handler) => {
        server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
        server.maxConnections = MAX_CONNECTIONS;
        server.requestTimeout = 30_000;
        server.headersTimeout = 10_000;
        return server;
      });
      try {
        await app.listen({ port: record.port, host: record.host });
      } catch (err) {
        await app.close().catch(() => {});
        throw new Error(describeListenError(err as Error, record.host, record.port));
      }
      this.running.set(id, { app, server: server!, ...(contexts ? { contexts } : {}) });
    } catch (err) {
      this.errors.set(id, (err as Error).message);
      this.deps.logger.error({ err, listener: id }, 'REST listener could not start');
    }
  }

  private async stop(id: string): Promise<void> {
    const run = this.running.get(id);
    if (!run) return;
    this.running.delete(id);
    run.server.closeAllConnections();
    await run.app.close();
  }

  private save(): void {
    const saved = [...this.records.values()].filter((r) => !this.ephemeral.has(r.id));
    this.deps.persist?.save(JSON.stringify(saved));
  }
}
