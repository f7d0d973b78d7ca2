import type { Duplex } from 'node:stream';
import type { Packet } from 'mqtt-packet';
import pino, { type Logger } from 'pino';
import { AUTHENTICATING, AWAIT_CONNECT, CONNECTED, Connection } from './connection';
import { handleConnect } from './connect-handler';
import { createDefaultHooks } from './default-hooks';
import { PINGRESP } from './fixed-packets';
import { BrokerEvents } from './events';
import type {
  AuthorizeResult,
  BrokerHooks,
  ClientRef,
  DeliveryMessage,
  ListenerInfo,
  PublishInterceptor,
} from './hooks';
import { createMessage, type Message, type OutMessage } from './message';
import { BrokerPersistence } from './persistence';
import { handlePuback, handlePubcomp, handlePublish, handlePubrec, handlePubrel } from './publish-handler';
import { RetainedStore } from './retained-store';
import { restoreState } from './restore';
import { NEVER_EXPIRES, PersistentSessionIndex, Session } from './session';
import { handleSubscribe, handleUnsubscribe } from './subscribe-handler';
import type { MatchTarget, SharedGroup, Subscription } from './subscription';
import { SubscriptionTrie } from './subscription-trie';
import { RoutedHub } from './routed-tap';
import { TapHub } from './tap';
import { resolveLimits } from './limits';
import type { BrokerLimits, BrokerOptions, ConnectionInfo, DisconnectCause, DropReason, QoS } from './types';

export interface Counters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  connects: number;
  refused: number;
}

const PINGRESP_PACKET = { cmd: 'pingresp' };
/** Stands in for the listener of an offline session when the delivery hook is asked about it. */
const OFFLINE_LISTENER: ListenerInfo = Object.freeze({ id: '', kind: 'mqtt', host: '', port: 0 });

interface Interceptor {
  filter: string;
  fn: PublishInterceptor;
}

/**
 * Session key: the client id itself in the root namespace (no extra string per client), else
 * prefix NUL client id (client ids cannot contain NUL, so keys never collide).
 */
export function sessionKey(prefix: string, clientId: string): string {
  return prefix.length === 0 ? clientId : prefix + '\u0000' + clientId;
}

/**
 * The broker's state and routing: sessions, subscriptions, retained messages, delivery with
 * flow control, wills, expiry and housekeeping. Packet parsing and per-packet rules live in the
 * connection and the `*-handler.ts` files.
 */
export class BrokerCore {
  limits: BrokerLimits;
  readonly logger: Logger;
  readonly hooks: BrokerHooks;
  /** The optional delivery hook, bound once so deliveries without it pay one undefined check. */
  private readonly authorizeDelivery: BrokerHooks['authorizeDelivery'];
  readonly now: () => number;
  readonly counters: Counters = {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropped: 0,
    connects: 0,
    refused: 0,
  };
  readonly tap: TapHub;
  /** Accepted and routed messages, for the topic explorer. */
  readonly routed: RoutedHub;
  readonly events = new BrokerEvents();
  readonly trie = new SubscriptionTrie();
  readonly sessions = new Map<string, Session>();
  /** Connections that have not completed CONNECT; connected ones are reached through their session. */
  readonly pending = new Set<Connection>();
  private connectionCount = 0;
  readonly retained = new RetainedStore();
  /** Persistent sessions per account namespace (quota). */
  readonly persistentSessions = new PersistentSessionIndex();
  readonly persistence: BrokerPersistence | null;
  readonly startedAt: number;
  interceptors: Interceptor[] = [];
  private readonly listeners = new Map<string, ListenerInfo>();
  /** Offline persistent sessions with a finite expiry interval. */
  readonly expiring = new Set<Session>();
  private readonly housekeeping: NodeJS.Timeout;
  private closed = false;

