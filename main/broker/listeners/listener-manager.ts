import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { defaultLimits } from '../limits';
import type { BrokerLimits } from '../types';
import { AddressGuard } from './address-guard';
import { HandshakeFailureLog } from './handshake-failure-log';
import { type ListenerOptionsInput, parseListenerOptions } from './listener-options';
import { ListenerRepository } from './listener-repository';
import { isTls, ListenerRuntime } from './listener-runtime';
import { readTlsFiles } from './tls-files';
import type { UpgradeFallback, UpgradeRoute } from './websocket-upgrade';
import type {
  ConnectionSink,
  HandshakeFailure,
  ListenerKind,
  ListenerRecord,
  ListenerState,
  ListenerStatus,
  TlsMaterial,
  TlsMaterialProvider,
} from './types';

export interface ListenerManagerOptions {
  broker: ConnectionSink;
  logger: Logger;
  /** Listener records are persisted here; without it only ephemeral listeners exist. */
  db?: Database;
  /** Supplies TLS material per listener (the PKI); falls back to the listener's `tlsFiles` option. */
  tlsMaterial?: TlsMaterialProvider;
  onHandshakeFailure?: (failure: HandshakeFailure) => void;
  onStateChange?: (status: ListenerStatus) => void;
  handshakeFailureCapacity?: number;
  /** The broker's limits: per-address limits, packet size (WebSocket frames), connect timeout. */
  limits?: () => BrokerLimits;
  /** WebSocket services served beside MQTT on ws/wss listeners (by path); Origin and per-address limits apply. */
  webSocketRoutes?: (listener: Readonly<ListenerRecord>) => UpgradeRoute[];
  /** WebSocket services that pick their own paths (the resource API), asked about paths no route serves. */
  upgradeFallbacks?: readonly UpgradeFallback[];
}

/** The desktop window's origin; the headless server adds its own with `setUiOrigins`. */
const DESKTOP_UI_ORIGIN = 'app://fieldbench';

export interface CreateListenerInput {
  id?: string;
  kind: ListenerKind;
  host?: string;
  port: number;
  enabled?: boolean;
  options?: ListenerOptionsInput;
}

export type UpdateListenerInput = Partial<Omit<CreateListenerInput, 'id'>>;

interface Entry {
  record: ListenerRecord;
  state: ListenerState;
  error?: string;
  runtime?: ListenerRuntime;
  /** Serialises start/stop of one listener. */
  transition: Promise<void>;
}

export class ListenerError extends Error {
  constructor(
    readonly code: 'LISTENER_NOT_FOUND' | 'LISTENER_EXISTS' | 'LISTENER_NOT_TLS' | 'LISTENER_NOT_RUNNING',
    message: string,
  ) {
    super(message);
    this.name = 'ListenerError';
  }
}

/**
 * Starts, stops and reconfigures the broker's listeners independently of each other. A listener
 * that cannot start goes to state `error` with a readable message; the others keep serving.
 */
export class ListenerManager {
  private readonly entries = new Map<string, Entry>();
  private readonly repository: ListenerRepository | undefined;
  private readonly failures: HandshakeFailureLog;
  private readonly limits: () => BrokerLimits;
  /** Per-address limits across all listeners. */
  readonly guard: AddressGuard;
  private uiOrigins: string[] = [DESKTOP_UI_ORIGIN];

  constructor(private readonly options: ListenerManagerOptions) {
    this.repository = options.db ? new ListenerRepository(options.db) : undefined;
    this.failures = new HandshakeFailureLog(options.handshakeFailureCapacity);
    this.limits = options.limits ?? (() => defaultLimits);
    this.guard = new AddressGuard(this.limits);
  }

  /** Fieldbench's own UI origins (e.g. `http://127.0.0.1:7333`), allowed on every WebSocket listener. */
  setUiOrigins(origins: string[]): void {
    this.uiOrigins = [DESKTOP_UI_ORIGIN, ...origins];
  }

