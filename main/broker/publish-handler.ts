import type {
  IPubackPacket,
  IPubcompPacket,
  IPublishPacket,
  IPubrecPacket,
  IPubrelPacket,
} from 'mqtt-packet';
import type { BrokerCore } from './broker';
import { CLOSED, type Connection } from './connection';
import type { AuthorizeResult, InterceptResult } from './hooks';
import { createMessage, forwardableProperties } from './message';
import { isValidTopicName, NAMESPACE_ROOT, topicMatches } from './topics';
import type { QoS } from './types';

const AUTH_CACHE_TOPICS = 1000;
const RESERVED_FOR_ROOT: Exclude<AuthorizeResult, true> = {
  reasonCode: 0x87,
  reasonString: 'reserved topic',
};

export function handlePublish(broker: BrokerCore, conn: Connection, p: IPublishPacket): void {
  conn.messagesIn++;
  broker.counters.messagesIn++;
  let topic = p.topic as string;
  const qos = p.qos;
  const props = p.properties;
  if (conn.version === 5 && props !== undefined) {
    const alias = props.topicAlias as unknown;
    if (alias !== undefined) {
      if (typeof alias !== 'number' || alias === 0 || alias > broker.limits.topicAliasMaximum) {
        conn.protocolViolation('topic alias invalid', 0x94);
        return;
      }
      const extras = conn.extra();
      extras.inAliases ??= new Map();
      const aliases = extras.inAliases;
      if (topic.length > 0) aliases.set(alias, topic);
      else {
        const known = aliases.get(alias);
        if (known === undefined) {
          conn.protocolViolation('unknown topic alias', 0x82);
          return;
        }
        topic = known;
      }
    }
    if ((props as { subscriptionIdentifier?: unknown }).subscriptionIdentifier !== undefined) {
      conn.protocolViolation('subscription identifier on PUBLISH', 0x82);
      return;
    }
  }
  if (!isValidTopicName(topic, broker.limits.maxTopicLength, broker.limits.maxTopicLevels)) {
    conn.protocolViolation('topic name not valid', 0x90);
    return;
  }
  if (broker.tap.active) {
    broker.tap.control(conn, 'in', { ...p, topic } as unknown as Record<string, unknown>, p.length ?? 0);
  }
  const session = conn.session!;
  if (qos > 0) {
    const id = p.messageId!;
    if (!id) {
      // [MQTT-2.2.1-3]: QoS 1/2 need a non-zero packet identifier
      conn.protocolViolation('PUBLISH without packet identifier', 0x82);
      return;
    }
    if (qos === 2 && session.inboundQos2 !== null && session.inboundQos2.has(id)) {
      // A re-sent QoS 2 message not yet released: acknowledge again, do not deliver twice
      conn.writePacket({ cmd: 'pubrec', messageId: id });
      return;
    }
    if (
      conn.version === 5 &&
      conn.pendingAcks + (session.inboundQos2?.size ?? 0) >= broker.limits.receiveMaximum
    ) {
      conn.protocolViolation('receive maximum exceeded', 0x93);
      return;
    }
  }
  if (conn.prefix.length === 0 && topic.charCodeAt(0) === 36 && isReservedForRoot(topic)) {
    refusePublish(broker, conn, p, topic, RESERVED_FOR_ROOT);
    return;
  }
  const decision = authorize(broker, conn, topic, qos, p.retain);
  if (decision === true) acceptPublish(broker, conn, p, topic);
  else if (decision instanceof Promise) {
    conn.suspend();
    decision.then(
      (result) => {
        if (conn.state === CLOSED) return;
        conn.safely(() => {
          if (result === true) acceptPublish(broker, conn, p, topic);
          else refusePublish(broker, conn, p, topic, result);
        });
        conn.resume();
      },
      (err: unknown) => {
        broker.logger.error({ err, clientId: conn.clientId }, 'authorizePublish failed');
        if (conn.state === CLOSED) return;
        refusePublish(broker, conn, p, topic, { reasonCode: 0x80 });
        conn.resume();
      },
    );
  } else refusePublish(broker, conn, p, topic, decision as Exclude<AuthorizeResult, true>);
}

function isReservedForRoot(topic: string): boolean {
  return topic.startsWith(NAMESPACE_ROOT) || topic.startsWith('$SYS/') || topic.startsWith('$share/');
}

