import {
  type AllHandlers,
  createDispatcher,
  type Dispatch,
  EventBus,
  OperatorToken,
  type RouteHandler,
} from '../api';
import type { Broker } from '../broker';
import type { ListenerManager } from '../broker/listeners';
import { createLogger, type Logger, type LogLevel, type LogRing } from '../log';
import { createFileKeyProtector, createSecretsHandlers, type KeyProtector } from '../secrets';
import { openStore, type Store } from '../store';
import { type Capabilities, createCapabilities } from './capabilities';
import type { FileConfig } from './config-file';
import { prepareDataDir } from './data-dir';
import { createSystemHandlers, type SystemFacts, systemStats } from './system-handlers';
import { readAppVersion } from './version';

export interface CoreOptions {
  dataDir: string;
  mode: SystemFacts['mode'];
  logLevel?: LogLevel;
  /** Human-readable log lines on stderr from this level up; omitted → none. */
  consoleLevel?: LogLevel;
  config?: FileConfig;
  allowAnonymous?: boolean;
  /** Listeners asked for on the command line (not persisted). */
  listeners?: ListenerFlags;
  /** Seals secrets at rest; defaults to an owner-only key file in the data directory. */
  keyProtector?: KeyProtector;
  /** Desktop: asks the operator for the folder captures and exports go to (native dialog). */
  chooseExportFolder?: () => Promise<string | null>;
  /** An event bus a transport already listens on (desktop: registered before a locked start). */
  events?: EventBus;
}

export interface ListenerFlags {
  brokerHost: string;
  mqttPort?: number;
  mqttsPort?: number;
  mqttsMutualPort?: number;
  wsPort?: number;
  wssPort?: number;
  /** Resource REST API listeners (plain and TLS). */
  restPort?: number;
  restsPort?: number;
}

/** Everything that runs in the main process, independent of Electron and of the transport. */
export interface Core {
  readonly facts: SystemFacts;
  readonly store: Store;
  readonly logger: Logger;
  readonly logs: LogRing;
  readonly events: EventBus;
  readonly dispatch: Dispatch;
  /** Plain HTTP routes the headless server should expose (e.g. CRL download). */
  readonly routes: Record<string, RouteHandler>;
  readonly broker: Broker;
  readonly listeners: ListenerManager;
  /** The headless UI's operator token; `system.rotateToken` replaces it. */
  readonly operatorToken: OperatorToken;
  /** Certificate and key for serving the operator UI over HTTPS on `bindHost`, and the CA chain. */
  uiTls(bindHost: string): Promise<{ cert: string; key: string; ca: string }>;
  /** Transports report how many events they dropped for slow clients, for the System page. */
  addDropCounter(counter: () => number): void;
  /** Short facts for the ready line, e.g. `mqtt 127.0.0.1:1883`. */
  readyDetails(): string[];
  close(): Promise<void>;
}

const STATS_INTERVAL_MS = 1000;

export async function createCore(options: CoreOptions): Promise<Core> {
  prepareDataDir(options.dataDir);
  const startedAt = Date.now();
  const log = createLogger({
    level: options.logLevel ?? 'info',
    dir: options.dataDir,
    consoleLevel: options.consoleLevel,
  });
  const logger = log.logger;
  let store: Store;
  try {
    store = openStore(options.dataDir);
  } catch (err) {
    log.close();
    throw err;
  }
  const facts: SystemFacts = {
    mode: options.mode,
    dataDir: options.dataDir,
    version: readAppVersion(),
    startedAt,
  };
  const events = options.events ?? new EventBus();
  const dropCounters: Array<() => number> = [];
  const eventsDropped = () => dropCounters.reduce((sum, count) => sum + count(), 0);

  let capabilities: Capabilities;
  let keyProtector: KeyProtector;
  try {
    keyProtector = options.keyProtector ?? createFileKeyProtector(options.dataDir);
    capabilities = await createCapabilities({
      store,
      dataDir: options.dataDir,
      logger,
      events,
      keyProtector,
      config: options.config,
      allowAnonymous: Boolean(options.allowAnonymous ?? options.config?.allowAnonymous),
      listenerFlags: options.listeners,
      ...(options.chooseExportFolder ? { chooseExportFolder: options.chooseExportFolder } : {}),
    });
  } catch (err) {
    store.close();
    log.close();
    throw err;
  }
  const operatorToken = new OperatorToken(options.dataDir);
  // Declared complete: a contract method without a handler is a type error here, not UNAVAILABLE at run time.
  const handlers: AllHandlers = {
    ...createSystemHandlers(facts, store, log.ring, eventsDropped, operatorToken),
    ...capabilities.handlers,
    ...createSecretsHandlers(keyProtector),
  };

  const stopLogEvents = log.ring.onEntry((entry) => events.emit('system.log', entry));
  const statsTimer = setInterval(() => {
    if (events.hasListeners) events.emit('system.stats', systemStats(store, startedAt, eventsDropped));
  }, STATS_INTERVAL_MS);
  statsTimer.unref();

  logger.info(
    {
      dataDir: options.dataDir,
      schemaVersion: store.schemaVersion(),
      mode: options.mode,
      version: facts.version,
    },
    'Fieldbench core started',
  );

  let closed = false;
  return {
    facts,
    store,
    logger,
    logs: log.ring,
    events,
    dispatch: createDispatcher(handlers, logger),
    routes: capabilities.routes,
    broker: capabilities.broker,
    listeners: capabilities.listeners,
    operatorToken,
    uiTls: (bindHost) => capabilities.uiTls(bindHost),
    addDropCounter: (counter) => dropCounters.push(counter),
    readyDetails: () => capabilities.readyDetails(),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(statsTimer);
      stopLogEvents();
      operatorToken.close();
      await capabilities.close();
      logger.info('Fieldbench core stopped');
      store.close();
      log.close();
    },
  };
}
