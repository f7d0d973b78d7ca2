import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ClientRef, ListenerKind } from '../broker/hooks';
import type { EventBus } from '../api/event-bus';
import { AccessRuleService } from './access-rules';
import { createAdmission } from './admission';
import { AccountService, DEFAULT_ROOT_NAME } from './accounts';
import { createTenancyHandlers } from './api-handlers';
import { ApiKeyService } from './api-keys';
import { AuditLog } from './audit';
import { Authorizer } from './authorizer';
import { createTenancyHooks } from './broker-hooks';
import { type ConnectionEventSource, trackConnections } from './broker-events';
import { type BrokerControl, REASON, type TenancyContext } from './context';
import { CredentialService } from './credentials';
import { type DeviceRow, DeviceService } from './devices';
import { EndpointService, type RunningListener } from './endpoints';
import { DEFAULT_HASH_QUEUE, HashQueue, type HashQueueOptions } from './hash-queue';
import { DEFAULT_LOCKOUT, type LockoutPolicy, LoginFailureTracker } from './lockout';
import { ServiceRegistry } from './services';
import { VerifiedLoginCache } from './verified-login-cache';

export type { BrokerControl } from './context';
export type { RunningListener } from './endpoints';
export type { LockoutPolicy } from './lockout';
export { type AdmitToAccount, namespaceOf } from './admission';
export { API_KEY_USERNAME } from './validation';

export interface TenancyOptions {
  db: Database;
  logger: Logger;
  events?: EventBus;
  broker?: BrokerControl;
  /** Kinds of the embedded broker's running listeners: the `local` service's connection options. */
  listenerKinds: () => ListenerKind[];
  /** The embedded broker's running listeners, for endpoint dependency and reachability checks. */
  runningListeners: () => RunningListener[];
  /** Name of the root account created on first start (default `sys`). */
  rootAccountName?: string;
  lockout?: Partial<LockoutPolicy>;
  /** How many password hashes run at once and how many logins may wait for one. */
  loginQueue?: Partial<HashQueueOptions>;
  /** Let clients without a username into the root namespace (default false). */
  allowAnonymous?: boolean;
  /** How often expired accounts, credentials and keys are swept from the broker (default 30 s; 0 = never). */
  expirySweepMs?: number;
  now?: () => number;
}

export type Tenancy = ReturnType<typeof createTenancy>;