  /** Reads persisted listeners and starts the enabled ones; resolves when each is running or in error. */
  async load(): Promise<ListenerStatus[]> {
    for (const record of this.repository?.all() ?? []) {
      if (!this.entries.has(record.id)) this.entries.set(record.id, newEntry(record));
    }
    await Promise.all(
      [...this.entries.values()].filter((e) => e.record.enabled).map((e) => this.start(e.record.id)),
    );
    return this.list();
  }

  list(): ListenerStatus[] {
    return [...this.entries.values()].map((e) => this.statusOf(e));
  }

  get(id: string): ListenerStatus {
    return this.statusOf(this.entry(id));
  }

  async create(input: CreateListenerInput): Promise<ListenerStatus> {
    const record = toRecord(input, false);
    if (this.entries.has(record.id))
      throw new ListenerError('LISTENER_EXISTS', `listener ${record.id} already exists`);
    try {
      this.repository?.insert(record);
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
      throw new ListenerError('LISTENER_EXISTS', `listener ${record.id} already exists`);
    }
    this.entries.set(record.id, newEntry(record));
    return record.enabled ? this.start(record.id) : this.get(record.id);
  }

  /** Applies a change; a running listener is restarted (its own clients reconnect, others are untouched). */
  async update(id: string, patch: UpdateListenerInput): Promise<ListenerStatus> {
    const entry = this.entry(id);
    const wasActive = entry.state === 'running' || entry.state === 'starting' || entry.state === 'error';
    const current = entry.record;
    const record: ListenerRecord = {
      ...current,
      kind: patch.kind ?? current.kind,
      host: patch.host ?? current.host,
      port: patch.port ?? current.port,
      enabled: patch.enabled ?? current.enabled,
      options: patch.options
        ? parseListenerOptions({ ...current.options, ...patch.options })
        : current.options,
    };
    if (!record.ephemeral) this.repository?.update(record);
    if (wasActive) await this.stop(id);
    entry.record = record;
    return record.enabled ? this.start(id) : this.get(id);
  }

  async remove(id: string): Promise<void> {
    const entry = this.entry(id);
    await this.stop(id);
    if (!entry.record.ephemeral) this.repository?.delete(id);
    this.entries.delete(id);
  }

  start(id: string): Promise<ListenerStatus> {
    const entry = this.entry(id);
    return this.serialise(entry, async () => {
      if (entry.state === 'running') return;
      this.setState(entry, 'starting');
      const runtime = new ListenerRuntime(entry.record, {
        sink: this.options.broker,
        logger: this.options.logger,
        onHandshakeFailure: (f) => this.recordFailure(f),
        guard: this.guard,
        limits: this.limits,
        uiOrigins: () => this.uiOrigins,
        webSocketRoutes: this.options.webSocketRoutes ?? (() => []),
        ...(this.options.upgradeFallbacks ? { upgradeFallbacks: this.options.upgradeFallbacks } : {}),
      });
      try {
        const material = isTls(entry.record) ? await this.materialFor(entry.record) : undefined;
        await runtime.start(material);
        entry.runtime = runtime;
        this.setState(entry, 'running');
        this.options.logger.info(
          {
            listener: entry.record.id,
            kind: entry.record.kind,
            host: entry.record.host,
            port: runtime.boundPort,
          },
          'listener running',
        );
      } catch (err) {
        await runtime.stop().catch(() => {});
        const message = `${entry.record.kind} listener ${entry.record.id}: ${(err as Error).message}`;
        this.setState(entry, 'error', message);
        this.options.logger.error({ listener: entry.record.id }, message);
      }
    });
  }

  /** Closes the listener and disconnects its clients only. */
  stop(id: string): Promise<ListenerStatus> {
    const entry = this.entry(id);
    return this.serialise(entry, async () => {
      const runtime = entry.runtime;
      entry.runtime = undefined;
      await runtime?.stop();
      if (entry.state !== 'stopped') this.setState(entry, 'stopped');
    });
  }

