import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { BrokerCore } from './broker';
import { CLOSED, type Connection } from './connection';
import type { SubscribeAuthorization } from './hooks';
import type { Subscription } from './subscription';
import { isValidTopicFilter, NAMESPACE_ROOT, parseSubscriptionFilter } from './topics';
import type { QoS } from './types';

interface Requested {
  raw: string;
  /** Failure reason code decided before authorization, or undefined. */
  failure: number | undefined;
  sub: Subscription | undefined;
}

/** Reason strings for the failures the broker decides itself (hooks give their own). */
const FAILURE_REASONS = new Map<number, string>([
  [0x8f, 'topic filter not valid'],
  [0x87, 'reserved topic'],
  [0x97, 'subscription limit reached'],
]);

/** One SUBACK / UNSUBACK carries one reason string: the distinct reasons, in filter order. */
function joinReasons(reasons: string[]): string | undefined {
  if (reasons.length === 0) return undefined;
  return [...new Set(reasons)].join('; ');
}

/** MQTT 5 SUBACK failure reason → 3.1.1 (only 0x80 exists there). */
function subackCode(version: number, code: number): number {
  return version === 5 ? code : 0x80;
}

export function handleSubscribe(broker: BrokerCore, conn: Connection, p: ISubscribePacket): void {
  const session = conn.session!;
  const limits = broker.limits;
  const rawId = p.properties?.subscriptionIdentifier as number | number[] | undefined;
  const identifier = Array.isArray(rawId) ? rawId[0] : rawId;
  if (identifier === 0) {
    conn.protocolViolation('subscription identifier 0', 0x82);
    return;
  }
  if (p.subscriptions.length === 0) {
    // [MQTT-3.8.3-3]
    conn.protocolViolation('SUBSCRIBE without topic filters', 0x82);
    return;
  }
  const requested: Requested[] = [];
  let count = session.subscriptionCount;
  for (const s of p.subscriptions) {
    const entry: Requested = { raw: s.topic, failure: undefined, sub: undefined };
    requested.push(entry);
    const parsed = parseSubscriptionFilter(s.topic);
    if (parsed === null || !isValidTopicFilter(parsed.filter, limits.maxTopicLength, limits.maxTopicLevels)) {
      entry.failure = 0x8f;
      continue;
    }
    if (parsed.group !== undefined && s.nl === true) {
      // [MQTT-3.8.3-4]
      conn.protocolViolation('no local on a shared subscription', 0x82);
      return;
    }
    if (conn.prefix.length === 0 && parsed.filter.startsWith(NAMESPACE_ROOT)) {
      entry.failure = 0x87;
      continue;
    }
    const filter = conn.prefix + parsed.filter;
    const key = parsed.group === undefined ? filter : `$share/${parsed.group}/${filter}`;
    if (!session.subs?.has(key) && ++count > limits.maxSubscriptionsPerClient) {
      entry.failure = 0x97;
      continue;
    }
    entry.sub = {
      session,
      filter,
      key,
      group: parsed.group,
      qos: Math.min(s.qos, 2) as QoS,
      noLocal: s.nl === true,
      retainAsPublished: s.rap === true,
      retainHandling: (s.rh ?? 0) as 0 | 1 | 2,
      identifier,
    };
  }

  const decisions: (SubscribeAuthorization | Promise<SubscribeAuthorization>)[] = requested.map((r) => {
    if (r.sub === undefined) return true;
    try {
      return broker.hooks.authorizeSubscribe(conn.ref!, r.raw, r.sub.qos, p.messageId);
    } catch (err) {
      broker.logger.error({ err, clientId: conn.clientId }, 'authorizeSubscribe threw');
      return { reasonCode: 0x80 };
    }
  });
  if (decisions.some((d) => d instanceof Promise)) {
    conn.suspend();
    Promise.all(decisions).then(
      (results) => {
        if (conn.state === CLOSED) return;
        conn.safely(() => completeSubscribe(broker, conn, p, requested, results));
        conn.resume();
      },
      (err: unknown) => {
        broker.logger.error({ err, clientId: conn.clientId }, 'authorizeSubscribe failed');
        if (conn.state === CLOSED) return;
        const refused = requested.map(() => ({ reasonCode: 0x80 }));
        conn.safely(() => completeSubscribe(broker, conn, p, requested, refused));
        conn.resume();
      },
    );
  } else completeSubscribe(broker, conn, p, requested, decisions as SubscribeAuthorization[]);
}

