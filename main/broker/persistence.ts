import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ListenerInfo, Principal } from './hooks';
import type { Message, OutMessage } from './message';
import type { PendingWill, Session } from './session';
import type { Subscription } from './subscription';
import type { MessageProperties, QoS } from './types';

type Op = () => void;

/** Stored message properties: JSON with correlation data as base64. */
export function encodeProperties(props: MessageProperties | undefined): string | null {
  if (props === undefined) return null;
  const { correlationData, ...rest } = props;
  return JSON.stringify(
    correlationData === undefined ? rest : { ...rest, correlationData: correlationData.toString('base64') },
  );
}

export function decodeProperties(text: string | null): MessageProperties | undefined {
  if (text === null) return undefined;
  const raw = JSON.parse(text) as MessageProperties & { correlationData?: string };
  const { correlationData, ...rest } = raw;
  return correlationData === undefined
    ? rest
    : { ...rest, correlationData: Buffer.from(correlationData, 'base64') };
}

export interface StoredSession {
  key: string;
  clientId: string;
  principal: Principal;
  protocolVersion: 3 | 4 | 5;
  expiryInterval: number;
  disconnectedAt: number;
  subscriptions: {
    key: string;
    qos: QoS;
    noLocal: boolean;
    retainAsPublished: boolean;
    retainHandling: 0 | 1 | 2;
    identifier: number | undefined;
  }[];
  messages: {
    seq: number;
    topic: string;
    payload: Buffer;
    qos: 1 | 2;
    retain: boolean;
    properties: MessageProperties | undefined;
    expiresAt: number;
    publishedAt: number;
    subIds: number[] | undefined;
    packetId: number;
    state: 0 | 1 | 2;
  }[];
  inboundQos2: number[];
}

export interface StoredWill {
  sessionKey: string;
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties | undefined;
  dueAt: number;
  listener: ListenerInfo;
  remoteAddress: string;
}

export interface StoredRetained {
  topic: string;
  payload: Buffer;
  qos: QoS;
  properties: MessageProperties | undefined;
  expiresAt: number;
  storedAt: number;
}

/**
 * Write-behind SQLite persistence. Writes are queued and committed together in one transaction
 * on the next turn of the event loop; callers that must not acknowledge before the data is on
 * disk (QoS 1/2 publishes) wait with `whenFlushed`.
 */
