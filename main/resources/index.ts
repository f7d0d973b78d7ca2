import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Broker } from '../broker';
import type { TlsMaterial } from '../broker/listeners';
import type { Tenancy } from '../tenancy';
import { createResourceHandlers } from './api-handlers';
import { ResourceHub } from './hub';
import { ResourceKeys } from './keys';
import { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from './limits';
import { MqttResourceBridge } from './mqtt-bridge';
import { NativeSockets } from './native-sockets';
import { createRestApp } from './rest-app';
import { RestListeners } from './rest-listeners';
import { ResourceService } from './service';
import { ResourceStore } from './store';

export type { ResourceAccess } from './access';
export { ResourceError } from './errors';
export type { ResourceLimits } from './limits';
export type { RestListenerRecord, RestListenerStatus } from './rest-listeners';

export interface ResourcesOptions {
  db: Database;
  logger: Logger;
  tenancy: Pick<Tenancy, 'apiKeys' | 'audit'>;
  /** Server certificate for `rests` listeners (the PKI's, as mqtts gets it). */
  tlsMaterial: () => Promise<TlsMaterial>;
  /** Where REST listener records are kept between runs. */
  persistListeners?: { load(): string | undefined; save(json: string): void };
  limits?: Partial<ResourceLimits>;
  now?: () => number;
}

export type Resources = ReturnType<typeof createResources>;

/**
 * EVRYTHNG-style resources (Thngs, products, collections, actions, properties, locations) reachable
 * by MQTT, native WebSocket and REST with API keys. Wire `hooks` into the platform hooks, call
 * `attachBroker` once the broker exists, add `upgradeRoute` to the ws/wss listeners.
 */
export function createResources(options: ResourcesOptions) {
  const limits: ResourceLimits = { ...DEFAULT_RESOURCE_LIMITS, ...options.limits };
  const logger = options.logger.child({ module: 'resources' });
  const store = new ResourceStore(options.db, {
    history: limits.historyPerProperty,
    locations: limits.locationsPerThng,
    actions: limits.actionsPerAccount,
  });
  const hub = new ResourceHub((err) => logger.error({ err }, 'a resource subscriber failed'));
  const service = new ResourceService(store, hub, limits, options.now ?? Date.now);
  const keys = new ResourceKeys(options.tenancy.apiKeys, store);
  const mqtt = new MqttResourceBridge(service, keys, hub, logger, limits);
  const sockets = new NativeSockets(service, keys, hub, logger, limits);
  const rest = new RestListeners({
    createApp: (serverFactory) =>
      createRestApp({ service, keys, logger, maxBodyBytes: limits.maxPayloadBytes }, serverFactory),
    tlsMaterial: options.tlsMaterial,
    logger,
    ...(options.persistListeners ? { persist: options.persistListeners } : {}),
  });

  const bindKey = (apiKeyId: string, thngId: string | null, projectId: string | null): void => {
    store.setBinding(apiKeyId, thngId, projectId);
    mqtt.invalidate();
  };
  const handlers = createResourceHandlers({
    service,
    store,
    hub,
    rest,
    apiKeys: options.tenancy.apiKeys,
    bindKey,
    audit: options.tenancy.audit,
  });

  return {
    handlers,
    limits,
    service,
    store,
    hub,
    keys,
    hooks: mqtt,
    upgradeRoute: sockets.route,
    sockets,
    rest,
    attachBroker: (broker: Broker) => mqtt.attach(broker),
    /** Binds a device key to its Thng and/or limits a key to a project. */
    bindKey,
    async close(): Promise<void> {
      mqtt.close();
      sockets.close();
      await rest.close();
    },
  };
}
