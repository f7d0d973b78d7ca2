import type { Duplex } from 'node:stream';
import { BrokerCore, sessionKey } from './broker';
import type { BrokerEvents } from './events';
import type { ClientRef, PublishInterceptor } from './hooks';
import { brokerStats, RateMeter } from './stats';
import { publishSysTopics } from './sys-topics';
import type { TapHub } from './tap';
import { isLiteralFilter, isValidTopicName, topicMatches } from './topics';
import type {
  BrokerLimits,
  BrokerOptions,
  BrokerStats,
  ClientSummary,
  ConnectionInfo,
  PlatformMessage,
  RetainedSummary,
  RoutedEvent,
  RoutedOptions,
  RoutedSubscription,
  SessionSummary,
  TapEvent,
  TapOptions,
} from './types';

export interface Broker {
  handleConnection(stream: Duplex, conn: ConnectionInfo): void;
  /** Publishes on behalf of the platform; `topicPrefix` puts it inside an account namespace. */
  publish(msg: PlatformMessage, opts?: { topicPrefix?: string }): Promise<void>;
  /** Consumes client publishes whose topic (client view) matches `topicFilter` when `interceptor` returns true. */
  intercept(topicFilter: string, interceptor: PublishInterceptor): () => void;
  disconnectClient(
    clientId: string,
    reasonCode?: number,
    reasonString?: string,
    topicPrefix?: string,
  ): boolean;
  disconnectWhere(pred: (c: ClientRef) => boolean, reasonCode?: number, reasonString?: string): number;
  clients(): ClientSummary[];
  sessions(): SessionSummary[];
  /** Retained messages; `filter` is an internal topic filter (include any account prefix). */
  retained(filter?: string): RetainedSummary[];
  stats(): BrokerStats;
  readonly events: BrokerEvents;
  readonly tap: { attach(observer: (e: TapEvent) => void, opts?: TapOptions): () => void };
  /** Messages the broker accepted and routed (incl. wills, platform publishes, $SYS), for the explorer. */
  readonly routed: { attach(observer: (e: RoutedEvent) => void, opts?: RoutedOptions): RoutedSubscription };
  setLimits(partial: Partial<BrokerLimits>): void;
  limits(): BrokerLimits;
  /** Forget cached asynchronous publish authorizations (after access rules change). */
  invalidateAuthorizations(): void;
  close(): Promise<void>;
}

export function createBroker(options: BrokerOptions = {}): Broker {
  const core = new BrokerCore(options);
  const meter = new RateMeter(core);
  let sysTimer: NodeJS.Timeout | null = null;

  const scheduleSys = () => {
    if (sysTimer) clearInterval(sysTimer);
    sysTimer = null;
    const seconds = core.limits.sysIntervalSeconds;
    if (seconds > 0) {
      sysTimer = setInterval(() => publishSysTopics(core, brokerStats(core, meter.rates)), seconds * 1000);
      sysTimer.unref();
    }
  };
  core.onSweep = (now) => {
    meter.sample(now);
  };
  scheduleSys();

  const tapHub: TapHub = core.tap;

  return {
    handleConnection: (stream, conn) => core.handleConnection(stream, conn),

    publish(msg, opts) {
      const prefix = opts?.topicPrefix ?? '';
      if (!isValidTopicName(msg.topic, core.limits.maxTopicLength, core.limits.maxTopicLevels)) {
        return Promise.reject(new Error(`invalid topic name: ${msg.topic}`));
      }
      const payload = typeof msg.payload === 'string' ? Buffer.from(msg.payload) : msg.payload;
      return core.publishFromPlatform(
        prefix + msg.topic,
        payload,
        msg.qos ?? 0,
        msg.retain ?? false,
        msg.properties,
      );
    },

    intercept: (filter, fn) => core.intercept(filter, fn),

    disconnectClient(clientId, reasonCode = 0x98, reasonString, topicPrefix = '') {
      const conn = core.sessions.get(sessionKey(topicPrefix, clientId))?.conn;
      if (!conn) return false;
      conn.close('server', reasonCode, reasonString);
      return true;
    },

    disconnectWhere(pred, reasonCode = 0x98, reasonString) {
      let n = 0;
      for (const conn of core.liveConnections()) {
        if (conn.ref && pred(conn.ref)) {
          conn.close('server', reasonCode, reasonString);
          n++;
        }
      }
      return n;
    },

    clients() {
      const out: ClientSummary[] = [];
      for (const conn of core.liveConnections()) {
        if (!conn.ref) continue;
        const s = conn.session;
        out.push({
          clientId: conn.clientId,
          protocolVersion: conn.version,
          listenerId: conn.listener.id,
          listenerKind: conn.listener.kind,
          remoteAddress: conn.remoteAddress,
          keepAlive: conn.keepAlive,
          cleanSession: conn.cleanStart,
          subscriptions: s?.subscriptionCount ?? 0,
          queued: s?.queuedCount ?? 0,
          inflight: s?.inflightCount ?? 0,
          bytesIn: conn.bytesIn,
          bytesOut: conn.bytesOut,
          messagesIn: conn.messagesIn,
          messagesOut: conn.messagesOut,
          droppedMessages: conn.dropped + (s?.dropped ?? 0),
          connectedAt: core.startedAt + conn.connectedAt,
          principal: conn.ref.principal,
        });
      }
      return out;
    },

    sessions() {
      return [...core.sessions.values()].map((s) => ({
        clientId: s.clientId,
        topicPrefix: s.principal.topicPrefix,
        accountId: s.principal.accountId,
        connected: s.conn !== null,
        persistent: s.persistent,
        expiryIntervalSeconds: s.expiryInterval,
        disconnectedAt: s.conn === null ? s.disconnectedAt : null,
        subscriptions: [...(s.subs?.values() ?? [])].map((sub) => ({
          filter:
            sub.key.slice(0, sub.key.length - sub.filter.length) +
            sub.filter.slice(s.principal.topicPrefix.length),
          qos: sub.qos,
        })),
        queued: s.queuedCount,
        inflight: s.inflightCount,
        droppedMessages: s.dropped,
      }));
    },

    retained(filter) {
      const now = core.now();
      const out: RetainedSummary[] = [];
      for (const entry of core.retained.entries()) {
        const m = entry.message;
        if (m.expiresAt > 0 && m.expiresAt <= now) continue;
        if (
          filter !== undefined &&
          !(isLiteralFilter(filter) ? filter === m.topic : topicMatches(filter, m.topic))
        ) {
          continue;
        }
        const summary: RetainedSummary = {
          topic: m.topic,
          qos: m.qos,
          size: m.payload.length,
          storedAt: entry.storedAt,
          payload: m.payload,
        };
        if (m.properties !== undefined) summary.properties = m.properties;
        out.push(summary);
      }
      return out;
    },

    stats: () => brokerStats(core, meter.rates),
    events: core.events,
    tap: { attach: (observer, opts) => tapHub.attach(observer, opts) },
    routed: { attach: (observer, opts) => core.routed.attach(observer, opts) },

    setLimits(partial) {
      const sysChanged =
        partial.sysIntervalSeconds !== undefined &&
        partial.sysIntervalSeconds !== core.limits.sysIntervalSeconds;
      core.limits = { ...core.limits, ...partial };
      if (sysChanged) scheduleSys();
    },
    limits: () => ({ ...core.limits }),
    invalidateAuthorizations: () => core.invalidateAuthorizations(),

    async close() {
      if (sysTimer) clearInterval(sysTimer);
      sysTimer = null;
      await core.close();
    },
  };
}
