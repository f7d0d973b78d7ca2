import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventBus } from '../api/event-bus';
import type { AuthenticateResult, AuthorizeResult, ClientRef, ConnectContext } from '../broker/hooks';
import type { BrokerEvents } from '../broker/events';
import type { Pki } from '../pki';
import type { RunningListener, Tenancy } from '../tenancy';
import { createProvisioningHandlers } from './api-handlers';
import { Attempts, ProvisionGate, provisionRequestIdOf } from './gate';
import { IdentityIssuer } from './issuer';
import { IN_FLIGHT, ProvisionJobs } from './jobs';
import { REQUEST_FILTER } from './protocol';
import { ProvisionRepository } from './repository';
import { ProvisionRequests } from './requests';
import { ProvisionResponder } from './responder';

export { PROTOCOL_APP, provisionTopics } from './protocol';

export const DEFAULT_PROVISION_ACCOUNT = 'provision';

export interface ProvisioningOptions {
  db: Database;
  logger: Logger;
  events?: EventBus;
  tenancy: Tenancy;
  pki: Pki;
  runningListeners: () => RunningListener[];
  /** Name of the provision account, created on first start (default `provision`). */
  accountName?: string;
  now?: () => number;
}

/** The part of the broker provisioning needs: replies, request interception, connection events. */
export interface ProvisioningBroker {
  publish(
    msg: { topic: string; payload: Buffer; qos?: 0 | 1 },
    opts?: { topicPrefix?: string },
  ): Promise<void>;
  intercept(
    filter: string,
    fn: (client: ClientRef, message: { topic: string; payload: Buffer }) => boolean,
  ): () => void;
  disconnectWhere(pred: (c: ClientRef) => boolean, reasonCode?: number, reasonString?: string): number;
  readonly events: Pick<BrokerEvents, 'on'>;
}

export type Provisioning = ReturnType<typeof createProvisioning>;

function ensureProvisionAccount(tenancy: Tenancy, db: Database, name: string): string {
  const existing = db
    .prepare<[string], { id: string }>('SELECT id FROM tenancy_accounts WHERE name = ? COLLATE NOCASE')
    .get(name);
  if (existing) return existing.id;
  const root = tenancy.accounts.root();
  if (!root) throw new Error('tenancy has no root account');
  return tenancy.accounts.create({
    parentId: root.id,
    name,
    organization: 'Device provisioning',
    email: null,
    expiresAt: null,
    maxChildAccounts: 0,
    maxDevices: null,
    userCoupling: 'loose',
    serviceId: tenancy.services.ensureLocal().id,
  }).id;
}

/**
 * Device provisioning: provision requests, the provision broker (admission into the provision account)
 * and Fieldbench's side of the provisioning protocol. Attach the broker once it exists.
 */
