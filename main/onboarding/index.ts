import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventBus } from '../api/event-bus';
import type { CallContext } from '../api/handlers';
import type { AuthenticateResult, AuthorizeResult, Broker, ClientRef, ConnectContext } from '../broker';
import type { ClientVerification } from '../pki';
import { namespaceOf } from '../tenancy';
import {
  type AgentKey,
  type CertificateAdmission,
  createAgentAdmission,
  type VerifiedAgentCertificate,
} from './agent-admission';
import { DPS_REQUEST_FILTER } from './dps-protocol';
import { createOnboardingHandlers } from './handlers';
import { createRegistrationService } from './registration-service';
import { OnboardingStore } from './store';
import { createTopicGuard } from './topic-guard';

import type { CertificateFailure } from './client-id';

export type { CertificateFailure, OnboardingRefusal } from './client-id';
export type { CertificateAdmission } from './agent-admission';

export interface OnboardingOptions {
  db: Database;
  logger: Logger;
  events?: EventBus;
  /** The account behind an id (tenancy). */
  account: (id: string) => { id: string; name: string } | undefined;
  /** Accounts with an accepted tenant CA (they get a scope id). */
  accountsWithTenantCa: () => string[];
  /** Host of the account's mqtts endpoint, or undefined to use `defaultHubHost`. */
  endpointHost: (accountId: string) => string | undefined;
  defaultHubHost: () => string;
  verify: (ctx: ConnectContext) => Promise<ClientVerification>;
  audit: (call: CallContext, action: string, target: string, details?: unknown) => void;
  /** For refusals at CONNECT: the TLS/connection failure log. */
  onRefused?: (ctx: ConnectContext, reason: CertificateFailure, message: string) => void;
  /** Seconds DPS asks a device to wait before polling (default 1). */
  retryAfterSeconds?: number;
  now?: () => number;
}

export type Onboarding = ReturnType<typeof createOnboarding>;

const ADMINISTRATIVE_ACTION = 0x98;