export class BrokerPersistence {
  private ops: Op[] = [];
  private waiters: (() => void)[] = [];
  private scheduled = false;
  private readonly stmt: Record<string, Statement>;
  private readonly runBatch: (ops: Op[]) => void;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.stmt = {
      upsertSession: db.prepare(
        `INSERT INTO broker_sessions (session_key, client_id, principal, protocol_version, expiry_interval, disconnected_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(session_key) DO UPDATE SET client_id = excluded.client_id, principal = excluded.principal,
           protocol_version = excluded.protocol_version, expiry_interval = excluded.expiry_interval,
           disconnected_at = excluded.disconnected_at`,
      ),
      deleteSession: db.prepare('DELETE FROM broker_sessions WHERE session_key = ?'),
      upsertSub: db.prepare(
        `INSERT OR REPLACE INTO broker_subscriptions
         (session_key, sub_key, qos, no_local, retain_as_published, retain_handling, identifier) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteSub: db.prepare('DELETE FROM broker_subscriptions WHERE session_key = ? AND sub_key = ?'),
      upsertMessage: db.prepare(
        `INSERT INTO broker_messages (session_key, seq, topic, payload, qos, retain, properties, expires_at,
           published_at, sub_ids, packet_id, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(session_key, seq) DO UPDATE SET packet_id = excluded.packet_id, state = excluded.state`,
      ),
      deleteMessage: db.prepare('DELETE FROM broker_messages WHERE session_key = ? AND seq = ?'),
      insertQos2: db.prepare(
        'INSERT OR IGNORE INTO broker_inbound_qos2 (session_key, packet_id) VALUES (?, ?)',
      ),
      deleteQos2: db.prepare('DELETE FROM broker_inbound_qos2 WHERE session_key = ? AND packet_id = ?'),
      upsertRetained: db.prepare(
        `INSERT OR REPLACE INTO broker_retained (topic, payload, qos, properties, expires_at, stored_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteRetained: db.prepare('DELETE FROM broker_retained WHERE topic = ?'),
      upsertWill: db.prepare(
        `INSERT OR REPLACE INTO broker_pending_wills
         (session_key, topic, payload, qos, retain, properties, due_at, listener, remote_address)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteWill: db.prepare('DELETE FROM broker_pending_wills WHERE session_key = ?'),
    };
    this.runBatch = db.transaction((ops: Op[]) => {
      for (const op of ops) op();
    });
  }

  /** True while writes are queued and not yet committed. */
  get pending(): boolean {
    return this.ops.length > 0;
  }

  /** Runs `cb` once everything queued so far is committed (at once when nothing is queued). */
  whenFlushed(cb: () => void): void {
    if (this.ops.length === 0) cb();
    else this.waiters.push(cb);
  }

  flushed(): Promise<void> {
    return new Promise((resolve) => this.whenFlushed(resolve));
  }

  saveSession(s: Session): void {
    s.stored = true;
    const args = [
      s.key,
      s.clientId,
      JSON.stringify(s.principal),
      s.protocolVersion,
      s.expiryInterval,
      s.disconnectedAt,
    ];
    this.push(() => this.stmt.upsertSession!.run(args));
  }

  deleteSession(key: string): void {
    this.push(() => this.stmt.deleteSession!.run(key));
  }

  saveSubscription(s: Session, sub: Subscription): void {
    const args = [
      s.key,
      sub.key,
      sub.qos,
      sub.noLocal ? 1 : 0,
      sub.retainAsPublished ? 1 : 0,
      sub.retainHandling,
      sub.identifier ?? null,
    ];
    this.push(() => this.stmt.upsertSub!.run(args));
  }

  deleteSubscription(s: Session, subKey: string): void {
    const key = s.key;
    this.push(() => this.stmt.deleteSub!.run(key, subKey));
  }

  /** Inserts the message, or updates its packet id and state when already stored. */
  saveMessage(s: Session, out: OutMessage): void {
    const m = out.msg;
    const args = [
      s.key,
      out.seq,
      m.topic,
      m.payload,
      out.qos,
      out.retain ? 1 : 0,
      encodeProperties(m.properties),
      m.expiresAt,
      m.publishedAt,
      out.subIds === undefined ? null : JSON.stringify(out.subIds),
      out.packetId,
      out.state,
    ];
    this.push(() => this.stmt.upsertMessage!.run(args));
  }

  deleteMessage(s: Session, seq: number): void {
    const key = s.key;
    this.push(() => this.stmt.deleteMessage!.run(key, seq));
  }

  addInboundQos2(s: Session, packetId: number): void {
    const key = s.key;
    this.push(() => this.stmt.insertQos2!.run(key, packetId));
  }

  deleteInboundQos2(s: Session, packetId: number): void {
    const key = s.key;
    this.push(() => this.stmt.deleteQos2!.run(key, packetId));
  }

  saveRetained(m: Message, storedAt: number): void {
    const args = [m.topic, m.payload, m.qos, encodeProperties(m.properties), m.expiresAt, storedAt];
    this.push(() => this.stmt.upsertRetained!.run(args));
  }

  deleteRetained(topic: string): void {
    this.push(() => this.stmt.deleteRetained!.run(topic));
  }

  /** The session's row must be saved first (wills go with their session). */
  saveWill(s: Session, will: PendingWill): void {
    const m = will.message;
    const { id, kind, host, port } = will.client.listener;
    const args = [
      s.key,
      m.topic,
      m.payload,
      m.qos,
      m.retain ? 1 : 0,
      encodeProperties(m.properties),
      will.dueAt,
      JSON.stringify({ id, kind, host, port }),
      will.client.remoteAddress,
    ];
    this.push(() => this.stmt.upsertWill!.run(args));
  }

  deleteWill(sessionKey: string): void {
    this.push(() => this.stmt.deleteWill!.run(sessionKey));
  }

  /** Commits everything queued now (also called on close). */
  flush(): void {
    this.scheduled = false;
    const ops = this.ops;
    const waiters = this.waiters;
    if (ops.length === 0 && waiters.length === 0) return;
    this.ops = [];
    this.waiters = [];
    try {
      if (ops.length > 0) this.runBatch(ops);
    } catch (err) {
      this.logger.error({ err, ops: ops.length }, 'broker persistence batch failed');
    }
    for (const waiter of waiters) waiter();
  }

  loadRetained(): StoredRetained[] {
    const rows = this.db
      .prepare('SELECT topic, payload, qos, properties, expires_at, stored_at FROM broker_retained')
      .all() as {
      topic: string;
      payload: Buffer;
      qos: QoS;
      properties: string | null;
      expires_at: number;
      stored_at: number;
    }[];
    return rows.map((r) => ({
      topic: r.topic,
      payload: r.payload,
      qos: r.qos,
      properties: decodeProperties(r.properties),
      expiresAt: r.expires_at,
      storedAt: r.stored_at,
    }));
  }

  loadWills(): StoredWill[] {
    const rows = this.db.prepare('SELECT * FROM broker_pending_wills').all() as {
      session_key: string;
      topic: string;
      payload: Buffer;
      qos: QoS;
      retain: number;
      properties: string | null;
      due_at: number;
      listener: string;
      remote_address: string;
    }[];
    return rows.map((r) => ({
      sessionKey: r.session_key,
      topic: r.topic,
      payload: r.payload,
      qos: r.qos,
      retain: r.retain === 1,
      properties: decodeProperties(r.properties),
      dueAt: r.due_at,
      listener: JSON.parse(r.listener) as ListenerInfo,
      remoteAddress: r.remote_address,
    }));
  }

  loadSessions(): StoredSession[] {
    const sessions = new Map<string, StoredSession>();
    const rows = this.db.prepare('SELECT * FROM broker_sessions').all() as {
      session_key: string;
      client_id: string;
      principal: string;
      protocol_version: 3 | 4 | 5;
      expiry_interval: number;
      disconnected_at: number;
    }[];
    for (const r of rows) {
      sessions.set(r.session_key, {
        key: r.session_key,
        clientId: r.client_id,
        principal: JSON.parse(r.principal) as Principal,
        protocolVersion: r.protocol_version,
        expiryInterval: r.expiry_interval,
        disconnectedAt: r.disconnected_at,
        subscriptions: [],
        messages: [],
        inboundQos2: [],
      });
    }
    const subs = this.db.prepare('SELECT * FROM broker_subscriptions').all() as {
      session_key: string;
      sub_key: string;
      qos: QoS;
      no_local: number;
      retain_as_published: number;
      retain_handling: 0 | 1 | 2;
      identifier: number | null;
    }[];
    for (const r of subs) {
      sessions.get(r.session_key)?.subscriptions.push({
        key: r.sub_key,
        qos: r.qos,
        noLocal: r.no_local === 1,
        retainAsPublished: r.retain_as_published === 1,
        retainHandling: r.retain_handling,
        identifier: r.identifier ?? undefined,
      });
    }
    const messages = this.db.prepare('SELECT * FROM broker_messages ORDER BY session_key, seq').all() as {
      session_key: string;
      seq: number;
      topic: string;
      payload: Buffer;
      qos: 1 | 2;
      retain: number;
      properties: string | null;
      expires_at: number;
      published_at: number;
      sub_ids: string | null;
      packet_id: number;
      state: 0 | 1 | 2;
    }[];
    for (const r of messages) {
      sessions.get(r.session_key)?.messages.push({
        seq: r.seq,
        topic: r.topic,
        payload: r.payload,
        qos: r.qos,
        retain: r.retain === 1,
        properties: decodeProperties(r.properties),
        expiresAt: r.expires_at,
        publishedAt: r.published_at,
        subIds: r.sub_ids === null ? undefined : (JSON.parse(r.sub_ids) as number[]),
        packetId: r.packet_id,
        state: r.state,
      });
    }
    const qos2 = this.db.prepare('SELECT session_key, packet_id FROM broker_inbound_qos2').all() as {
      session_key: string;
      packet_id: number;
    }[];
    for (const r of qos2) sessions.get(r.session_key)?.inboundQos2.push(r.packet_id);
    return [...sessions.values()];
  }

  private push(op: Op): void {
    this.ops.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}