  /** Hot-swaps certificates: new handshakes see `material`, connected clients stay connected. */
  updateTls(id: string, material?: TlsMaterial): Promise<ListenerStatus> {
    const entry = this.entry(id);
    if (!isTls(entry.record)) throw new ListenerError('LISTENER_NOT_TLS', `listener ${id} does not use TLS`);
    return this.serialise(entry, async () => {
      if (!entry.runtime) return;
      entry.runtime.updateTls(material ?? (await this.materialFor(entry.record)));
      this.options.logger.info({ listener: id }, 'listener TLS material replaced');
    });
  }

  /**
   * A listener from command-line flags: not persisted, id `cli-<kind>-<port>`. Returns the
   * existing one when called twice with the same flags.
   */
  async ensureEphemeral(input: Omit<CreateListenerInput, 'id' | 'enabled'>): Promise<ListenerStatus> {
    const record = toRecord({ ...input, id: `cli-${input.kind}-${input.port}`, enabled: true }, true);
    const existing = this.entries.get(record.id);
    if (existing) return existing.state === 'running' ? this.statusOf(existing) : this.start(record.id);
    this.entries.set(record.id, newEntry(record));
    return this.start(record.id);
  }

  handshakeFailures(listenerId?: string): HandshakeFailure[] {
    return this.failures.list(listenerId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private async materialFor(record: ListenerRecord): Promise<TlsMaterial> {
    const provided = await this.options.tlsMaterial?.(record);
    if (provided) return provided;
    if (record.options.tlsFiles) return readTlsFiles(record.options.tlsFiles);
    throw new Error('no TLS certificate is configured (issue one in the PKI or set certificate files)');
  }

  private serialise(entry: Entry, step: () => Promise<void>): Promise<ListenerStatus> {
    const next = entry.transition.then(step);
    entry.transition = next.catch(() => {});
    return next.then(() => this.statusOf(entry));
  }

  /** Records a certificate refusal decided after the handshake (e.g. at CONNECT), beside the handshake failures. */
  reportFailure(failure: HandshakeFailure): void {
    this.recordFailure(failure);
  }

  private recordFailure(failure: HandshakeFailure): void {
    this.failures.add(failure);
    this.options.logger.warn(
      { listener: failure.listenerId, remoteAddress: failure.remoteAddress, reason: failure.reason },
      `TLS handshake failed: ${failure.message}`,
    );
    this.options.onHandshakeFailure?.(failure);
  }

  private setState(entry: Entry, state: ListenerState, error?: string): void {
    entry.state = state;
    entry.error = error;
    this.options.onStateChange?.(this.statusOf(entry));
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new ListenerError('LISTENER_NOT_FOUND', `no listener with id ${id}`);
    return entry;
  }

  private statusOf(entry: Entry): ListenerStatus {
    const runtime = entry.runtime;
    const counters = runtime?.connections;
    const bytes = counters?.bytes() ?? { bytesIn: 0, bytesOut: 0 };
    return {
      ...entry.record,
      options: { ...entry.record.options },
      state: entry.state,
      ...(entry.error ? { error: entry.error } : {}),
      boundPort: runtime?.boundPort ?? null,
      connectedClients: counters?.count ?? 0,
      refusedConnections: counters?.refusedConnections ?? 0,
      totalConnections: counters?.totalConnections ?? 0,
      ...bytes,
    };
  }
}

function newEntry(record: ListenerRecord): Entry {
  return { record, state: 'stopped', transition: Promise.resolve() };
}

function toRecord(input: CreateListenerInput, ephemeral: boolean): ListenerRecord {
  return {
    id: input.id ?? randomUUID(),
    kind: input.kind,
    host: input.host ?? '127.0.0.1',
    port: input.port,
    enabled: input.enabled ?? true,
    options: parseListenerOptions(input.options),
    ephemeral,
  };
}