/** Wires the tenancy services, their operator-API handlers and the broker hooks over one database. */
export function createTenancy(options: TenancyOptions) {
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ module: 'tenancy' });
  let broker: BrokerControl | undefined = options.broker;
  const ownDisconnectReasons = new WeakMap<ClientRef, string>();
  let authorizer: Authorizer | undefined;

  const ctx: TenancyContext = {
    db: options.db,
    logger,
    now,
    invalidate() {
      authorizer?.invalidate();
      broker?.invalidateAuthorizations?.();
    },
    disconnect(predicate, reasonCode, reasonString) {
      if (!broker) return;
      try {
        broker.disconnectWhere(
          (client) => {
            if (!predicate(client)) return false;
            ownDisconnectReasons.set(client, reasonString);
            return true;
          },
          reasonCode,
          reasonString,
        );
      } catch (err) {
        logger.error({ err }, 'could not disconnect clients');
      }
    },
  };

  const failures = new LoginFailureTracker({ ...DEFAULT_LOCKOUT, ...options.lockout }, now, {
    db: options.db,
    onError: (err) => logger.error({ err }, 'could not save a failed-login counter'),
  });
  const services = new ServiceRegistry(ctx, options.listenerKinds);
  const accounts = new AccountService(ctx, services);
  const endpoints = new EndpointService(ctx, accounts, options.runningListeners);
  const credentials = new CredentialService(ctx, failures);
  const accessRules = new AccessRuleService(ctx);
  const apiKeys = new ApiKeyService(ctx);
  const devices = new DeviceService(ctx);
  const audit = new AuditLog(ctx);
  authorizer = new Authorizer(accessRules, apiKeys, credentials, now);

  options.db.transaction(() => {
    const local = services.ensureLocal();
    accounts.ensureRoot(options.rootAccountName ?? DEFAULT_ROOT_NAME, local.id);
    devices.markAllMissing('the broker stopped while the device was connected');
  })();

  const hashQueue = new HashQueue({ ...DEFAULT_HASH_QUEUE, ...options.loginQueue });
  const hooks = createTenancyHooks({
    accounts,
    credentials,
    apiKeys,
    devices,
    authorizer,
    failures,
    verified: new VerifiedLoginCache(),
    hashQueue,
    now,
    allowAnonymous: options.allowAnonymous ?? false,
  });

  let revision = 0;
  const detachers: (() => void)[] = [];
  const connectionsChanged = (row: {
    account_id: string;
    client_id: string;
    status: DeviceRow['status'];
  }) => {
    revision += 1;
    options.events?.emit('connections.changed', {
      revision,
      at: now(),
      accountId: row.account_id,
      clientId: row.client_id,
      status: row.status,
    });
  };

  /** Records connections from the broker's events; also adopts it for disconnects if none was given. */
  function attachBrokerEvents(
    source: { events: ConnectionEventSource } & Partial<BrokerControl>,
  ): () => void {
    if (!broker && typeof source.disconnectWhere === 'function') broker = source as BrokerControl;
    const detach = trackConnections(source.events, devices, connectionsChanged, (client) =>
      ownDisconnectReasons.get(client),
    );
    detachers.push(detach);
    return detach;
  }

  /** Drops clients whose account, credential or API key expired since they connected. */
  function sweepExpired(): void {
    const at = now();
    const unusable = new Set(
      options.db
        .prepare<[], { id: string }>('SELECT id FROM tenancy_accounts')
        .all()
        .filter((a) => {
          const row = accounts.row(a.id);
          return row !== undefined && !accounts.usability(row, at).ok;
        })
        .map((a) => a.id),
    );
    const expiredCredentials = new Set(
      options.db
        .prepare<[number], { id: string }>(
          'SELECT id FROM tenancy_credentials WHERE expires_at IS NOT NULL AND expires_at <= ?',
        )
        .all(at)
        .map((r) => r.id),
    );
    const expiredKeys = new Set(
      options.db
        .prepare<[number], { id: string }>(
          'SELECT id FROM tenancy_api_keys WHERE expires_at IS NOT NULL AND expires_at <= ?',
        )
        .all(at)
        .map((r) => r.id),
    );
    if (unusable.size + expiredCredentials.size + expiredKeys.size === 0) return;
    ctx.disconnect(
      (c) =>
        (c.principal.accountId !== null && unusable.has(c.principal.accountId)) ||
        expiredCredentials.has(String(c.principal.attributes?.['credentialId'])) ||
        expiredKeys.has(String(c.principal.attributes?.['apiKeyId'])),
      REASON.notAuthorized,
      'account, credential or API key expired',
    );
  }

  const sweepMs = options.expirySweepMs ?? 30_000;
  const sweepTimer = sweepMs > 0 ? setInterval(sweepExpired, sweepMs) : undefined;
  sweepTimer?.unref();

  const parts = {
    accounts,
    services,
    endpoints,
    credentials,
    accessRules,
    apiKeys,
    devices,
    audit,
    failures,
    hashQueue,
  };
  const handlers = createTenancyHandlers({
    ...parts,
    runningListeners: options.runningListeners,
    onDeviceChanged: connectionsChanged,
  });

  return {
    ...parts,
    handlers,
    hooks,
    /** Account-side admission for logins proven elsewhere (e.g. client certificates). */
    admitToAccount: createAdmission(accounts, devices),
    attachBrokerEvents,
    sweepExpired,
    close(): void {
      if (sweepTimer) clearInterval(sweepTimer);
      for (const detach of detachers.splice(0)) detach();
    },
  };
}
