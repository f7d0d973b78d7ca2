import type { Logger } from 'pino';
import type { MethodName } from '../../preload/contract';
import type { secretsMethods } from '../../preload/contract/secrets';
import type { systemMethods } from '../../preload/contract/system';
import type { EventBus, HandlersFor, RouteHandler } from '../api';
import { type Broker, type ConnectContext, createBroker } from '../broker';
import { createBrokerHandlers, startBrokerEvents } from '../broker/api-handlers';
import { createCommissioning } from '../commissioning';
import { ListenerManager, type ListenerStatus } from '../broker/listeners';
import { createExplorer, type LocalBrokerSource } from '../explorer';
import { createGateways } from '../gateways';
import { createOnboarding } from '../onboarding';
import { createResources } from '../resources';
import { createPki, createPkiHandlers, explainCrlExpiredFailure, pkiHandlerDepsFrom } from '../pki';
import { createProvisioning } from '../provisioning';
import type { KeyProtector } from '../secrets';
import type { Store } from '../store';
import { createTenancy } from '../tenancy';
import { BrokerTls } from './broker-tls';
import type { FileConfig } from './config-file';
import { lockoutPolicyOf, loginQueueOf, warnAboutFirstStartSettings } from './config-options';
import type { ListenerFlags } from './create-core';
import { createListenerHandlers, toListenerDto } from './listener-handlers';
import { describeListener, startListeners, startRestListeners } from './listener-setup';
import { type CertificateRefusal, createPlatformHooks } from './platform-hooks';
import { Settings } from './settings';
import { uiServerCredentials } from './ui-tls';

export interface CapabilityOptions {
  store: Store;
  dataDir: string;
  logger: Logger;
  events: EventBus;
  keyProtector: KeyProtector;
  config?: FileConfig;
  allowAnonymous: boolean;
  listenerFlags?: ListenerFlags;
  /** Desktop: asks the operator for the exports folder (native dialog). */
  chooseExportFolder?: () => Promise<string | null>;
}

export interface Capabilities {
  broker: Broker;
  listeners: ListenerManager;
  /** Every contract method except the system ones (create-core adds those): a missing one fails type-checking. */
  /** Every method but the system and secrets ones, which the core itself answers. */
  handlers: HandlersFor<Exclude<MethodName, keyof typeof systemMethods | keyof typeof secretsMethods>>;
  routes: Record<string, RouteHandler>;
  readyDetails(): string[];
  /** Certificate (with chain) and key for the operator UI served over HTTPS on `bindHost`, and the CA chain. */
  uiTls(bindHost: string): Promise<{ cert: string; key: string; ca: string }>;
  close(): Promise<void>;
}

const LISTENER_EVENT_INTERVAL_MS = 2000;

/** The host name agents are told to dial when the account has no mqtts endpoint. */
function hubHostOf(listenerHost: string | undefined): string {
  const loopbackOrAny = ['127.0.0.1', '::1', '0.0.0.0', '::', undefined];
  return loopbackOrAny.includes(listenerHost) ? 'localhost' : listenerHost!;
}

function anonymousRules(config?: FileConfig) {
  const toRule = (r: { filter: string; access: 'publish' | 'subscribe' | 'both' }) => ({
    filter: r.filter,
    actions: r.access === 'both' ? (['publish', 'subscribe'] as const).slice() : [r.access],
  });
  return { allow: config?.accessRules?.allow?.map(toRule), deny: config?.accessRules?.deny?.map(toRule) };
}

/** The explorer's narrow view of the embedded broker. */
function asExplorerSource(broker: Broker): LocalBrokerSource {
  return {
    tap: broker.tap,
    routed: broker.routed,
    events: broker.events,
    publish: (message, opts) => broker.publish(message as Parameters<Broker['publish']>[0], opts),
    retained: (filter) =>
      broker
        .retained(filter)
        .map((r) => ({ ...r, properties: r.properties as Record<string, unknown> | undefined })),
  };
}