  constructor(options: BrokerOptions) {
    this.limits = resolveLimits(options.limits);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'broker' });
    this.hooks = options.hooks ?? createDefaultHooks(options.allowAnonymous ?? false, options.accessRules);
    this.now = options.now ?? Date.now;
    this.authorizeDelivery = this.hooks.authorizeDelivery?.bind(this.hooks);
    this.startedAt = this.now();
    this.tap = new TapHub(this.now, this.logger);
    this.routed = new RoutedHub(this.now, this.logger);
    this.persistence = options.db ? new BrokerPersistence(options.db, this.logger) : null;
    if (this.persistence) restoreState(this, this.persistence);
    this.housekeeping = setInterval(() => this.sweep(), 500);
    this.housekeeping.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Milliseconds since the broker started: small integers, stored unboxed in connection fields. */
  clock(): number {
    return this.now() - this.startedAt;
  }

  /** One shared ListenerInfo object per distinct listener instead of one per connection. */
  internListener(listener: ListenerInfo): ListenerInfo {
    const key = `${listener.id}|${listener.kind}|${listener.host}|${listener.port}`;
    let known = this.listeners.get(key);
    if (known === undefined) {
      if (this.listeners.size > 1000) this.listeners.clear();
      known = Object.freeze({
        id: listener.id,
        kind: listener.kind,
        host: listener.host,
        port: listener.port,
      });
      this.listeners.set(key, known);
    }
    return known;
  }

  handleConnection(stream: Duplex, info: ConnectionInfo): void {
    if (this.closed || this.connectionCount >= this.limits.maxConnections) {
      this.logger.warn({ remoteAddress: info.remoteAddress }, 'connection refused: broker full or closing');
      stream.destroy();
      return;
    }
    const socket = stream as Duplex & { setNoDelay?: (on: boolean) => void };
    if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    this.connectionCount++;
    this.pending.add(new Connection(this, stream, info));
  }

  handlePacket(conn: Connection, packet: Packet): void {
    if (this.tap.active && packet.cmd !== 'publish') {
      this.tap.control(conn, 'in', packet as unknown as Record<string, unknown>, packet.length ?? 0);
    }
    if (packet.cmd === 'connect') {
      if (conn.state !== AWAIT_CONNECT) conn.protocolViolation('second CONNECT', 0x82);
      else handleConnect(this, conn, packet);
      return;
    }
    if (conn.state !== CONNECTED) {
      conn.protocolViolation(`${packet.cmd} before CONNECT`, 0x82);
      return;
    }
    switch (packet.cmd) {
      case 'publish':
        handlePublish(this, conn, packet);
        break;
      case 'puback':
        handlePuback(this, conn, packet);
        break;
      case 'pubrec':
        handlePubrec(this, conn, packet);
        break;
      case 'pubrel':
        handlePubrel(this, conn, packet);
        break;
      case 'pubcomp':
        handlePubcomp(this, conn, packet);
        break;
      case 'subscribe':
        handleSubscribe(this, conn, packet);
        break;
      case 'unsubscribe':
        handleUnsubscribe(this, conn, packet);
        break;
      case 'pingreq':
        conn.writeFixed(PINGRESP, PINGRESP_PACKET);
        break;
      case 'disconnect':
        this.handleDisconnect(conn, packet);
        break;
      case 'auth':
        conn.close('protocol-error', 0x8c, 'bad authentication method');
        break;
      default:
        conn.protocolViolation(`unexpected ${packet.cmd}`, 0x82);
    }
  }

  private handleDisconnect(conn: Connection, packet: Packet & { reasonCode?: number }): void {
    const session = conn.session;
    const props = (packet as { properties?: { sessionExpiryInterval?: number } }).properties;
    const expiry = props?.sessionExpiryInterval;
    if (expiry !== undefined && session !== null) {
      if (session.expiryInterval === 0 && expiry > 0) {
        // [MQTT-3.14.2-2]
        conn.protocolViolation('session expiry set on DISCONNECT after 0 on CONNECT', 0x82);
        return;
      }
      session.expiryInterval = expiry;
      this.persistentSessions.update(session);
    }
    conn.extra().lastDisconnectReason = packet.reasonCode ?? 0;
    conn.close('normal');
  }

  // ---- sessions -------------------------------------------------------------------------------

  /**
   * Whether a new persistent session for this connection would exceed its account's quota
   * (reconnecting to a session already kept, or a clean start that replaces it, never does).
   */
  persistentSessionQuotaReached(conn: Connection): boolean {
    const prefix = conn.prefix;
    if (prefix.length === 0) return false;
    if (this.persistentSessions.countIn(prefix) < this.limits.maxPersistentSessionsPerAccount) return false;
    return !this.persistentSessions.has(this.sessions.get(sessionKey(prefix, conn.clientId)));
  }

  /** Binds a connection to its session (taking over any other connection using it). */
  attachSession(conn: Connection, expiryInterval: number): { session: Session; present: boolean } {
    const key = sessionKey(conn.prefix, conn.clientId);
    let session = this.sessions.get(key);
    if (session?.conn) this.takeOver(session.conn, conn.cleanStart);
    if (session && conn.cleanStart) {
      this.endSession(session);
      session = undefined;
    }
    const present = session !== undefined;
    if (session === undefined) {
      session = new Session(key, conn.clientId, conn.ref!.principal, conn.version);
      this.sessions.set(key, session);
    } else {
      this.cancelPendingWill(session);
      this.expiring.delete(session);
      session.principal = conn.ref!.principal;
      session.protocolVersion = conn.version;
    }
    session.conn = conn;
    session.disconnectedAt = 0;
    session.expiryInterval = expiryInterval;
    this.persistentSessions.update(session);
    conn.session = session;
    if (this.persistence) {
      if (session.persistent) this.persistence.saveSession(session);
      else if (session.stored) {
        this.persistence.deleteSession(session.key);
        session.stored = false;
      }
    }
    return { session, present };
  }

  private takeOver(old: Connection, newCleanStart: boolean): void {
    const session = old.session!;
    const extras = old.extras;
    if (extras?.will && (extras.willDelay === 0 || newCleanStart)) this.publishWill(old, extras.will);
    if (extras) extras.will = null;
    old.session = null;
    session.conn = null;
    this.events.emit('client.disconnected', { client: old.ref!, cause: 'takeover', reasonCode: 0x8e });
    old.close('takeover', 0x8e, 'session taken over');
  }

  /** Re-sends unacknowledged messages with DUP, then whatever was queued while offline. */
  resumeSession(conn: Connection, session: Session): void {
    if (session.inflight !== null) {
      for (const out of session.inflight.values()) {
        if (out.state === 2) conn.writePacket({ cmd: 'pubrel', messageId: out.packetId });
        else if (!conn.sendOut(out, true)) this.forgetInflight(session, out, 'packet-too-large');
      }
    }
    this.drainQueue(session);
  }

  connectionClosed(
    conn: Connection,
    wasConnected: boolean,
    cause: DisconnectCause,
    reasonCode?: number,
  ): void {
    this.connectionCount--;
    this.pending.delete(conn);
    const session = conn.session;
    if (!wasConnected || session === null || session.conn !== conn) return;
    session.conn = null;
    conn.session = null;
    const normal = cause === 'normal';
    const extras = conn.extras;
    const code = reasonCode ?? extras?.lastDisconnectReason;
    this.events.emit('client.disconnected', {
      client: conn.ref!,
      cause,
      ...(code === undefined ? {} : { reasonCode: code }),
    });
    const will = extras?.will ?? null;
    if (extras) extras.will = null;
    const sendWill = will !== null && (!normal || extras?.lastDisconnectReason === 0x04);
    const willDelay = extras?.willDelay ?? 0;
    if (sendWill && will !== null && !(willDelay > 0 && session.persistent)) this.publishWill(conn, will);
    if (!session.persistent) {
      this.endSession(session);
      return;
    }
    session.disconnectedAt = this.now();
    if (this.persistence) this.persistence.saveSession(session);
    if (sendWill && will !== null && willDelay > 0) {
      // Published at the earlier of the will delay and the session's end (endSession publishes it then).
      this.scheduleWill(
        session,
        conn.ref!,
        will,
        this.now() + Math.min(willDelay, session.expiryInterval) * 1000,
      );
    }
    if (session.expiryInterval !== NEVER_EXPIRES) this.expiring.add(session);
  }

  /** Holds a will until `dueAt`; stored with the session so it survives a restart. */
  scheduleWill(session: Session, client: ClientRef, message: Message, dueAt: number): void {
    this.cancelPendingWill(session);
    const timer = setTimeout(
      () => {
        if (session.will?.timer !== timer) return;
        this.cancelPendingWill(session);
        this.publishWillAs(client, message);
      },
      Math.max(0, dueAt - this.now()),
    );
    timer.unref();
    session.will = { message, client, dueAt, timer };
    this.persistence?.saveWill(session, session.will);
  }

  endSession(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    if (session.subs !== null) {
      for (const sub of session.subs.values()) this.trie.remove(sub);
      session.subs = null;
    }
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    this.persistentSessions.remove(session);
    this.expiring.delete(session);
    if (session.stored && this.persistence) this.persistence.deleteSession(session.key);
    session.stored = false;
    const pending = session.will;
    if (pending !== null) {
      this.cancelPendingWill(session);
      this.publishWillAs(pending.client, pending.message);
    }
    session.queue = null;
    session.inflight = null;
    session.inboundQos2 = null;
  }

  private cancelPendingWill(session: Session): void {
    if (session.will === null) return;
    if (session.will.timer) clearTimeout(session.will.timer);
    session.will = null;
    if (session.stored) this.persistence?.deleteWill(session.key);
  }

  private publishWill(conn: Connection, will: Message): void {
    this.publishWillAs(conn.ref!, will);
  }

  /** Wills go through publish authorization like any message, asynchronously if need be. */
  publishWillAs(ref: ClientRef, will: Message): void {
    const prefix = ref.principal.topicPrefix;
    const clientTopic = will.topic.slice(prefix.length);
    Promise.resolve(this.hooks.authorizePublish(ref, clientTopic, will.qos, will.retain))
      .then((result) => {
        if (result !== true) {
          this.logger.info({ clientId: ref.clientId, topic: clientTopic }, 'will refused by authorization');
          return;
        }
        const now = this.now();
        const expiry = will.properties?.messageExpiryInterval;
        will.publishedAt = now;
        will.expiresAt = expiry !== undefined && expiry > 0 ? now + expiry * 1000 : 0;
        this.publishMessage(will, null, ref);
      })
      .catch((err: unknown) =>
        this.logger.error({ err, clientId: ref.clientId }, 'will authorization failed'),
      );
  }

  // ---- subscriptions --------------------------------------------------------------------------

  /** Adds or replaces a subscription; returns true when it did not exist before. */
  addSubscription(session: Session, sub: Subscription): boolean {
    session.subs ??= new Map();
    const subs = session.subs;
    const existing = subs.get(sub.key);
    if (existing) this.trie.remove(existing);
    subs.set(sub.key, sub);
    this.trie.add(sub);
    if (session.persistent && this.persistence) this.persistence.saveSubscription(session, sub);
    return existing === undefined;
  }

  removeSubscription(session: Session, key: string): boolean {
    const sub = session.subs?.get(key);
    if (!sub) return false;
    session.subs!.delete(key);
    this.trie.remove(sub);
    if (session.persistent && this.persistence) this.persistence.deleteSubscription(session, key);
    return true;
  }

  /** Sends retained messages matching a new subscription (retained flag set, [MQTT-3.3.1-8]). */
  sendRetained(session: Session, sub: Subscription): void {
    const entries = this.retained.match(sub.filter, this.now(), (topic) =>
      this.persistence?.deleteRetained(topic),
    );
    const ids = sub.identifier === undefined ? undefined : [sub.identifier];
    for (const entry of entries) {
      const msg = entry.message;
      this.deliver(session, msg, Math.min(msg.qos, sub.qos) as QoS, true, ids);
    }
  }

  // ---- publishing and delivery ----------------------------------------------------------------

  /**
   * Stores/clears a retained message and routes it; returns the number of matched targets.
   * `publisher` is the client it comes from (a will's owner), null for the platform and $SYS.
   */
  publishMessage(
    msg: Message,
    conn: Connection | null,
    publisher: ClientRef | null = conn?.ref ?? null,
  ): number {
    if (msg.retain) this.retain(msg);
    const n = this.route(msg);
    if (this.routed.active) this.routed.routed(msg, publisher, n);
    if (this.events.has('message.published')) {
      const prefix = publisher?.principal.topicPrefix ?? '';
      this.events.emit('message.published', {
        client: publisher,
        topic: msg.topic.slice(prefix.length),
        qos: msg.qos,
        retain: msg.retain,
        size: msg.payload.length,
      });
    }
    return n;
  }

  private retain(msg: Message): void {
    const persist = this.persistence !== null && !msg.topic.startsWith('$SYS/');
    if (msg.payload.length === 0) {
      if (this.retained.delete(msg.topic) && persist) this.persistence!.deleteRetained(msg.topic);
      return;
    }
    if (this.retained.overQuota(msg.topic, this.limits.maxRetainedPerAccount)) {
      // Clients are refused 0x97 before this; a will beyond its account's quota is routed, not kept.
      this.logger.info({ topic: msg.topic }, 'retained message not kept: account quota reached');
      return;
    }
    const copy: Message = { ...msg, origin: null, wire4: undefined, wire5: undefined };
    const now = this.now();
    this.retained.set(copy, now);
    if (persist) this.persistence!.saveRetained(copy, now);
  }

  route(msg: Message): number {
    const match = this.trie.match(msg.topic);
    const targets = match.targets;
    const n = targets.length;
    for (let i = 0; i < n; i++) {
      const target = targets[i]!;
      if (target.simple) {
        const subQos = target.subs[0]!.qos;
        this.deliver(target.session, msg, Math.min(subQos, msg.qos) as QoS, false, undefined);
      } else this.deliverMerged(target, msg);
    }
    const groups = match.groups;
    for (let i = 0; i < groups.length; i++) this.deliverShared(groups[i]!, msg);
    return n + groups.length;
  }

  /** One copy for overlapping subscriptions: highest QoS, every subscription identifier. */
  private deliverMerged(target: MatchTarget, msg: Message): void {
    let qos = -1;
    let rap = false;
    let ids: number[] | undefined;
    for (const sub of target.subs) {
      if (sub.noLocal && msg.origin === target.session) continue;
      if (sub.qos > qos) qos = sub.qos;
      if (sub.retainAsPublished) rap = true;
      if (sub.identifier !== undefined) {
        ids ??= [];
        ids.push(sub.identifier);
      }
    }
    if (qos < 0) return;
    this.deliver(target.session, msg, Math.min(qos, msg.qos) as QoS, rap && msg.retain, ids);
  }

  /** Round-robin over the group, preferring members that are online. */
  private deliverShared(group: SharedGroup, msg: Message): void {
    const members = group.members;
    const n = members.length;
    if (n === 0) return;
    let chosen: Subscription | undefined;
    for (let i = 0; i < n; i++) {
      const candidate = members[(group.next + i) % n]!;
      if (candidate.session.conn?.state === CONNECTED) {
        chosen = candidate;
        group.next = (group.next + i + 1) % n;
        break;
      }
    }
    if (chosen === undefined) {
      chosen = members[group.next % n]!;
      group.next = (group.next + 1) % n;
    }
    const qos = Math.min(chosen.qos, msg.qos) as QoS;
    const ids = chosen.identifier === undefined ? undefined : [chosen.identifier];
    this.deliver(chosen.session, msg, qos, chosen.retainAsPublished && msg.retain, ids);
  }

  deliver(session: Session, msg: Message, qos: QoS, retain: boolean, subIds: number[] | undefined): void {
    if (this.authorizeDelivery !== undefined && !this.deliveryAllowed(session, msg, qos, retain)) return;
    if (qos === 0) {
      const conn = session.conn;
      if (conn !== null && conn.state === CONNECTED) conn.sendQos0(msg, retain, subIds);
      return;
    }
    const out: OutMessage = { seq: session.nextSeq(), msg, qos, retain, subIds, packetId: 0, state: 0 };
    const conn = session.conn;
    if (conn !== null && conn.state === CONNECTED && !session.queue?.length && this.canSend(conn, session)) {
      this.sendInflight(conn, session, out);
      return;
    }
    if (session.persistent && this.persistence) this.persistence.saveMessage(session, out);
    session.queue ??= [];
    const queue = session.queue;
    queue.push(out);
    if (queue.length > this.limits.maxQueuedMessages) {
      const oldest = queue.shift()!;
      session.dropped++;
      if (session.persistent && this.persistence) this.persistence.deleteMessage(session, oldest.seq);
      this.dropped(session.clientId, oldest.msg, oldest.qos, 'queue-full');
    }
    if (conn !== null && conn.state === CONNECTED) this.drainQueue(session);
  }

  /** Asks the optional delivery hook; a refusal (or a throwing hook) drops the delivery. */
  private deliveryAllowed(session: Session, msg: Message, qos: QoS, retain: boolean): boolean {
    const client: ClientRef = session.conn?.ref ?? {
      clientId: session.clientId,
      principal: session.principal,
      listener: OFFLINE_LISTENER,
      remoteAddress: '',
    };
    const prefix = session.principal.topicPrefix;
    const topic = prefix.length > 0 ? msg.topic.slice(prefix.length) : msg.topic;
    const message: DeliveryMessage = { payload: msg.payload, qos, retain };
    if (msg.properties !== undefined) message.properties = msg.properties;
    let result: AuthorizeResult;
    try {
      result = this.authorizeDelivery!(client, topic, message);
    } catch (err) {
      this.logger.error({ err, clientId: session.clientId, topic }, 'authorizeDelivery threw');
      result = { reasonCode: 0x80 };
    }
    if (result === true) return true;
    session.dropped++;
    this.dropped(session.clientId, msg, qos, 'not-authorized');
    return false;
  }

  private canSend(conn: Connection, session: Session): boolean {
    const window = Math.min(conn.clientReceiveMax, this.limits.maxInflight);
    return (
      (session.inflight?.size ?? 0) < window &&
      conn.stream.writableLength <= this.limits.maxOutgoingBufferBytes
    );
  }

  private sendInflight(conn: Connection, session: Session, out: OutMessage): void {
    out.packetId = session.allocatePacketId();
    out.state = 1;
    session.inflight!.set(out.packetId, out);
    if (session.persistent && this.persistence) this.persistence.saveMessage(session, out);
    if (!conn.sendOut(out, false)) this.forgetInflight(session, out, 'packet-too-large');
  }

  forgetInflight(session: Session, out: OutMessage, reason?: DropReason): void {
    session.inflight?.delete(out.packetId);
    if (session.persistent && this.persistence) this.persistence.deleteMessage(session, out.seq);
    if (reason !== undefined) {
      session.dropped++;
      this.dropped(session.clientId, out.msg, out.qos, reason);
    }
  }

  /** Moves queued messages into flight while the client's window and our socket allow. */
  drainQueue(session: Session): void {
    const conn = session.conn;
    const queue = session.queue;
    if (conn === null || conn.state !== CONNECTED || queue === null) return;
    const now = this.now();
    while (queue.length > 0 && this.canSend(conn, session)) {
      const out = queue.shift()!;
      if (out.msg.expiresAt > 0 && out.msg.expiresAt <= now) {
        if (session.persistent && this.persistence) this.persistence.deleteMessage(session, out.seq);
        this.dropped(session.clientId, out.msg, out.qos, 'expired');
        continue;
      }
      // Asked again on the way out: the subscriber's rules may have narrowed while the message waited.
      if (
        this.authorizeDelivery !== undefined &&
        !this.deliveryAllowed(session, out.msg, out.qos, out.retain)
      ) {
        if (session.persistent && this.persistence) this.persistence.deleteMessage(session, out.seq);
        continue;
      }
      this.sendInflight(conn, session, out);
    }
  }

  /** Emits `message.delivered`; callers check `events.deliveredWatched` first. */
  delivered(conn: Connection, msg: Message, qos: QoS, retain: boolean): void {
    const prefix = conn.prefix;
    this.events.emit('message.delivered', {
      client: conn,
      topic: prefix.length > 0 ? msg.topic.slice(prefix.length) : msg.topic,
      qos,
      retain,
      size: msg.payload.length,
      payload: msg.payload,
    });
  }

  dropped(clientId: string, msg: Message, qos: QoS, reason: DropReason): void {
    this.counters.dropped++;
    if (this.events.has('message.dropped')) {
      this.events.emit('message.dropped', { clientId, topic: msg.topic, qos, reason });
    }
  }

  // ---- platform API helpers -------------------------------------------------------------------

  intercept(filter: string, fn: PublishInterceptor): () => void {
    const entry: Interceptor = { filter, fn };
    this.interceptors = [...this.interceptors, entry];
    return () => {
      this.interceptors = this.interceptors.filter((i) => i !== entry);
    };
  }

  /** Publishes on behalf of the platform; resolves once any persistence it caused is on disk. */
  publishFromPlatform(
    topic: string,
    payload: Buffer,
    qos: QoS,
    retain: boolean,
    properties: Message['properties'],
  ): Promise<void> {
    this.publishMessage(createMessage(topic, payload, qos, retain, properties, this.now(), null), null);
    this.counters.messagesIn++;
    return this.persistence ? this.persistence.flushed() : Promise.resolve();
  }

  /** Drops cached asynchronous publish decisions (call after access rules change). */
  invalidateAuthorizations(): void {
    for (const conn of this.liveConnections()) if (conn.extras) conn.extras.authCache = null;
  }

  logRejected(conn: Connection, why: string): void {
    this.logger.warn(
      {
        clientId: conn.clientId || undefined,
        remoteAddress: conn.remoteAddress,
        listener: conn.listener.id,
      },
      `closing connection: ${why}`,
    );
  }

  /** Connected clients (CONNACK sent), one per session. */
  liveConnections(): Connection[] {
    const out: Connection[] = [];
    for (const session of this.sessions.values()) {
      if (session.conn !== null && session.conn.state === CONNECTED) out.push(session.conn);
    }
    return out;
  }

  // ---- housekeeping ---------------------------------------------------------------------------

  private sweep(): void {
    const now = this.clock();
    const timeout = this.limits.connectTimeoutMs;
    for (const conn of this.pending) {
      if (
        (conn.state === AWAIT_CONNECT || conn.state === AUTHENTICATING) &&
        now - conn.connectedAt > timeout
      ) {
        this.logRejected(conn, 'no CONNECT in time');
        conn.close('connect-timeout');
      }
    }
    for (const session of this.sessions.values()) {
      const conn = session.conn;
      if (conn !== null && conn.keepAlive > 0 && now - conn.lastActivity > conn.keepAlive * 1500) {
        conn.close('keepalive', 0x8d, 'keep alive timeout');
      }
    }
    const wallNow = this.now();
    for (const session of this.expiring) {
      if (wallNow - session.disconnectedAt >= session.expiryInterval * 1000) this.endSession(session);
    }
    this.onSweep?.(wallNow);
  }

  /** Extra per-sweep work (stats sampling) installed by the facade. */
  onSweep: ((now: number) => void) | undefined;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.housekeeping);
    for (const conn of [...this.pending, ...this.liveConnections()]) {
      conn.close('server', 0x8b, 'server shutting down');
    }
    // Pending wills stay in the store: their sessions have not ended, so they are due after a restart.
    for (const session of this.sessions.values()) if (session.will?.timer) clearTimeout(session.will.timer);
    this.persistence?.flush();
  }
}
