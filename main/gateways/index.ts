import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { EventBus } from '../api/event-bus';
import type { CallContext } from '../api/handlers';
import type { BrokerHooks, ClientRef, ConnectContext } from '../broker';
import type { AdmitToAccount } from '../tenancy';
import type { AccountRow } from '../tenancy/accounts';
import { createDeviceAccess } from './access';
import { ActivityTracker } from './activity';
import { createGatewayHandlers } from './api-handlers';
import { createDeviceAuthenticator } from './auth';
import type { BrokerPort, RuntimeContext } from './context';
import { createControlInterceptor } from './control';
import { ErrorReporter } from './error-reporter';
import { parseClientId } from './ids';
import { LiveRegistry, principalData } from './live';
import { DeviceMessaging } from './messaging';
import { GatewayModel } from './model';
import { GatewayRepository } from './repository';
import { TelemetryHistory } from './telemetry';

export { parseClientId } from './ids';
export { type DeviceJwtOptions, signDeviceJwt } from './sign';

export interface GatewaysOptions {
  db: Database;
  logger: Logger;
  events?: EventBus;
  /** Tenancy's account lookup and admission (service assignment, connection option, device quota). */
  account: (id: string) => AccountRow | undefined;
  admit: AdmitToAccount;
  audit?: (call: CallContext, action: string, target: string, details?: unknown) => void;
  now?: () => number;
}

export type Gateways = ReturnType<typeof createGateways>;

/** How long after the last config send or config subscription PUBACKs are watched for. */
const CONFIG_ACK_WATCH_MS = 10 * 60_000;

/**
 * OmniCore / IoT Core-style registries, gateways and devices: JWT logins, attach/detach, config and
 * commands, on the embedded broker. `hooks` serve the clients `claims`/`owns` pick out.
 */
export function createGateways(options: GatewaysOptions) {
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ module: 'gateways' });
  const repo = new GatewayRepository(options.db);
  let broker: BrokerPort | undefined;
  let activity: ActivityTracker | undefined;
  const live = new LiveRegistry((key) => activity?.touched(key));
  const auth = createDeviceAuthenticator({
    repo,
    account: options.account,
    admit: options.admit,
    logger,
    now,
  });
  const ctx: RuntimeContext = {
    repo,
    live,
    telemetry: new TelemetryHistory(),
    auth,
    logger,
    events: options.events,
    now,
    broker: () => broker,
    watchConfigAcks: () => watchConfigAcks(),
    touched: (key) => activity?.touched(key),
  };
  activity = new ActivityTracker(ctx);
  const errors = new ErrorReporter(ctx);
  const access = createDeviceAccess(ctx, errors);
  const messaging = new DeviceMessaging(ctx);
  const model = new GatewayModel(repo, now);
  let revision = 0;
  const changed = (accountId: string) =>
    options.events?.emit('gateways.changed', { revision: ++revision, at: now(), accountId });

  const hooks: BrokerHooks = {
    authenticate: (ctx: ConnectContext) => auth.authenticate(ctx),
    authorizePublish: (client, topic, qos) => access.authorizePublish(client, topic, qos),
    authorizeSubscribe: (client, filter, qos, packetId) =>
      access.authorizeSubscribe(client, filter, qos, packetId),
    authorizeDelivery: (client, topic) => access.authorizeDelivery(client, topic),
  };

  const detachers: Array<() => void> = [];
  let stopWatchingAcks: (() => void) | null = null;
  let ackWatchTimer: NodeJS.Timeout | undefined;

  function watchConfigAcks(): void {
    if (!broker) return;
    stopWatchingAcks ??= broker.events.on('message.delivered', (event) => messaging.onDelivered(event));
    clearTimeout(ackWatchTimer);
    ackWatchTimer = setTimeout(() => {
      stopWatchingAcks?.();
      stopWatchingAcks = null;
    }, CONFIG_ACK_WATCH_MS);
    ackWatchTimer.unref();
  }

  /** Binds the broker: interceptor for device topics, connection lifecycle, config acknowledgements. */
  function attachBroker(port: BrokerPort): void {
    broker = port;
    detachers.push(port.intercept('/#', createControlInterceptor(ctx, errors, activity!)));
    detachers.push(
      port.events.on('client.connected', ({ client }) => {
        const entry = live.of(client);
        if (!entry) return;
        // The connection ends when its JWT does.
        const remaining = Math.max(0, entry.data.expiresAt - now());
        entry.expiryTimer = setTimeout(() => {
          logger.info({ clientId: client.clientId }, 'closing device connection: its JWT expired');
          port.disconnectWhere((c) => c === client, 0x87, 'the JWT expired');
        }, remaining);
        entry.expiryTimer.unref();
      }),
      port.events.on('client.disconnected', ({ client }) => {
        live.drop(client);
      }),
      port.events.on('subscribed', ({ client, subscriptions }) => access.subscribed(client, subscriptions)),
      port.events.on('unsubscribed', ({ client, filters }) => access.unsubscribed(client, filters)),
    );
  }

  return {
    hooks,
    /** Whether this capability authenticates a CONNECT (its client id has a device form). */
    claims: (connect: ConnectContext) => parseClientId(connect.clientId) !== null,
    /** Whether a connected client was authenticated here. */
    owns: (client: ClientRef) => principalData(client) !== undefined,
    handlers: createGatewayHandlers({
      ctx,
      model,
      activity,
      messaging,
      errors,
      audit: options.audit,
      changed,
    }),
    attachBroker,
    /** Live counts, for benchmarks and the System page. */
    stats: () => ({ connected: live.all().length, attached: live.attachedCount() }),
    close(): void {
      for (const detach of detachers.splice(0)) detach();
      clearTimeout(ackWatchTimer);
      stopWatchingAcks?.();
      activity?.close();
    },
  };
}