export function createProvisioning(options: ProvisioningOptions) {
  const { db, tenancy, pki } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ module: 'provisioning' });
  const accountName = options.accountName ?? DEFAULT_PROVISION_ACCOUNT;
  const provisionAccountId = ensureProvisionAccount(tenancy, db, accountName);
  const accountIdOf = () => provisionAccountId;
  const provisionAccount = () => tenancy.accounts.require(provisionAccountId);

  let broker: ProvisioningBroker | undefined;
  const repo = new ProvisionRepository(db);
  const issuer = new IdentityIssuer(tenancy, pki, options.runningListeners, logger);
  const internal = { transport: 'internal' as const, actor: 'provisioning' };
  const jobs = new ProvisionJobs({
    repo,
    events: options.events,
    logger,
    now,
    discardIssued: (row) => issuer.discard(row),
    disconnect: (pred, reason) => broker?.disconnectWhere(pred, 0x87, reason),
    audit: (action, row, details) =>
      tenancy.audit.record(internal, action, `provision:${row.client_id}`, { id: row.id, ...details }),
  });
  jobs.recoverAfterRestart();
  const attempts = new Attempts();
  const gate = new ProvisionGate(repo, jobs, attempts, tenancy, accountIdOf, now, logger);
  const requests = new ProvisionRequests(repo, tenancy, jobs, accountIdOf, now);
  const responder = new ProvisionResponder({
    repo,
    jobs,
    gate,
    attempts,
    issuer,
    logger,
    publish: async (topic, payload) => {
      if (!broker) return;
      await broker.publish({ topic, payload, qos: 1 }, { topicPrefix: `$a/${provisionAccount().name}/` });
    },
  });

  /** Provision broker URLs: the provision account's endpoints, else the running MQTT listeners. */
  function brokerUrls(): { url: string; secure: boolean }[] {
    const endpoints = tenancy.endpoints
      .effective(provisionAccountId)
      .endpoints.filter((e) => e.scheme === 'mqtt' || e.scheme === 'mqtts');
    if (endpoints.length > 0) {
      return endpoints.map((e) => ({ url: `${e.scheme}://${e.domain}:${e.port}`, secure: e.secure }));
    }
    return options
      .runningListeners()
      .filter((l) => l.kind === 'mqtt' || l.kind === 'mqtts')
      .map((l) => {
        const host = l.host === '0.0.0.0' || l.host === '::' ? 'localhost' : l.host;
        return { url: `${l.kind}://${host}:${l.port}`, secure: l.kind === 'mqtts' };
      });
  }

  const isProvisioningClient = (client: ClientRef) => provisionRequestIdOf(client) !== undefined;

  /** A device connected to its target account: completes its request when it used the new identity. */
  function onConnected(client: ClientRef): void {
    const accountId = client.principal.accountId;
    if (accountId === null || accountId === provisionAccountId || isProvisioningClient(client)) return;
    const row = repo.byTarget(accountId, client.clientId);
    if (row?.status !== 'APPS_INSTALLED') return;
    const attrs = client.principal.attributes ?? {};
    const usedCredential =
      row.issued_credential_id !== null && attrs['credentialId'] === row.issued_credential_id;
    const usedCertificate =
      row.issued_certificate_serial !== null && attrs['certificateSerial'] === row.issued_certificate_serial;
    if (!usedCredential && !usedCertificate) return;
    attempts.end(row.id);
    jobs.complete(
      row,
      `connected to account "${client.principal.accountName}" with the new ${usedCredential ? 'credential' : 'certificate'}`,
    );
  }

  function onDisconnected(client: ClientRef): void {
    const requestId = provisionRequestIdOf(client);
    if (requestId === undefined || !attempts.isCurrent(client)) return;
    const row = repo.row(requestId);
    if (row && IN_FLIGHT.includes(row.status)) {
      attempts.end(requestId);
      jobs.fail(row, 'the device disconnected before provisioning finished');
    }
  }

  return {
    repo,
    requests,
    provisionAccountId: accountIdOf,
    brokerUrls,
    handlers: createProvisioningHandlers({
      requests,
      timeline: (id) => repo.timeline(requests.require(id).id),
      info: () => ({
        provisionAccountId,
        provisionAccountName: provisionAccount().name,
        brokerUrls: brokerUrls(),
      }),
      audit: (call, action, target, details) => tenancy.audit.record(call, action, target, details),
    }),
    /** Broker-hook branch: whether this CONNECT is a provisioning login, and the decisions for it. */
    hooks: {
      claims: (ctx: ConnectContext): boolean => gate.claims(ctx),
      owns: isProvisioningClient,
      authenticate: (ctx: ConnectContext): Promise<AuthenticateResult> => gate.authenticate(ctx),
      authorizePublish: (client: ClientRef, topic: string): AuthorizeResult =>
        gate.authorizePublish(client, topic),
      authorizeSubscribe: (client: ClientRef, filter: string): AuthorizeResult =>
        gate.authorizeSubscribe(client, filter),
      authorizeDelivery: (client: ClientRef, topic: string): AuthorizeResult =>
        gate.authorizeDelivery(client, topic),
    },
    /** Starts answering devices on `target`; returns the detacher. */
    attachBroker(target: ProvisioningBroker): () => void {
      broker = target;
      const detachers = [
        target.intercept(REQUEST_FILTER, (client, message) =>
          responder.intercept(client, message.topic, message.payload),
        ),
        target.events.on('client.connected', (e) => onConnected(e.client)),
        target.events.on('client.disconnected', (e) => onDisconnected(e.client)),
      ];
      return () => {
        for (const detach of detachers) detach();
        broker = undefined;
      };
    },
  };
}