/** Certificate onboarding the way Insights Hub does it: client-id modes, zero-touch, DPS, topic structures. */
export function createOnboarding(options: OnboardingOptions) {
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ module: 'onboarding' });
  const store = new OnboardingStore(options.db);
  const connected = new Map<string, ClientRef>();
  const keyOf = (accountId: string, clientId: string) => `${accountId}\u0000${clientId}`;
  let broker: Broker | undefined;

  const announce = (accountId: string, clientId: string | null, kind: string) =>
    options.events?.emit('onboarding.changed', { accountId, clientId, kind, at: now() });
  const record = (accountId: string, clientId: string, kind: string, detail: string) => {
    store.addEvent(accountId, clientId, now(), kind, detail);
    logger.info({ accountId, clientId, event: kind }, detail);
    announce(accountId, clientId, kind);
  };
  const refreshScopeId = (accountId: string) => {
    if (options.accountsWithTenantCa().includes(accountId)) store.ensureScopeId(accountId);
  };

  const admission = createAgentAdmission({ store, now, record });
  const guard = createTopicGuard({ store, logger, now, record });
  const registration = createRegistrationService({
    store,
    verify: options.verify,
    accountName: (id) => options.account(id)?.name,
    hubHost: (id) => options.endpointHost(id) ?? options.defaultHubHost(),
    now,
    publish: (client, topic, body) => {
      void broker
        ?.publish(
          { topic, payload: JSON.stringify(body), qos: 1 },
          { topicPrefix: client.principal.topicPrefix },
        )
        .catch((err: unknown) => logger.error({ err }, 'could not send a registration response'));
    },
    record,
    onRefused: (ctx, reason, message) => options.onRefused?.(ctx, reason, message),
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  });
  const isDps = (client: ClientRef) => client.principal.attributes?.['dps'] !== undefined;

  /** What the platform hooks ask; `undefined` answers mean "no objection, go on". */
  const hooks = {
    isRegistrationLogin: registration.isLogin,
    authenticateRegistration: (ctx: ConnectContext): Promise<AuthenticateResult> =>
      registration.authenticate(ctx),
    admitCertificate: (
      ctx: ConnectContext,
      verified: VerifiedAgentCertificate,
      account: { id: string; name: string },
      admit: () => AuthenticateResult,
    ): CertificateAdmission => admission(ctx, verified, account, admit),
    authorizePublish(client: ClientRef, topic: string): AuthorizeResult | undefined {
      if (isDps(client)) {
        return topic.startsWith('$dps/registrations/')
          ? true
          : {
              reasonCode: 0x87,
              reasonString: 'A registration login publishes only $dps/registrations/ requests',
            };
      }
      return guard.authorizePublish(client, topic);
    },
    authorizeSubscribe(client: ClientRef, filter: string): AuthorizeResult | undefined {
      if (isDps(client)) {
        return filter === '$dps/registrations/res/#'
          ? true
          : {
              reasonCode: 0x87,
              reasonString: 'A registration login subscribes only to $dps/registrations/res/#',
            };
      }
      return guard.authorizeSubscribe(client, filter);
    },
    /** Registration logins only ever receive their own responses. */
    authorizeDelivery: (client: ClientRef): AuthorizeResult | undefined => (isDps(client) ? true : undefined),
  };

  function attachBroker(target: Broker): () => void {
    broker = target;
    const offIntercept = target.intercept(DPS_REQUEST_FILTER, (client, message) => {
      if (!isDps(client)) return false;
      registration.handle(client, message.topic, message.payload);
      return true;
    });
    const offConnected = target.events.on('client.connected', ({ client }) => {
      const agent = client.principal.attributes?.['onboardingAgent'] as AgentKey | undefined;
      if (!agent) return;
      connected.set(keyOf(agent.accountId, agent.clientId), client);
      if (client.principal.attributes?.['onboardingDisconnect']) {
        const delay = store.settings(agent.accountId).reconnectDelaySeconds;
        // After the CONNACK has gone out, as Insights Hub does on an agent's first connection.
        setImmediate(() =>
          target.disconnectWhere(
            (c) => c === client,
            ADMINISTRATIVE_ACTION,
            `Onboarded: reconnect after ${delay} s`,
          ),
        );
      }
    });
    const offDisconnected = target.events.on('client.disconnected', ({ client }) => {
      const agent = client.principal.attributes?.['onboardingAgent'] as AgentKey | undefined;
      if (!agent) return;
      const key = keyOf(agent.accountId, agent.clientId);
      if (connected.get(key) === client) connected.delete(key);
      if (!store.agent(agent.accountId, agent.clientId)) return;
      if (client.principal.attributes?.['onboardingDisconnect']) {
        store.setStateChangedAt(agent.accountId, agent.clientId, now());
        const delay = store.settings(agent.accountId).reconnectDelaySeconds;
        record(
          agent.accountId,
          agent.clientId,
          'disconnected',
          `disconnected after onboarding; accepted again after ${delay} s`,
        );
      } else {
        store.touch(agent.accountId, agent.clientId, now());
        announce(agent.accountId, agent.clientId, 'disconnected');
      }
    });
    return () => {
      offIntercept();
      offConnected();
      offDisconnected();
    };
  }

  const handlers = createOnboardingHandlers({
    store,
    account: options.account,
    refreshScopeId,
    isConnected: (accountId, clientId) => connected.has(keyOf(accountId, clientId)),
    lastProperties: guard.lastProperties,
    disconnectAgent: (accountId, clientId, reason) => {
      const client = connected.get(keyOf(accountId, clientId));
      if (client) broker?.disconnectWhere((c) => c === client, ADMINISTRATIVE_ACTION, reason);
    },
    publish: async (message, accountName) => {
      if (!broker) throw new Error('the broker is not running');
      await broker.publish(message, { topicPrefix: namespaceOf(accountName) });
    },
    audit: options.audit,
    record,
    announce,
  });

  return {
    hooks,
    handlers,
    attachBroker,
    /** Call when tenant CAs change: accounts with an accepted CA get their scope id. */
    refreshScopeIds(): void {
      for (const accountId of new Set(options.accountsWithTenantCa())) {
        try {
          store.ensureScopeId(accountId);
        } catch (err) {
          logger.error({ err, accountId }, 'could not give the account a scope id');
        }
      }
    },
  };
}