/** Builds the broker and everything that plugs into it, in dependency order, over one database. */
export async function createCapabilities(options: CapabilityOptions): Promise<Capabilities> {
  const { store, logger, events } = options;
  const db = store.db;
  const settings = new Settings(db);
  const isFirstStart = settings.get('listeners.seeded') === undefined;
  const closers: Array<() => Promise<void> | void> = [];

  const pki = await createPki({
    db,
    dataDir: options.dataDir,
    keyProtector: options.keyProtector,
    logger: logger.child({ module: 'pki' }),
    // Called only after start-up, once tenancy (created below) exists.
    accounts: (id) => tenancy.accounts.row(id),
    authorityAlgorithm: options.config?.pki?.authorityAlgorithm,
    maxBatchRows: options.config?.pki?.maxBatchRows,
  });
  closers.push(() => pki.close());

  let listeners: ListenerManager | undefined;
  const running = (): ListenerStatus[] => listeners?.list().filter((l) => l.state === 'running') ?? [];
  const tenancy = createTenancy({
    db,
    logger,
    events,
    listenerKinds: () => [...new Set(running().map((l) => l.kind))],
    runningListeners: () =>
      running().map((l) => ({ kind: l.kind, host: l.host, port: l.boundPort ?? l.port })),
    allowAnonymous: options.allowAnonymous,
    rootAccountName: options.config?.tenancy?.rootAccountName,
    lockout: lockoutPolicyOf(options.config),
    loginQueue: loginQueueOf(options.config),
  });
  closers.push(() => tenancy.close());
  warnAboutFirstStartSettings(options.config, pki, tenancy, logger);
  const gateways = createGateways({
    db,
    logger,
    events,
    account: (id) => tenancy.accounts.row(id),
    admit: tenancy.admitToAccount,
    audit: (call, action, target, details) => tenancy.audit.record(call, action, target, details),
  });

  const resources = createResources({
    db,
    logger,
    tenancy,
    // Called only once a rests listener starts, after `tls` (below) exists.
    tlsMaterial: () => tls.material({ kind: 'mqtts' } as Parameters<BrokerTls['material']>[0]),
    limits: options.config?.resources,
    persistListeners: {
      load: () => settings.get('resources.restListeners'),
      save: (json) => settings.set('resources.restListeners', json),
    },
  });

  const provisioning = createProvisioning({
    db,
    logger,
    events,
    tenancy,
    pki,
    runningListeners: () =>
      running().map((l) => ({ kind: l.kind, host: l.host, port: l.boundPort ?? l.port })),
    accountName: options.config?.provisioning?.accountName,
  });

  const reportRefusal = (ctx: ConnectContext, reason: CertificateRefusal, message: string) =>
    listeners?.reportFailure({
      time: new Date().toISOString(),
      listenerId: ctx.listener.id,
      listenerKind: ctx.listener.kind,
      remoteAddress: ctx.remoteAddress,
      reason,
      message,
      detail: `refused at CONNECT (client id "${ctx.clientId}")`,
    });
  const onboarding = createOnboarding({
    db,
    logger,
    events,
    account: (id) => tenancy.accounts.row(id),
    accountsWithTenantCa: () =>
      pki
        .listTenantCas()
        .filter((ca) => ca.status === 'accepted')
        .map((ca) => ca.accountId),
    endpointHost: (id) => tenancy.endpoints.effective(id).endpoints.find((e) => e.scheme === 'mqtts')?.domain,
    defaultHubHost: () => hubHostOf(running().find((l) => l.kind === 'mqtts-mutual')?.host),
    verify: (ctx) => pki.verifyClientChain(ctx.peerCertificates ?? []),
    audit: (call, action, target, details) => tenancy.audit.record(call, action, target, details),
    onRefused: reportRefusal,
  });
  onboarding.refreshScopeIds();
  closers.push(pki.onTrustChanged(() => onboarding.refreshScopeIds()));

  const broker = createBroker({
    db,
    hooks: createPlatformHooks({
      tenancy,
      pki,
      gateways,
      allowAnonymous: options.allowAnonymous,
      anonymousRules: anonymousRules(options.config),
      resources: resources.hooks,
      onCertificateRefused: reportRefusal,
      provisioning: provisioning.hooks,
      onboarding: onboarding.hooks,
    }),
    allowAnonymous: options.allowAnonymous,
    limits: options.config?.broker,
    logger: logger.child({ module: 'broker' }),
  });
  tenancy.attachBrokerEvents(broker);
  gateways.attachBroker(broker);
  closers.push(() => gateways.close());
  resources.attachBroker(broker);
  closers.push(provisioning.attachBroker(broker));
  closers.push(onboarding.attachBroker(broker));
  const commissioning = createCommissioning({
    db,
    logger,
    events,
    pki,
    tenancy,
    provisioning,
    brokerEvents: broker.events,
  });
  closers.push(() => commissioning.close());
  closers.push(startBrokerEvents(broker, events));

  const tls = new BrokerTls(pki, settings, logger.child({ module: 'broker-tls' }), () =>
    tenancy.endpoints.secureDomains(),
  );
  const emitListeners = () =>
    events.emit('listeners.changed', {
      listeners: listeners!.list().map((s) => toListenerDto(s, tlsSummaryOf(s.id))),
    });
  const tlsSummaryOf = (id: string) => {
    const kind = listeners?.get(id).kind;
    return kind && kind !== 'mqtt' && kind !== 'ws' ? tls.summary() : undefined;
  };
  listeners = new ListenerManager({
    broker,
    logger: logger.child({ module: 'listeners' }),
    db,
    tlsMaterial: tls.material,
    limits: () => broker.limits(),
    upgradeFallbacks: [resources.upgradeRoute],
    onStateChange: () => events.hasListeners && emitListeners(),
    onHandshakeFailure: (failure) => {
      // Rewrites the recorded entry in place: a stale tenant CRL gets its own reason.
      explainCrlExpiredFailure(failure, pki.expiredTenantCrls());
      events.emit('listeners.handshakeFailure', failure);
    },
  });
  const manager = listeners;
  const listenerTimer = setInterval(() => events.hasListeners && emitListeners(), LISTENER_EVENT_INTERVAL_MS);
  listenerTimer.unref();
  closers.push(() => clearInterval(listenerTimer));

  const tlsListenerIds = () =>
    manager
      .list()
      .filter((l) => l.kind !== 'mqtt' && l.kind !== 'ws' && l.state === 'running')
      .map((l) => l.id);
  // Renewal and trust changes reach running listeners without dropping their clients.
  pki.startRenewalScheduler({
    onRenewed: (renewed) => {
      if (!tls.isCurrent(renewed.previousSerial)) return;
      tls.adopt(renewed.credentials);
      for (const id of tlsListenerIds()) void manager.updateTls(id);
      void resources.rest.updateTls();
    },
  });
  closers.push(
    pki.onTrustChanged(() => {
      for (const id of tlsListenerIds()) void manager.updateTls(id);
    }),
  );
  // A revoked certificate loses its connections at once, not at the next handshake.
  closers.push(
    pki.onRevoked((record) => {
      broker.disconnectWhere(
        (client) => client.principal.attributes?.['certificateSerial'] === record.serial,
        0x98,
        'client certificate revoked',
      );
    }),
  );

  await startListeners(manager, options.listenerFlags, isFirstStart);
  if (isFirstStart) settings.set('listeners.seeded', new Date().toISOString());
  closers.push(() => manager.close());
  closers.push(() => broker.close());
  await startRestListeners(resources.rest, options.listenerFlags);
  closers.push(() => resources.close());

  const explorer = createExplorer({
    db,
    events,
    keyProtector: options.keyProtector,
    logger: logger.child({ module: 'explorer' }),
    dataDir: options.dataDir,
    broker: asExplorerSource(broker),
    history: options.config?.explorer?.history,
    ...(options.chooseExportFolder ? { chooseFolder: options.chooseExportFolder } : {}),
  });
  // Explorer first: it stops watching before the broker goes away.
  closers.push(() => explorer.close());

  const crlRoute: RouteHandler = (_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/pkix-crl',
      'Content-Disposition': 'attachment; filename="fieldbench.crl.pem"',
    });
    res.end(pki.crlPem());
  };

  // Endpoint names of accounts on the embedded service go into the server certificate, so devices can
  // verify the name they dial: endpoint changes and moving an account between services change them.
  const refreshTls = async () => {
    if (await tls.refreshNames()) for (const id of tlsListenerIds()) await manager.updateTls(id);
  };
  const thenRefreshTlsNames = <H extends (...args: never[]) => unknown>(handler: H): H =>
    (async (...args: Parameters<H>) => {
      const result = await handler(...args);
      await refreshTls();
      return result;
    }) as unknown as H;

  return {
    broker,
    listeners: manager,
    handlers: {
      ...createBrokerHandlers(broker),
      ...createListenerHandlers(manager, tlsSummaryOf, tenancy.audit),
      ...tenancy.handlers,
      'endpoints.create': thenRefreshTlsNames(tenancy.handlers['endpoints.create']),
      'endpoints.update': thenRefreshTlsNames(tenancy.handlers['endpoints.update']),
      'endpoints.delete': thenRefreshTlsNames(tenancy.handlers['endpoints.delete']),
      'accounts.assignService': thenRefreshTlsNames(tenancy.handlers['accounts.assignService']),
      'accounts.delete': thenRefreshTlsNames(tenancy.handlers['accounts.delete']),
      ...explorer.handlers,
      ...gateways.handlers,
      ...createPkiHandlers(pki, events, pkiHandlerDepsFrom(tenancy)),
      ...resources.handlers,
      ...provisioning.handlers,
      ...onboarding.handlers,
      ...commissioning.handlers,
    },
    routes: { '/pki/crl.pem': crlRoute },
    readyDetails: () => [
      ...manager.list().map(describeListener),
      ...resources.rest
        .list()
        .map((l) =>
          l.state === 'running' ? `${l.kind} ${l.host}:${l.boundPort}` : `${l.kind} :${l.port} ${l.state}`,
        ),
    ],
    uiTls: async (bindHost) => {
      const credentials = await uiServerCredentials(
        pki,
        settings,
        bindHost,
        logger.child({ module: 'ui-tls' }),
      );
      return { cert: credentials.cert, key: credentials.key, ca: pki.caChainPem() };
    },
    close: async () => {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error({ err }, 'error while shutting down');
        }
      }
    },
  };
}