function completeSubscribe(
  broker: BrokerCore,
  conn: Connection,
  p: ISubscribePacket,
  requested: Requested[],
  results: SubscribeAuthorization[],
): void {
  const session = conn.session;
  if (session === null) return;
  const granted: number[] = [];
  const added: { sub: Subscription; isNew: boolean }[] = [];
  const summary: { filter: string; qos: QoS; granted: number }[] = [];
  const reasons: string[] = [];
  requested.forEach((r, i) => {
    const result = results[i]!;
    let code: number;
    if (r.failure !== undefined) {
      code = subackCode(conn.version, r.failure);
      const reason = FAILURE_REASONS.get(r.failure);
      if (reason !== undefined) reasons.push(`${r.raw}: ${reason}`);
    } else if (result !== true && 'reasonCode' in result) {
      code = subackCode(conn.version, result.reasonCode);
      if (result.reasonString !== undefined) reasons.push(`${r.raw}: ${result.reasonString}`);
      broker.logger.info(
        {
          clientId: conn.clientId,
          remoteAddress: conn.remoteAddress,
          filter: r.raw,
          reasonCode: result.reasonCode,
        },
        'subscription refused',
      );
    } else {
      const sub = r.sub!;
      if (result !== true) sub.qos = Math.min(sub.qos, result.grantedQos) as QoS;
      added.push({ sub, isNew: broker.addSubscription(session, sub) });
      code = sub.qos;
    }
    granted.push(code);
    summary.push({ filter: r.raw, qos: (r.sub?.qos ?? 0) as QoS, granted: code });
  });
  const properties = conn.reason(joinReasons(reasons));
  if (properties !== undefined)
    conn.writePacket({ cmd: 'suback', messageId: p.messageId, granted, properties });
  else conn.writePacket({ cmd: 'suback', messageId: p.messageId, granted });
  // Retained messages follow the SUBACK; shared subscriptions get none ([MQTT-3.8.4-4] / 4.8.2)
  for (const { sub, isNew } of added) {
    if (sub.group !== undefined) continue;
    if (sub.retainHandling === 0 || (sub.retainHandling === 1 && isNew)) broker.sendRetained(session, sub);
  }
  broker.events.emit('subscribed', { client: conn.ref!, subscriptions: summary });
}

export function handleUnsubscribe(broker: BrokerCore, conn: Connection, p: IUnsubscribePacket): void {
  const session = conn.session!;
  if (p.unsubscriptions.length === 0) {
    // [MQTT-3.10.3-2]
    conn.protocolViolation('UNSUBSCRIBE without topic filters', 0x82);
    return;
  }
  const codes: number[] = [];
  const reasons: string[] = [];
  for (const raw of p.unsubscriptions) {
    const parsed = parseSubscriptionFilter(raw);
    if (parsed === null) {
      codes.push(0x8f);
      reasons.push(`${raw}: ${FAILURE_REASONS.get(0x8f)}`);
      continue;
    }
    const filter = conn.prefix + parsed.filter;
    const key = parsed.group === undefined ? filter : `$share/${parsed.group}/${filter}`;
    const removed = broker.removeSubscription(session, key);
    codes.push(removed ? 0 : 0x11);
    if (!removed) reasons.push(`${raw}: no such subscription`);
  }
  if (conn.version === 5) {
    const properties = conn.reason(joinReasons(reasons));
    const unsuback: Record<string, unknown> = { cmd: 'unsuback', messageId: p.messageId, granted: codes };
    if (properties !== undefined) unsuback.properties = properties;
    conn.writePacket(unsuback);
  } else conn.writePacket({ cmd: 'unsuback', messageId: p.messageId });
  broker.events.emit('unsubscribed', { client: conn.ref!, filters: p.unsubscriptions });
}