/** Synchronous hook answers are used as they come; asynchronous ones are cached per topic. */
function authorize(
  broker: BrokerCore,
  conn: Connection,
  topic: string,
  qos: QoS,
  retain: boolean,
): AuthorizeResult | Promise<AuthorizeResult> {
  const slot = qos * 2 + (retain ? 1 : 0);
  const cached = conn.extras?.authCache?.get(topic)?.[slot];
  if (cached !== undefined) return cached;
  let result: AuthorizeResult | Promise<AuthorizeResult>;
  try {
    result = broker.hooks.authorizePublish(conn.ref!, topic, qos, retain);
  } catch (err) {
    broker.logger.error({ err, clientId: conn.clientId }, 'authorizePublish threw');
    return { reasonCode: 0x80 };
  }
  if (!(result instanceof Promise)) return result;
  return result.then((r) => {
    const extras = conn.extra();
    let cache = extras.authCache;
    if (cache === null || cache.size >= AUTH_CACHE_TOPICS) cache = extras.authCache = new Map();
    let entry = cache.get(topic);
    if (entry === undefined) {
      entry = [];
      cache.set(topic, entry);
    }
    entry[slot] = r;
    return r;
  });
}

function acceptPublish(broker: BrokerCore, conn: Connection, p: IPublishPacket, topic: string): void {
  const interceptors = broker.interceptors;
  if (interceptors.length > 0) {
    for (const interceptor of interceptors) {
      if (!topicMatches(interceptor.filter, topic)) continue;
      const message = {
        topic,
        payload: p.payload as Buffer,
        qos: p.qos,
        properties: p.properties,
        packetId: p.messageId ?? 0,
      };
      let consumed: InterceptResult | Promise<InterceptResult>;
      try {
        consumed = interceptor.fn(conn.ref!, message);
      } catch (err) {
        broker.logger.error({ err, topic }, 'publish interceptor threw');
        consumed = false;
      }
      if (consumed === true) {
        // QoS 0 has nothing to acknowledge (a PUBACK without a packet id would break the connection).
        if (p.qos > 0) acknowledge(broker, conn, p, 0);
        return;
      }
      if (typeof consumed === 'object' && !(consumed instanceof Promise)) {
        refusePublish(broker, conn, p, topic, consumed);
        return;
      }
      if (consumed instanceof Promise) {
        conn.suspend();
        consumed.then(
          (yes) => finishIntercepted(broker, conn, p, topic, yes),
          (err: unknown) => {
            broker.logger.error({ err, topic }, 'publish interceptor failed');
            finishIntercepted(broker, conn, p, topic, false);
          },
        );
        return;
      }
    }
  }
  routeAndAcknowledge(broker, conn, p, topic);
}

function finishIntercepted(
  broker: BrokerCore,
  conn: Connection,
  p: IPublishPacket,
  topic: string,
  consumed: InterceptResult,
): void {
  if (conn.state === CLOSED) return;
  conn.safely(() => {
    if (consumed === true) {
      if (p.qos > 0) acknowledge(broker, conn, p, 0);
    } else if (consumed === false) routeAndAcknowledge(broker, conn, p, topic);
    else refusePublish(broker, conn, p, topic, consumed);
  });
  conn.resume();
}

function routeAndAcknowledge(broker: BrokerCore, conn: Connection, p: IPublishPacket, topic: string): void {
  if (p.retain && conn.prefix.length > 0 && overRetainedQuota(broker, conn.prefix, topic, p)) {
    const limit = broker.limits.maxRetainedPerAccount;
    refusePublish(broker, conn, p, topic, {
      reasonCode: 0x97,
      reasonString: `Quota exceeded: this account already holds ${limit} retained messages; clear some (empty retained payload) first`,
    });
    return;
  }
  const props =
    conn.version === 5 && p.properties !== undefined ? forwardableProperties(p.properties) : undefined;
  const msg = createMessage(
    conn.prefix.length === 0 ? topic : conn.prefix + topic,
    p.payload as Buffer,
    p.qos,
    p.retain,
    props,
    broker.now(),
    conn.session,
  );
  const matched = broker.publishMessage(msg, conn);
  if (p.qos > 0) acknowledge(broker, conn, p, matched === 0 ? 0x10 : 0);
}

/** A new retained topic in an account namespace already at its quota (replacing or clearing one is fine). */
function overRetainedQuota(broker: BrokerCore, prefix: string, topic: string, p: IPublishPacket): boolean {
  if ((p.payload as Buffer).length === 0) return false;
  return broker.retained.overQuota(prefix + topic, broker.limits.maxRetainedPerAccount);
}

