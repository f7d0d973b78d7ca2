import type { BrokerCore } from './broker';
import { createMessage, type Message, type OutMessage } from './message';
import type { ClientRef } from './hooks';
import type { BrokerPersistence, StoredWill } from './persistence';
import { NEVER_EXPIRES, Session } from './session';
import type { Subscription } from './subscription';
import { parseSubscriptionFilter } from './topics';

/** Rebuilds retained messages and persistent sessions (offline) from the store at startup. */
export function restoreState(core: BrokerCore, persistence: BrokerPersistence): void {
  const now = core.now();
  for (const r of persistence.loadRetained()) {
    if (r.expiresAt > 0 && r.expiresAt <= now) {
      persistence.deleteRetained(r.topic);
      continue;
    }
    const msg = createMessage(r.topic, r.payload, r.qos, true, r.properties, now, null);
    msg.expiresAt = r.expiresAt;
    core.retained.set(msg, r.storedAt);
  }
  const wills = new Map(persistence.loadWills().map((w) => [w.sessionKey, w]));
  for (const s of persistence.loadSessions()) {
    const disconnectedAt = s.disconnectedAt || now;
    const will = wills.get(s.key);
    const willClient = (w: StoredWill): ClientRef => ({
      clientId: s.clientId,
      principal: s.principal,
      listener: core.internListener(w.listener),
      remoteAddress: w.remoteAddress,
    });
    if (s.expiryInterval !== NEVER_EXPIRES && now - disconnectedAt >= s.expiryInterval * 1000) {
      // The session ended while the broker was down: its will is due now.
      if (will) core.publishWillAs(willClient(will), willMessage(will, now));
      persistence.deleteSession(s.key);
      continue;
    }
    const session = new Session(s.key, s.clientId, s.principal, s.protocolVersion);
    session.expiryInterval = s.expiryInterval;
    session.disconnectedAt = disconnectedAt;
    session.stored = true;
    core.sessions.set(s.key, session);
    core.persistentSessions.update(session);
    for (const stored of s.subscriptions) {
      const parsed = parseSubscriptionFilter(stored.key);
      if (!parsed) continue;
      const sub: Subscription = {
        session,
        filter: parsed.filter,
        key: stored.key,
        group: parsed.group,
        qos: stored.qos,
        noLocal: stored.noLocal,
        retainAsPublished: stored.retainAsPublished,
        retainHandling: stored.retainHandling,
        identifier: stored.identifier,
      };
      session.subs ??= new Map();
      session.subs.set(sub.key, sub);
      core.trie.add(sub);
    }
    for (const m of s.messages) {
      const msg = createMessage(m.topic, m.payload, m.qos, m.retain, m.properties, m.publishedAt, null);
      msg.expiresAt = m.expiresAt;
      const out: OutMessage = {
        seq: m.seq,
        msg,
        qos: m.qos,
        retain: m.retain,
        subIds: m.subIds,
        packetId: m.packetId,
        state: m.state,
      };
      session.bumpSeq(m.seq);
      if (m.state === 0 || m.packetId === 0) {
        session.queue ??= [];
        session.queue.push(out);
      } else {
        session.inflight ??= new Map();
        session.inflight.set(m.packetId, out);
      }
    }
    if (s.inboundQos2.length > 0) session.inboundQos2 = new Set(s.inboundQos2);
    if (will) core.scheduleWill(session, willClient(will), willMessage(will, now), will.dueAt);
    if (session.expiryInterval !== NEVER_EXPIRES) core.expiring.add(session);
  }
  persistence.flush();
  core.logger.info({ sessions: core.sessions.size, retained: core.retained.size }, 'broker state restored');
}

function willMessage(w: StoredWill, now: number): Message {
  return createMessage(w.topic, w.payload, w.qos, w.retain, w.properties, now, null);
}