/**
 * PUBACK / PUBREC. When the publish queued writes (persistent subscribers), the ack waits until
 * they are committed, so an acknowledged message survives a crash. Later acks queue behind it.
 */
function acknowledge(broker: BrokerCore, conn: Connection, p: IPublishPacket, reasonCode: number): void {
  // QoS 0 has nothing to acknowledge (intercepted publishes of any QoS end up here).
  if (p.qos === 0) return;
  const id = p.messageId!;
  const session = conn.session!;
  if (p.qos === 2) {
    session.inboundQos2 ??= new Set();
    session.inboundQos2.add(id);
    if (session.persistent && broker.persistence) broker.persistence.addInboundQos2(session, id);
  }
  const packet: Record<string, unknown> = { cmd: p.qos === 1 ? 'puback' : 'pubrec', messageId: id };
  if (conn.version === 5 && reasonCode !== 0) packet.reasonCode = reasonCode;
  const persistence = broker.persistence;
  if (persistence?.pending) {
    conn.pendingAcks++;
    persistence.whenFlushed(() => {
      conn.pendingAcks--;
      conn.safely(() => conn.writePacket(packet));
    });
  } else conn.writePacket(packet);
}

function refusePublish(
  broker: BrokerCore,
  conn: Connection,
  p: IPublishPacket,
  topic: string,
  result: Exclude<AuthorizeResult, true>,
): void {
  const extras = conn.extra();
  extras.refusedPublishes++;
  const level = extras.refusedPublishes <= 10 ? 'info' : 'debug';
  broker.logger[level](
    { clientId: conn.clientId, remoteAddress: conn.remoteAddress, topic, reasonCode: result.reasonCode },
    'publish refused',
  );
  if (p.qos === 0) return;
  if (conn.version !== 5) {
    // [MQTT-3.3.5-2]: 3.1.1 cannot report a refusal; acknowledge normally without delivering
    acknowledge(broker, conn, p, 0);
    return;
  }
  conn.writePacket({
    cmd: p.qos === 1 ? 'puback' : 'pubrec',
    messageId: p.messageId,
    reasonCode: result.reasonCode,
    properties: conn.reason(result.reasonString),
  });
}

export function handlePuback(broker: BrokerCore, conn: Connection, p: IPubackPacket): void {
  const session = conn.session!;
  const out = session.inflight?.get(p.messageId!);
  if (out === undefined || out.qos !== 1) return;
  broker.forgetInflight(session, out);
  // A 5.0 subscriber may acknowledge with a failure code: the flow ends, but it did not take it.
  if (broker.events.deliveredWatched && (p.reasonCode ?? 0) < 0x80) {
    broker.delivered(conn, out.msg, 1, out.retain);
  }
  broker.drainQueue(session);
}

export function handlePubrec(broker: BrokerCore, conn: Connection, p: IPubrecPacket): void {
  const session = conn.session!;
  const id = p.messageId!;
  const out = session.inflight?.get(id);
  if (out === undefined || out.qos !== 2) {
    conn.writePacket(
      conn.version === 5
        ? { cmd: 'pubrel', messageId: id, reasonCode: 0x92 }
        : { cmd: 'pubrel', messageId: id },
    );
    return;
  }
  if ((p.reasonCode ?? 0) >= 0x80) {
    broker.forgetInflight(session, out);
    broker.drainQueue(session);
    return;
  }
  if (out.state === 1) {
    out.state = 2;
    if (session.persistent && broker.persistence) broker.persistence.saveMessage(session, out);
  }
  conn.writePacket({ cmd: 'pubrel', messageId: id });
}

export function handlePubcomp(broker: BrokerCore, conn: Connection, p: IPubcompPacket): void {
  const session = conn.session!;
  const out = session.inflight?.get(p.messageId!);
  if (out === undefined || out.state !== 2) return;
  broker.forgetInflight(session, out);
  if (broker.events.deliveredWatched) broker.delivered(conn, out.msg, 2, out.retain);
  broker.drainQueue(session);
}

export function handlePubrel(broker: BrokerCore, conn: Connection, p: IPubrelPacket): void {
  const session = conn.session!;
  const id = p.messageId!;
  const known = session.inboundQos2?.delete(id) ?? false;
  if (known && session.persistent && broker.persistence) broker.persistence.deleteInboundQos2(session, id);
  conn.writePacket(
    known || conn.version !== 5
      ? { cmd: 'pubcomp', messageId: id }
      : { cmd: 'pubcomp', messageId: id, reasonCode: 0x92 },
  );
}
